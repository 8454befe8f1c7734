# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of the problem list: what a claim carries on a day, the primary,
and what each person may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.diagnoses import selectors, services
from openiop.diagnoses.models import DiagnosisStatus
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY, register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

AGO = {days: TODAY - dt.timedelta(days=days) for days in (1, 5, 10, 20, 30, 60)}


def test_claim_diagnoses_puts_the_primary_first_then_substance_use_codes(bob: User, patient: Patient) -> None:
    services.diagnosis_create(actor=bob, patient=patient, code="F41.1", onset_date=AGO[60])
    services.diagnosis_create(actor=bob, patient=patient, code="F12.20", onset_date=AGO[30])
    services.diagnosis_create(actor=bob, patient=patient, code="F32.1", onset_date=AGO[20], is_primary=True)

    assert selectors.claim_diagnoses([patient.pk], TODAY) == {patient.pk: ["F321", "F1220", "F411"]}


def test_claim_diagnoses_carries_what_applied_on_the_day(bob: User, patient: Patient) -> None:
    services.diagnosis_create(actor=bob, patient=patient, code="F10.20", onset_date=AGO[60], is_primary=True)
    later = services.diagnosis_create(actor=bob, patient=patient, code="F32.1", onset_date=AGO[10])
    resolved = services.diagnosis_create(actor=bob, patient=patient, code="F41.1", onset_date=AGO[30])
    services.diagnosis_resolve(actor=bob, diagnosis=resolved, on=AGO[5])
    ruled_out = services.diagnosis_create(actor=bob, patient=patient, code="F14.20")
    services.diagnosis_resolve(actor=bob, diagnosis=ruled_out, outcome=DiagnosisStatus.RULED_OUT)
    wrong = services.diagnosis_create(actor=bob, patient=patient, code="F15.20")
    services.diagnosis_mark_entered_in_error(actor=bob, diagnosis=wrong, reason="Wrong chart")
    undated = services.diagnosis_create(actor=bob, patient=patient, code="F11.20")

    assert selectors.claim_diagnoses([patient.pk], AGO[20])[patient.pk] == ["F1020", "F1120", "F411"]
    assert selectors.claim_diagnoses([patient.pk], AGO[5])[patient.pk] == ["F1020", "F1120", "F321"]
    assert later.pk and undated.pk


def test_claim_diagnoses_answers_every_patient_asked_in_one_query(
    bob: User, patient: Patient, other_patient: Patient, north: Site
) -> None:
    services.diagnosis_create(actor=bob, patient=patient, code="F10.20", is_primary=True)
    services.diagnosis_create(actor=bob, patient=other_patient, code="F11.20", is_primary=True)
    services.diagnosis_create(actor=bob, patient=other_patient, code="F41.1")
    without = register(north, legal_first_name="Nobody", legal_last_name="Diagnosed")

    with CaptureQueriesContext(connection) as queries:
        found = selectors.claim_diagnoses([patient.pk, other_patient.pk, without.pk, patient.pk], TODAY)

    assert len(queries) == 1
    assert found == {patient.pk: ["F1020"], other_patient.pk: ["F1120", "F411"], without.pk: []}
    assert selectors.claim_diagnoses([], TODAY) == {}


def test_primary_diagnosis_now_and_on_an_earlier_day(bob: User, patient: Patient) -> None:
    assert selectors.primary_diagnosis(patient.pk) is None
    first = services.diagnosis_create(actor=bob, patient=patient, code="F10.20", onset_date=AGO[60], is_primary=True)
    second = services.diagnosis_create(actor=bob, patient=patient, code="F11.20", onset_date=AGO[60])
    services.diagnosis_resolve(actor=bob, diagnosis=first, on=AGO[5])
    services.diagnosis_mark_primary(actor=bob, diagnosis=second)

    now = selectors.primary_diagnosis(patient.pk)
    assert now is not None and now.pk == second.pk
    # Ten days ago the alcohol diagnosis was still the primary (it resolved since).
    back_then = selectors.primary_diagnosis(patient.pk, on=AGO[10])
    assert back_then is not None and back_then.pk == first.pk
    assert selectors.primary_diagnosis(patient.pk, on=TODAY - dt.timedelta(days=90)) is None


def test_people_see_diagnoses_at_their_sites_with_the_view_action(
    bob: User, patient: Patient, persona: Callable[..., User], south: Site
) -> None:
    services.diagnosis_create(actor=bob, patient=patient, code="F10.20", is_primary=True)
    biller = persona(RoleCode.BILLING_SPECIALIST)
    front_desk = persona(RoleCode.FRONT_DESK)
    elsewhere = persona(RoleCode.CLINICIAN, site=south)

    assert [d.code for d in selectors.patient_diagnoses(user=biller, patient=patient)] == ["F1020"]
    assert not selectors.patient_diagnoses(user=front_desk, patient=patient).exists()
    assert not selectors.patient_diagnoses(user=elsewhere, patient=patient).exists()
    header = selectors.header_primary(user=bob, patient=patient)
    assert header is not None and header.code == "F1020"
    assert selectors.header_primary(user=front_desk, patient=patient) is None


def test_the_problem_list_splits_active_closed_and_entered_in_error(bob: User, patient: Patient) -> None:
    services.diagnosis_create(actor=bob, patient=patient, code="F41.1")
    primary = services.diagnosis_create(actor=bob, patient=patient, code="F10.20", is_primary=True)
    closed = services.diagnosis_create(actor=bob, patient=patient, code="F32.1")
    services.diagnosis_resolve(actor=bob, diagnosis=closed)
    wrong = services.diagnosis_create(actor=bob, patient=patient, code="F15.20")
    services.diagnosis_mark_entered_in_error(actor=bob, diagnosis=wrong, reason="Wrong chart")

    problems = selectors.problem_list(user=bob, patient=patient)

    assert [d.code for d in problems.active] == ["F1020", "F411"]
    assert problems.primary is not None and problems.primary.pk == primary.pk
    assert [d.code for d in problems.closed] == ["F321"]
    assert [d.code for d in problems.entered_in_error] == ["F1520"]
