# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

from typing import Any

from openiop.core.testing import Objects, Page, no_kwargs
from openiop.diagnoses.permissions import DIAGNOSES_EDIT
from openiop.diagnoses.services import diagnosis_create


def the_patient(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.patient.pk}


def the_diagnosis(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["diagnoses_diagnosis"].pk}


PAGES = [
    Page("diagnoses:search", DIAGNOSES_EDIT, no_kwargs),
    Page("diagnoses:add", DIAGNOSES_EDIT, the_patient, form=True),
    Page("diagnoses:edit", DIAGNOSES_EDIT, the_diagnosis, form=True),
    Page("diagnoses:resolve", DIAGNOSES_EDIT, the_diagnosis, form=True),
    Page("diagnoses:primary", DIAGNOSES_EDIT, the_diagnosis, form=True),
    Page("diagnoses:error", DIAGNOSES_EDIT, the_diagnosis, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    # Not primary, so the "make primary" page has something to do.
    return {"diagnoses_diagnosis": diagnosis_create(actor=None, patient=base.patient, code="F41.1")}
