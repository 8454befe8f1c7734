# SPDX-License-Identifier: AGPL-3.0-or-later
"""In a real browser: a navigator takes an insured caller through the
structured pre-screen and benefits check, books the assessment with a
clinician, time and room, and admits: one form opens the episode of care, and
the chart shows an active episode with the inquiry's substances, insurer,
member ID, referral source and consent to contact carried over. The new
pages are checked with axe-core (WCAG 2.1 A/AA) under the real
Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.admissions import services
from openiop.admissions.models import Inquiry, ReferralSource
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.scheduling.models import ClinicianAvailability
from openiop.sites.models import OpeningHours, Room, Site
from tests.browser.test_public_a11y import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def move(page: Any, to_stage: str) -> None:
    page.get_by_label("Move to").select_option(label=to_stage)
    page.get_by_role("button", name="Move", exact=True).click()
    page.get_by_text(f"Moved to {to_stage}.").wait_for()


def test_a_navigator_admits_an_insured_inquiry_into_an_active_episode(
    axe_page: Any, live_server: Any, persona: Callable[..., User], north: Site
) -> None:
    page = axe_page
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR, username="nina")
    clinician = persona(RoleCode.CLINICIAN, username="cleo")
    nurse = persona(RoleCode.NURSE, username="nate")
    # Open, and the clinician available, every day, so tomorrow can be booked whatever today is.
    for weekday in range(7):
        OpeningHours.objects.get_or_create(
            site=north, weekday=weekday, defaults={"opens": dt.time(8), "closes": dt.time(20)}
        )
        ClinicianAvailability.objects.create(
            user=clinician, site=north, weekday=weekday, start_time=dt.time(9), end_time=dt.time(17)
        )
    source = ReferralSource.objects.create(name="Mercy General emergency department", kind="hospital")
    inquiry = services.inquiry_create(
        actor=navigator, site=north, caller_name="Rosa Diaz", caller_relation="parent", first_name="Tomas",
        last_name="Diaz", birth_date=dt.date(1998, 4, 2), phone="(617) 555-0142", consent_to_contact=True,
        substances=["alcohol", "opioids"], urgency="soon", referral_source=source,
    )  # fmt: skip

    sign_in(page, live_server.url, "nina")
    page.get_by_role("heading", name="Welcome, ", exact=False).wait_for()
    page.goto(f"{live_server.url}/admissions/{inquiry.pk}/")
    move(page, "Pre-screen")

    page.get_by_role("button", name="Record the pre-screen").click()
    page.get_by_role("heading", name="Pre-screen: Tomas Diaz").wait_for()
    assert_accessible(page)
    page.get_by_label("Date of last use").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    for question in ("screen_medical_emergency", "screen_suicidal_thoughts", "screen_severe_withdrawal"):
        page.locator(f"input[name={question}][value=False]").check()
    page.get_by_label("Pregnant").select_option(label="Not applicable")
    page.get_by_label("Current treatment and medications").fill("None")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Pre-screen saved. No answer needs escalating.").wait_for()
    move(page, "Benefits check")

    page.get_by_role("button", name="Record the benefits check").click()
    page.get_by_role("heading", name="Benefits check: Tomas Diaz").wait_for()
    assert_accessible(page)
    page.get_by_label("Payer (insurer)").fill("Aetna")
    page.get_by_label("Plan").fill("HMO")
    page.get_by_label("Member ID").fill("W 123")  # a space: payers refuse it
    page.get_by_role("button", name="Save").click()
    page.get_by_text("A member ID has 2 to 80 letters, digits or hyphens").wait_for()
    page.get_by_label("Member ID").fill("W123-456")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Benefits check saved.").wait_for()

    page.get_by_role("button", name="Schedule the assessment").click()
    page.get_by_role("heading", name="Schedule the assessment: Tomas Diaz").wait_for()
    assert_accessible(page)
    page.get_by_label("Clinician").select_option(value=str(clinician.pk))
    page.get_by_label("Day").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("11:00")
    page.get_by_label("Room").select_option(value=str(Room.objects.get(site=north).pk))
    page.get_by_role("button", name="Book the assessment").click()
    page.get_by_text("Assessment booked.").wait_for()
    page.get_by_test_id("assessment-booking").get_by_text("Group room").wait_for()

    page.get_by_role("button", name="Admit and open the episode of care").click()
    page.get_by_role("heading", name="Admit and open the episode of care: Tomas Diaz").wait_for()
    page.get_by_text("Carried over from the inquiry").wait_for()
    assert_accessible(page)
    page.get_by_label("Level of care").select_option(value="2.1")
    page.get_by_label("Program").select_option(label="Adult IOP")
    page.get_by_label("Primary counselor").select_option(value=str(clinician.pk))
    page.locator(f"input[name=care_team][value='{nurse.pk}']").check()
    page.get_by_role("button", name="Admit", exact=True).click()

    patient = Patient.objects.get()
    page.wait_for_url(re.compile(rf"/patients/{patient.pk}/$"))
    page.get_by_text(f"Admitted: chart {patient.mrn} with an active episode of care").wait_for()
    panel = page.get_by_test_id("chart-admission")
    for carried in ("Adult IOP", "Active", "Alcohol", "Opioids", "Aetna", "W123-456", "Mercy General", "Yes"):
        panel.get_by_text(carried, exact=False).first.wait_for()
    assert_accessible(page)

    episode = Episode.objects.get(patient=patient)
    inquiry = Inquiry.objects.get()
    assert (episode.status, episode.level_of_care, episode.primary_counsellor) == ("active", "2.1", clinician)
    assert set(episode.care_team.all()) == {clinician, nurse}
    assert (inquiry.stage, inquiry.patient, inquiry.episode) == ("admitted", patient, episode)
    assert (inquiry.insurance_payer, inquiry.insurance_member_id) == ("Aetna", "W123-456")
