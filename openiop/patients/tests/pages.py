# SPDX-License-Identifier: AGPL-3.0-or-later
"""Patients pages added after the central permission table was written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openiop.core.testing import Objects, Page
from openiop.patients.permissions import ALLERGY_RECORD, ALLERGY_VIEW, EPISODE_MANAGE
from openiop.patients.services import allergy_record, episode_admit, patient_register


def the_patient(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.patient.pk}


def the_allergy(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["patients_allergy"].pk}


def the_episode(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["patients_episode"].pk}


PAGES = [
    Page("patients:episode_level", EPISODE_MANAGE, the_episode, form=True),
    Page("patients:episode_discharge", EPISODE_MANAGE, the_episode, form=True),
    Page("patients:allergies", ALLERGY_VIEW, the_patient),
    Page("patients:allergy_add", ALLERGY_RECORD, the_patient, form=True),
    Page("patients:allergy_none_known", ALLERGY_RECORD, the_patient, form=True),
    Page("patients:allergy_error", ALLERGY_RECORD, the_allergy, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    # A patient of its own, so other apps may admit the shared one.
    holder = patient_register(
        site=base.site, legal_first_name="Episode", legal_last_name="Holder", birth_date=dt.date(1980, 1, 1)
    )
    episode = episode_admit(
        actor=None, patient=holder, site=base.site, admission_date=timezone.localdate() - dt.timedelta(days=10)
    )
    allergy = allergy_record(actor=None, patient=base.patient, substance="Penicillin")  # type: ignore[arg-type]
    return {"patients_episode": episode, "patients_allergy": allergy}
