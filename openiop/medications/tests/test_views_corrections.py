# SPDX-License-Identifier: AGPL-3.0-or-later
"""The pages for changing a medication, entered in error, correcting a result
and deciding on the sobriety date afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.medications import corrections, selectors, services
from openiop.medications.models import DrugTestReview, Medication, SobrietyDate, Specimen, TestResult
from openiop.medications.tests.test_views import chart, dashboard_section
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
AddMedication = Callable[..., Medication]
Collect = Callable[..., Specimen]


@pytest.fixture
def login(client: Client) -> Login:
    def log_in(user: User) -> Client:
        client.force_login(user)
        return client

    return log_in


def change_post(medication: Medication, **extra: Any) -> dict[str, Any]:
    data = {
        "version": medication.version, "dose": medication.dose, "route": medication.route,
        "frequency": medication.frequency, "prescriber": medication.prescriber_id or "",
        "outside_prescriber": medication.outside_prescriber, "indication": medication.indication,
        "start_date": TODAY.isoformat(), "reason": "",
    }  # fmt: skip
    data.update(extra)
    return data


# --- Changing a medication ---------------------------------------------------------


def test_the_change_form_is_prefilled_and_saving_it_shows_the_chain_everywhere(
    login: Login, prescriber: User, patient: Patient, add_medication: AddMedication
) -> None:
    old = add_medication(patient)
    client = login(prescriber)
    url = reverse("medications:change", args=[patient.pk, old.pk])

    form = client.get(url).context["form"]
    assert {name: form.initial[name] for name in ("dose", "route", "frequency", "prescriber", "start_date")} == {
        "dose": "8 mg/2 mg", "route": "sublingual", "frequency": "once daily", "prescriber": prescriber.pk,
        "start_date": TODAY,
    }  # fmt: skip
    assert form.initial["indication"] == "Opioid use disorder"

    response = client.post(url, change_post(old, dose="16 mg/4 mg", reason="Evening cravings"), follow=True)

    new = Medication.objects.get(replaces=old)
    assert response.redirect_chain[-1][0] == reverse("medications:detail", args=[patient.pk, new.pk])
    page = response.content.decode()
    assert "Changed Buprenorphine/naloxone to 16 mg/4 mg sublingual once daily" in page
    assert "Replaces" in page and reverse("medications:detail", args=[patient.pk, old.pk]) in page
    assert "Dose and direction history" in page
    old_page = client.get(reverse("medications:detail", args=[patient.pk, old.pk])).content.decode()
    assert "Replaced by" in old_page and "Changed to 16 mg/4 mg sublingual once daily: Evening cravings" in old_page
    assert "Change dose or directions" not in old_page and "Stop this medication" not in old_page
    tab = chart(client, patient, "medications")
    assert "changed from 8 mg/2 mg sublingual once daily" in tab
    assert f"on it since {(TODAY - dt.timedelta(days=30)).isoformat()}" in tab


def test_a_bad_change_shows_a_clear_message_and_saves_nothing(
    login: Login, prescriber: User, patient: Patient, add_medication: AddMedication
) -> None:
    old = add_medication(patient)
    client = login(prescriber)
    url = reverse("medications:change", args=[patient.pk, old.pk])

    early = client.post(url, change_post(old, dose="16 mg/4 mg", start_date="2026-01-01"))
    assert "is before the current entry started (2026-02-03)" in str(early.context["form"].errors["start_date"])
    unchanged = client.post(url, change_post(old))
    assert "Nothing changed" in unchanged.content.decode()
    no_prescriber = client.post(url, change_post(old, dose="16 mg/4 mg", prescriber=""))
    assert "Choose a prescriber on staff" in str(no_prescriber.context["form"].errors["prescriber"])
    stale = client.post(url, change_post(old, dose="16 mg/4 mg", version=9))
    assert "Someone else changed this medication" in stale.content.decode()

    old.refresh_from_db()
    assert (Medication.objects.count(), old.stop_date, old.version) == (1, None, 1)


# --- Entered in error --------------------------------------------------------------


def test_an_entry_marked_in_error_is_struck_through_in_the_history_with_its_reason(
    login: Login, prescriber: User, patient: Patient, add_medication: AddMedication
) -> None:
    medication = add_medication(patient)
    client = login(prescriber)
    url = reverse("medications:in_error", args=[patient.pk, medication.pk])
    assert "no longer counts as a current medication" in client.get(url).content.decode()

    missing = client.post(url, {"version": 1, "reason": ""})
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors
    medication.refresh_from_db()
    assert medication.entered_in_error_at is None

    response = client.post(url, {"version": 1, "reason": "Recorded on the wrong patient"}, follow=True)

    page = response.content.decode()
    assert "is marked entered in error" in page
    assert "No current medications." in page
    assert "<del>Buprenorphine/naloxone 8 mg/2 mg</del>" in page
    assert "Entered in error</strong>: Recorded on the wrong patient" in page
    moud = page[page.index("MOUD/MAUD now") : page.index("Current medications")]
    assert "none" in moud and "Buprenorphine" not in moud
    detail = client.get(reverse("medications:detail", args=[patient.pk, medication.pk])).content.decode()
    assert "Marked entered in error by" in detail and "Recorded on the wrong patient" in detail
    assert "Change dose or directions" not in detail and "Stop this medication" not in detail
    assert "Add adherence note" not in detail


def test_marking_a_change_in_error_from_the_page_puts_the_previous_entry_back(
    login: Login, prescriber: User, patient: Patient, add_medication: AddMedication
) -> None:
    old = add_medication(patient)
    typo = corrections.medication_change(
        actor=prescriber, medication=old, expected_version=1, dose="160 mg/40 mg", route="sublingual",
        frequency="once daily", indication="Opioid use disorder", start_date=TODAY, prescriber=prescriber,
    )  # fmt: skip
    client = login(prescriber)
    old_page = client.get(reverse("medications:in_error", args=[patient.pk, old.pk])).content.decode()
    assert "Mark that newer entry entered in error first" in old_page

    response = client.post(
        reverse("medications:in_error", args=[patient.pk, typo.pk]), {"version": 1, "reason": "Typo"}, follow=True
    )

    assert "The entry it had replaced (8 mg/2 mg sublingual once daily) is current again." in response.content.decode()
    old.refresh_from_db()
    assert old.is_active and old.stop_date is None


def test_marking_a_buprenorphine_in_error_warns_that_its_positives_go_to_review(
    login: Login, prescriber: User, patient: Patient, add_medication: AddMedication, collect: Collect
) -> None:
    medication = add_medication(patient)
    collect(patient, days_ago=3, buprenorphine="positive")

    response = login(prescriber).post(
        reverse("medications:in_error", args=[patient.pk, medication.pk]),
        {"version": 1, "reason": "Never prescribed"},
        follow=True,
    )

    assert "now unexpected: a clinician review is pending" in response.content.decode()
    assert DrugTestReview.objects.get().drug_classes == ["buprenorphine"]


# --- Correcting a result -------------------------------------------------------------


def test_a_nurse_corrects_a_result_and_the_specimen_shows_both_versions(
    login: Login, nurse: User, bob: User, patient: Patient, collect: Collect
) -> None:
    specimen = collect(patient, cocaine="negative", opiates="negative")
    result = specimen.results.get(drug_class="cocaine")
    client = login(nurse)
    url = reverse("medications:result_correct", args=[patient.pk, specimen.pk, result.pk])
    assert url in client.get(reverse("medications:specimen", args=[patient.pk, specimen.pk])).content.decode()
    assert client.get(url).context["form"].initial == {"result": "negative", "cutoff": None}

    response = client.post(
        url, {"result": "positive", "cutoff": "150", "reason": "Read from the wrong line of the cup"}, follow=True
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("medications:specimen", args=[patient.pk, specimen.pk])
    assert "Result corrected; the original is kept and marked superseded." in page
    assert "a clinician review is pending" in page
    assert "<del>Negative</del>" in page and "Corrected: Read from the wrong line of the cup" in page
    assert DrugTestReview.objects.get().drug_classes == ["cocaine"]
    versions = client.get(url).content.decode()  # the superseded version: no form, a link to the newest
    corrected = TestResult.objects.get(supersedes=result)
    assert "This version was superseded by a correction." in versions
    assert reverse("medications:result_correct", args=[patient.pk, specimen.pk, corrected.pk]) in versions
    assert client.post(url, {"result": "invalid", "reason": "x"}).status_code == 200
    assert TestResult.objects.filter(specimen=specimen).count() == 3


def test_the_correction_form_refuses_a_missing_reason_and_an_unchanged_result(
    login: Login, nurse: User, patient: Patient, collect: Collect
) -> None:
    specimen = collect(patient, cocaine="negative")
    client = login(nurse)
    url = reverse("medications:result_correct", args=[patient.pk, specimen.pk, specimen.results.get().pk])

    missing = client.post(url, {"result": "positive", "reason": ""})
    assert "reason" in missing.context["form"].errors
    unchanged = client.post(url, {"result": "negative", "reason": "Checked"})
    assert "Nothing changed" in unchanged.content.decode()
    assert TestResult.objects.count() == 1 and not DrugTestReview.objects.exists()


def test_a_clinician_correcting_away_a_confirmed_positive_decides_on_the_sobriety_date(
    login: Login, bob: User, nurse: User, patient: Patient, collect: Collect
) -> None:
    services.sobriety_date_set(actor=bob, patient=patient, date=dt.date(2026, 1, 1), note="Intake")
    specimen = collect(patient, days_ago=4, cocaine="positive")
    review = services.review_confirm(actor=bob, review=DrugTestReview.objects.get(), note="Use confirmed")
    client = login(bob)

    response = client.post(
        reverse("medications:result_correct", args=[patient.pk, specimen.pk, specimen.results.get().pk]),
        {"result": "negative", "reason": "Laboratory amended report"},
        follow=True,
    )

    restore_url = reverse("medications:sobriety_restore", args=[patient.pk, review.pk])
    assert response.redirect_chain[-1][0] == restore_url
    page = response.content.decode()
    assert "A clinician decides whether to restore the earlier date (2026-01-01)" in page
    assert "Save decision" in page and "Laboratory amended report" in page
    assert selectors.current_sobriety_date(patient).date == specimen.collected_on  # type: ignore[union-attr]
    tab = chart(client, patient, "drug-tests")
    assert "Sobriety date to re-check (1)" in tab and restore_url in tab
    dashboard = dashboard_section(bob)
    assert dashboard is not None and restore_url in dashboard
    review_page = client.get(reverse("medications:review", args=[patient.pk, review.pk])).content.decode()
    assert "Decide whether to restore the earlier date" in review_page and restore_url in review_page

    missing = client.post(restore_url, {"decision": "restore", "note": ""})
    assert missing.status_code == 200 and "note" in missing.context["form"].errors
    saved = client.post(restore_url, {"decision": "restore", "note": "Misread; no use."}, follow=True)

    assert "Sobriety date: 2026-01-01" in saved.content.decode()
    current = selectors.current_sobriety_date(patient)
    assert current is not None and (current.date, current.source) == (
        dt.date(2026, 1, 1), SobrietyDate.Source.RESTORED,
    )  # fmt: skip
    assert "Sobriety date to re-check" not in chart(client, patient, "drug-tests")
    decided = client.get(restore_url).content.decode()
    assert "Previous sobriety date restored" in decided and "Save decision" not in decided


def test_a_nurse_correcting_away_a_confirmed_positive_leaves_the_decision_to_a_clinician(
    login: Login, bob: User, nurse: User, patient: Patient, collect: Collect
) -> None:
    services.sobriety_date_set(actor=bob, patient=patient, date=dt.date(2026, 1, 1), note="Intake")
    specimen = collect(patient, days_ago=4, cocaine="positive")
    review = services.review_confirm(actor=bob, review=DrugTestReview.objects.get(), note="Use confirmed")
    client = login(nurse)

    response = client.post(
        reverse("medications:result_correct", args=[patient.pk, specimen.pk, specimen.results.get().pk]),
        {"result": "negative", "reason": "Laboratory amended report"},
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("medications:specimen", args=[patient.pk, specimen.pk])
    assert "A clinician decides whether to restore the earlier date" in page
    assert "Restore the earlier date (2026-01-01)? A clinician decides." in page
    assert reverse("medications:sobriety_restore", args=[patient.pk, review.pk]) not in page
    assert client.get(reverse("medications:sobriety_restore", args=[patient.pk, review.pk])).status_code == 403
