# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admissions pages added after the central permission table was written."""

from __future__ import annotations

from typing import Any

from openiop.admissions.models import ReferralSource
from openiop.admissions.permissions import ADMISSIONS_CREATE, ADMISSIONS_SOURCES
from openiop.core.testing import Objects, Page, no_kwargs, the_inquiry


def the_source(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["admissions_source"].pk}


PAGES = [
    Page("admissions:edit", ADMISSIONS_CREATE, the_inquiry),
    Page("admissions:source_create", ADMISSIONS_SOURCES, no_kwargs),
    Page("admissions:source_edit", ADMISSIONS_SOURCES, the_source),
    Page("admissions:source_delete", ADMISSIONS_SOURCES, the_source),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    return {"admissions_source": ReferralSource.objects.create(name="Permission-table clinic", kind="physician")}
