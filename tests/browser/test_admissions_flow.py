# SPDX-License-Identifier: AGPL-3.0-or-later
"""An admissions navigator takes a caller's inquiry from new to admitted on
the real pages; admitting registers the patient, opens the episode of care
and their chart."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.admissions.models import Inquiry, ReferralSource
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.scheduling.models import ClinicianAvailability
from openiop.sites.models import OpeningHours, Site

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def move(page: Any, to_stage: str) -> None:
    page.get_by_label("Move to").select_option(label=to_stage)
    page.get_by_role("button", name="Move", exact=True).click()


def test_a_navigator_takes_an_inquiry_from_new_to_admitted_and_lands_on_the_chart(
    page: Any, live_server: Any, persona: Callable[..., User], north: Site
) -> None:
    persona(RoleCode.ADMISSIONS_NAVIGATOR, username="nina")
    clinician = persona(RoleCode.CLINICIAN, username="cleo")
    for weekday in range(7):
        OpeningHours.objects.get_or_create(
            site=north, weekday=weekday, defaults={"opens": dt.time(8), "closes": dt.time(20)}
        )
        ClinicianAvailability.objects.create(
            user=clinician, site=north, weekday=weekday, start_time=dt.time(9), end_time=dt.time(17)
        )
    ReferralSource.objects.create(name="Mercy General emergency department", kind="hospital")
    sign_in(page, live_server.url, "nina")
    page.get_by_role("heading", name="Welcome, ", exact=False).wait_for()

    page.goto(f"{live_server.url}/admissions/")
    page.get_by_role("heading", name="Admissions board").wait_for()
    page.get_by_role("button", name="Log an inquiry").click()

    # The caller is the person's mother, phoning the helpline.
    page.get_by_label("Caller name").fill("Rosa Diaz")
    page.get_by_label("Caller's relation to the person").select_option(label="Parent or guardian")
    page.get_by_label("Person's first name").fill("Tomas")
    page.get_by_label("Person's last name").fill("Diaz")
    page.get_by_label("Person's date of birth").fill("1998-04-02")
    page.get_by_label("Phone", exact=True).fill("(617) 555-0142")
    # The label, as people click it (Pico pulls the help text up over the box itself).
    page.locator("label[for=id_consent_to_contact]").click()
    assert page.get_by_label("Consents to be contacted").is_checked()
    page.get_by_label("Alcohol").check()
    page.get_by_label("Opioids").check()
    page.get_by_label("Urgency").select_option(label="Soon (within a few days)")
    page.get_by_label("Insurance payer").fill("Aetna")
    page.get_by_label("Referral source").select_option(label="Mercy General emergency department")
    page.get_by_role("button", name="Save inquiry").click()

    page.get_by_role("heading", name="Tomas Diaz New").wait_for()
    page.get_by_text("Inquiry for Tomas Diaz logged.").wait_for()

    for stage in ("Pre-screen", "Benefits check"):
        move(page, stage)
        page.get_by_text(f"Moved to {stage}.").wait_for()
        page.get_by_role("heading", name=f"Tomas Diaz {stage}").wait_for()

    # Booking the assessment and admitting have forms of their own
    # (tests/browser/test_admission_episode.py walks them field by field).
    page.get_by_role("button", name="Schedule the assessment").click()
    page.get_by_label("Clinician").select_option(value=str(clinician.pk))
    page.get_by_label("Day").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("11:00")
    page.get_by_role("button", name="Book the assessment").click()
    page.get_by_role("heading", name="Tomas Diaz Assessment scheduled").wait_for()
    page.get_by_role("button", name="Admit and open the episode of care").click()
    page.get_by_role("button", name="Admit", exact=True).click()

    patient = Patient.objects.get()
    page.wait_for_url(re.compile(rf"/patients/{patient.pk}/$"))
    # The patient banner heads the chart: the name, then the MRN among its facts.
    page.get_by_role("heading", name="Tomas Diaz", exact=True).wait_for()
    page.locator(".banner-fact", has_text=patient.mrn).first.wait_for()
    page.get_by_text(f"Admitted: chart {patient.mrn} with an active episode of care").wait_for()
    inquiry = Inquiry.objects.get()
    assert (inquiry.stage, inquiry.patient) == ("admitted", patient)
    assert [change.to_stage for change in inquiry.stage_changes.all()] == [
        "new", "pre_screen", "benefits_check", "assessment_scheduled", "admitted",
    ]  # fmt: skip
    assert {change.by.username for change in inquiry.stage_changes.all()} == {"nina"}
    assert (patient.legal_first_name, patient.birth_date.isoformat(), patient.phone) == (
        "Tomas", "1998-04-02", "(617) 555-0142",
    )  # fmt: skip
