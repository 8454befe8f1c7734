# SPDX-License-Identifier: AGPL-3.0-or-later
"""Patients pages added after the central permission table was written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openiop.core.testing import Objects, Page
from openiop.patients.permissions import EPISODE_MANAGE
from openiop.patients.services import episode_admit, patient_register


def the_episode(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["patients_episode"].pk}


PAGES = [
    Page("patients:episode_level", EPISODE_MANAGE, the_episode),
    Page("patients:episode_discharge", EPISODE_MANAGE, the_episode),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    # A patient of its own, so other apps may admit the shared one.
    holder = patient_register(
        site=base.site, legal_first_name="Episode", legal_last_name="Holder", birth_date=dt.date(1980, 1, 1)
    )
    episode = episode_admit(
        actor=None, patient=holder, site=base.site, admission_date=timezone.localdate() - dt.timedelta(days=10)
    )
    return {"patients_episode": episode}
