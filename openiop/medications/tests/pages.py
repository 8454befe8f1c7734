# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openiop.accounts.services import staff_create
from openiop.core.roles import RoleCode
from openiop.core.testing import Objects, Page
from openiop.medications import corrections, services
from openiop.medications.permissions import (
    DRUGTESTS_CORRECT,
    DRUGTESTS_RECORD,
    DRUGTESTS_REVIEW,
    DRUGTESTS_VIEW,
    MEDICATIONS_ADHERENCE,
    MEDICATIONS_MANAGE,
    MEDICATIONS_VIEW,
)


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _medication(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["medication"].pk}


def _specimen(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["specimen"].pk}


def _review(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["drug_test_review"].pk}


def _result(objects: Objects) -> dict[str, Any]:
    result = objects.extra["test_result"]
    return {"patient_pk": objects.patient.pk, "specimen_pk": result.specimen_id, "pk": result.pk}


def _restore(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["restore_review"].pk}


PAGES: list[Page] = [
    Page("medications:add", MEDICATIONS_MANAGE, _patient, form=True),
    Page("medications:detail", MEDICATIONS_VIEW, _medication),
    Page("medications:stop", MEDICATIONS_MANAGE, _medication, form=True),
    Page("medications:adherence", MEDICATIONS_ADHERENCE, _medication, form=True),
    Page("medications:change", MEDICATIONS_MANAGE, _medication, form=True),
    Page("medications:in_error", MEDICATIONS_MANAGE, _medication, form=True),
    Page("medications:specimen_add", DRUGTESTS_RECORD, _patient, form=True),
    Page("medications:specimen", DRUGTESTS_VIEW, _specimen),
    Page("medications:results", DRUGTESTS_RECORD, _specimen, form=True),
    Page("medications:trend", DRUGTESTS_VIEW, _patient),
    Page("medications:result_correct", DRUGTESTS_CORRECT, _result, form=True),
    Page("medications:review", DRUGTESTS_REVIEW, _review, form=True),
    Page("medications:sobriety_restore", DRUGTESTS_REVIEW, _restore, form=True),
    Page("medications:sobriety", DRUGTESTS_REVIEW, _patient, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    nurse = staff_create(
        username=f"pages-medications-nurse-{base.site.code}",
        password=None,
        first_name="Page",
        last_name="Nurse",
        email=f"pages-medications-nurse-{base.site.code}@example.invalid",
        role_codes=[RoleCode.NURSE],
        sites=[base.site],
    )
    today = timezone.localdate()
    medication = services.medication_add(
        actor=nurse,
        patient=base.patient,
        catalogue_code="buprenorphine_naloxone",
        name="Buprenorphine/naloxone",
        dose="8 mg/2 mg",
        route="sublingual",
        frequency="once daily",
        indication="Opioid use disorder",
        outside_prescriber="Dr. Outside",
        start_date=today - dt.timedelta(days=30),
    )
    specimen = services.specimen_record(
        actor=nurse,
        patient=base.patient,
        site=base.site,
        specimen_type="urine",
        collected_at=timezone.now() - dt.timedelta(days=1),
        observed=True,
        collected_by=nurse,
        presumptive=[services.ResultEntry("buprenorphine", "positive"), services.ResultEntry("cocaine", "positive")],
    )
    review = specimen.reviews.get()
    # A cocaine positive confirmed as use (the sobriety date reset), then
    # corrected to negative: the clinician is offered to restore the date.
    services.sobriety_date_set(actor=nurse, patient=base.patient, date=today - dt.timedelta(days=90), note="Intake")
    confirmed = services.specimen_record(
        actor=nurse,
        patient=base.patient,
        site=base.site,
        specimen_type="urine",
        collected_at=timezone.now() - dt.timedelta(days=3),
        observed=True,
        collected_by=nurse,
        presumptive=[services.ResultEntry("cocaine", "positive")],
    )
    restore_review = services.review_confirm(actor=nurse, review=confirmed.reviews.get(), note="Use confirmed")
    corrections.result_correct(
        actor=nurse,
        result=confirmed.results.get(),
        new_result="negative",
        cutoff=None,
        reason="Read from the wrong line of the cup",
    )
    return {
        "medication": medication,
        "specimen": specimen,
        "drug_test_review": review,
        "test_result": specimen.results.get(drug_class="cocaine"),
        "restore_review": restore_review,
    }
