# SPDX-License-Identifier: AGPL-3.0-or-later
"""A withdrawal score is a withdrawal score whatever the path it came in by:
the same alert, the same flowsheet, and whoever may record one may open it."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.assessments import services
from openiop.assessments.models import InstrumentResult, SafetyAlert
from openiop.assessments.permissions import ASSESSMENT_VIEW
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.patients.services import care_team_add, episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

CIWA_17 = [4, 4, 4, 3, 2, 0, 0, 0, 0, 0]
CIWA_9 = [1] * 9 + [0]
VITALS = {
    "pulse": "92",
    "systolic": "138",
    "diastolic": "86",
    "temperature": "37.2",
    "temperature_unit": "C",
    "respiratory_rate": "16",
}


@pytest.fixture
def patient(north: Site) -> Patient:
    return register(north)


@pytest.fixture
def episode(patient: Patient, north: Site, bob: User) -> Episode:
    episode = episode_admit(actor=bob, patient=patient, site=north, admission_date=timezone.localdate())
    care_team_add(actor=bob, episode=episode, user=bob)
    return episode


def items(answers: list[int]) -> dict[str, str]:
    return {f"item_{number}": str(value) for number, value in enumerate(answers, start=1)}


def test_a_ciwa_of_17_on_the_instrument_form_raises_the_escalation_alert(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    client.force_login(bob)

    response = client.post(reverse("assessments:administer", args=[patient.pk, "CIWA-Ar"]), items(CIWA_17))

    result = InstrumentResult.objects.get()
    assert response.status_code == 302 and result.total == 17
    alert = SafetyAlert.objects.get()
    assert (alert.kind, alert.source_result) == (SafetyAlert.Kind.WITHDRAWAL_ESCALATION, result)
    assert "at or above the escalation threshold of 15" in alert.detail
    page = client.get(response["Location"]).content.decode()
    assert 'class="crisis-guidance"' in page and "escalation threshold of 15" in page


def test_the_flowsheet_lists_withdrawal_scores_from_every_path(
    client: Client, persona: Callable[..., User], bob: User, patient: Patient, episode: Episode
) -> None:
    client.force_login(bob)
    client.post(reverse("assessments:administer", args=[patient.pk, "CIWA-Ar"]), items(CIWA_17))
    nurse = persona(RoleCode.NURSE)
    care_team_add(actor=bob, episode=episode, user=nurse)  # need to know: the nurse reads the team's scores
    client.force_login(nurse)
    record = reverse("assessments:withdrawal_record", args=[patient.pk]) + "?instrument=CIWA-Ar"
    assert client.post(record, {**VITALS, **items(CIWA_9)}).status_code == 302
    services.result_record(actor=nurse, patient=patient, code="COWS", answers=[1] * 10 + [0])  # as an import would

    page = client.get(reverse("assessments:flowsheet", args=[patient.pk]))

    sheets = {sheet.code: sheet for sheet in page.context["sheets"]}
    ciwa = sheets["CIWA-Ar"].rows
    rows = [(row.result.total, row.check is None, row.escalated) for row in ciwa]
    assert rows == [(17, True, True), (9, False, False)]
    assert [row.result.total for row in sheets["COWS"].rows] == [10]
    html = page.content.decode()
    assert "Scored on the instrument form; no vital signs taken with it." in html
    assert html.count('class="escalated"') == 1


def test_a_clinician_who_may_score_a_ciwa_opens_the_flowsheet_and_scores_from_it(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    client.force_login(bob)

    page = client.get(reverse("assessments:flowsheet", args=[patient.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("assessments:administer", args=[patient.pk, "CIWA-Ar"]) in html
    # No door that answers 403: the vital-signs form is not offered to a counsellor.
    assert reverse("assessments:withdrawal_record", args=[patient.pk]) not in html


def test_a_role_that_may_record_scores_but_lost_the_view_grant_gets_the_flowsheet_back(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    clinician = Role.objects.get(code=RoleCode.CLINICIAN)
    clinician.actions.remove(clinician.actions.get(code=ASSESSMENT_VIEW))
    client.force_login(bob)
    flowsheet = reverse("assessments:flowsheet", args=[patient.pk])
    assert client.get(flowsheet).status_code == 403

    migration = importlib.import_module("openiop.assessments.migrations.0003_recorders_see_the_flowsheet")
    migration.grant_view_to_recorders(django_apps, None)

    assert client.get(flowsheet).status_code == 200
    billing = Role.objects.get(code=RoleCode.BILLING_SPECIALIST)
    assert not billing.actions.filter(code=ASSESSMENT_VIEW).exists(), "roles that record nothing gain nothing"
