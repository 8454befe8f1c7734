# SPDX-License-Identifier: AGPL-3.0-or-later
"""On the real pages: a prescriber changes a buprenorphine dose, then finds the
change was mistyped and marks it entered in error; a clinician corrects a
misread cup whose positive had reset the sobriety date and restores the date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.medications import selectors, services
from openiop.medications.models import DrugTestReview, Medication, SobrietyDate
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=f"Sign out {username}").wait_for()


@pytest.fixture
def patient(north: Site, persona: Callable[..., User]) -> Patient:
    clinician = persona(RoleCode.CLINICIAN, username="carla")
    # These flows are about corrections; who may reach the record under need to
    # know is tested in openiop/treatment/tests/test_need_to_know.py.
    north.organization.need_to_know = False
    north.organization.save(update_fields=["need_to_know"])
    person = register(north, legal_first_name="Tom", legal_last_name="Diaz")
    episode_admit(
        actor=clinician, patient=person, site=north, admission_date=timezone.localdate() - dt.timedelta(days=40)
    )
    return person


def test_a_prescriber_changes_a_dose_then_marks_the_mistyped_change_entered_in_error(
    page: Any, live_server: Any, persona: Callable[..., User], patient: Patient
) -> None:
    prescriber = persona(RoleCode.PRESCRIBER, username="priya")
    today = timezone.localdate()
    old = services.medication_add(
        actor=prescriber, patient=patient, catalogue_code="buprenorphine_naloxone", name="Buprenorphine/naloxone",
        dose="8 mg/2 mg", route="sublingual", frequency="once daily", indication="Opioid use disorder",
        prescriber=prescriber, start_date=today - dt.timedelta(days=30),
    )  # fmt: skip
    sign_in(page, live_server.url, "priya")

    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=medications")
    page.get_by_role("link", name="Buprenorphine/naloxone").click()
    page.get_by_role("button", name="Change dose or directions").click()
    assert page.get_by_label("Dose").input_value() == "8 mg/2 mg"
    assert page.get_by_label("Takes effect on").input_value() == today.isoformat()
    page.get_by_label("Dose").fill("160 mg/40 mg")
    page.get_by_label("Why (optional)").fill("Evening cravings")
    page.get_by_role("button", name="Save the change").click()

    page.get_by_text("Changed Buprenorphine/naloxone to 160 mg/40 mg sublingual once daily").wait_for()
    page.get_by_role("heading", name="Dose and direction history").wait_for()
    typo = Medication.objects.get(replaces=old)
    assert page.url.endswith(f"/medications/{typo.pk}/")

    page.get_by_role("button", name="Entered in error").click()
    page.get_by_role("button", name="Mark entered in error").click()
    page.get_by_text("This field is required.").wait_for()  # no reason, nothing saved
    page.get_by_label("What was wrong with this entry").fill("Typed 160 for 16")
    page.get_by_role("button", name="Mark entered in error").click()

    page.wait_for_url(re.compile(rf"/patients/{patient.pk}/\?tab=medications$"))
    page.get_by_text("The entry it had replaced (8 mg/2 mg sublingual once daily) is current again.").wait_for()
    page.get_by_text("History: 1 stopped, changed or erroneous entry").click()
    struck = page.locator(".med-history del")
    assert struck.inner_text() == "Buprenorphine/naloxone 160 mg/40 mg"
    old.refresh_from_db()
    typo.refresh_from_db()
    assert old.stop_date is None and typo.entered_in_error_reason == "Typed 160 for 16"


def test_a_clinician_corrects_a_misread_cup_and_restores_the_sobriety_date(
    page: Any, live_server: Any, persona: Callable[..., User], patient: Patient
) -> None:
    clinician = User.objects.get(username="carla")
    nurse = persona(RoleCode.NURSE, username="nadia")
    today = timezone.localdate()
    services.sobriety_date_set(actor=clinician, patient=patient, date=today - dt.timedelta(days=50), note="Intake")
    specimen = services.specimen_record(
        actor=nurse, patient=patient, site=patient.site, specimen_type="urine",
        collected_at=timezone.now() - dt.timedelta(days=2), observed=True, collected_by=nurse,
        presumptive=[services.ResultEntry("cocaine", "positive")],
    )  # fmt: skip
    review = services.review_confirm(actor=clinician, review=DrugTestReview.objects.get(), note="Use confirmed")
    sign_in(page, live_server.url, "carla")

    page.goto(f"{live_server.url}/patients/{patient.pk}/drug-tests/{specimen.pk}/")
    page.get_by_role("link", name="Correct this result").click()
    page.get_by_label("Corrected result").select_option(label="Negative")
    page.get_by_label("Why is it corrected").fill("Read from the wrong line of the cup")
    page.get_by_role("button", name="Save the correction").click()

    page.get_by_role("heading", name="Sobriety date after a corrected result").wait_for()
    page.get_by_text("A clinician decides whether to restore the earlier date").wait_for()
    assert selectors.current_sobriety_date(patient).date == specimen.collected_on  # type: ignore[union-attr]
    page.get_by_label("Restore the sobriety date from before the reset").check()
    page.get_by_label("Note").fill("Misread cup; no use.")
    page.get_by_role("button", name="Save decision").click()

    page.get_by_text(f"Saved. Sobriety date: {(today - dt.timedelta(days=50)).isoformat()}.").wait_for()
    current = selectors.current_sobriety_date(patient)
    assert current is not None and current.source == SobrietyDate.Source.RESTORED and current.review == review
