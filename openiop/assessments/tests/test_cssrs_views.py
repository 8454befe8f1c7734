# SPDX-License-Identifier: AGPL-3.0-or-later
"""The C-SSRS screener on the chart's instrument form: its skip logic as the
clinician meets it, and the result page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments.models import InstrumentResult, SafetyAlert
from openiop.patients.models import Patient
from openiop.patients.services import care_team_add, episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(north: Site, bob: User) -> Patient:
    # On Bob's care team: instrument results are the care team's to read.
    patient = register(north)
    episode = episode_admit(actor=bob, patient=patient, site=north, admission_date=timezone.localdate())
    care_team_add(actor=bob, episode=episode, user=bob)
    return patient


@pytest.fixture
def bob_client(client: Client, bob: User) -> Client:
    client.force_login(bob)
    return client


def post(client: Client, patient: Patient, **answers: str) -> object:
    data = {f"item_{key.removeprefix('q')}": value for key, value in answers.items()}
    return client.post(reverse("assessments:administer", args=[patient.pk, "C-SSRS"]), data)


def test_no_to_question_2_goes_straight_to_6_and_the_skipped_questions_are_stored_as_not_asked(
    bob_client: Client, patient: Patient
) -> None:
    response = post(bob_client, patient, q1="yes", q2="no", q6="no")

    result = InstrumentResult.objects.get()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert result.answers == [True, False, None, None, None, False, None]
    assert (result.band, result.total) == ("low risk", 1)
    page = bob_client.get(reverse("assessments:result", args=[result.pk])).content.decode()
    assert page.count("Not asked") == 4 and "C-SSRS: low risk" in page


def test_a_no_marked_on_a_skipped_question_agrees_with_the_skip(bob_client: Client, patient: Patient) -> None:
    post(bob_client, patient, q1="no", q2="no", q3="no", q4="no", q5="no", q6="no")

    assert InstrumentResult.objects.get().answers == [False, False, None, None, None, False, None]


def test_a_yes_to_a_skipped_question_is_a_contradiction_named_beside_it_and_nothing_is_saved(
    bob_client: Client, patient: Patient
) -> None:
    response = post(bob_client, patient, q1="yes", q2="no", q4="yes", q6="no")

    assert response.status_code == 200  # type: ignore[attr-defined]
    errors = response.context["form"].errors  # type: ignore[attr-defined]
    assert "Item 2 is no, so item 4 is not asked" in errors["item_4"][0]
    assert not InstrumentResult.objects.exists()


def test_questions_3_to_5_are_required_after_yes_to_2_and_6b_after_yes_to_6(
    bob_client: Client, patient: Patient
) -> None:
    response = post(bob_client, patient, q1="yes", q2="yes", q6="yes")

    errors = response.context["form"].errors  # type: ignore[attr-defined]
    assert set(errors) == {"item_3", "item_4", "item_5", "item_6b"}
    assert not InstrumentResult.objects.exists()


def test_the_form_says_which_questions_are_skipped_and_when(bob_client: Client, patient: Patient) -> None:
    page = bob_client.get(reverse("assessments:administer", args=[patient.pk, "C-SSRS"])).content.decode()

    assert page.count("Not asked when item 2 is no.") == 3
    assert page.count("Not asked when item 6 is no.") == 1


def test_high_risk_raises_the_high_risk_alert_with_crisis_guidance_on_the_result(
    bob_client: Client, patient: Patient
) -> None:
    response = post(bob_client, patient, q1="yes", q2="yes", q3="yes", q4="yes", q5="no", q6="no")

    result = InstrumentResult.objects.get()
    alert = SafetyAlert.objects.get(source_result=result)
    assert alert.kind == SafetyAlert.Kind.SUICIDE_RISK_HIGH
    page = bob_client.get(response["Location"]).content.decode()  # type: ignore[index]
    assert "crisis-guidance" in page and "Do not leave the person alone" in page


def test_the_chart_tab_reads_the_c_ssrs_by_its_risk_level(bob_client: Client, patient: Patient) -> None:
    post(bob_client, patient, q1="yes", q2="no", q6="yes", q6b="no")

    page = bob_client.get(reverse("patients:chart", args=[patient.pk]), {"tab": "assessments"}).content.decode()

    assert "latest moderate risk" in page
