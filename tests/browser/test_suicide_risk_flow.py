# SPDX-License-Identifier: AGPL-3.0-or-later
"""In a real browser: a clinician screens with the C-SSRS, a high-risk answer
raises the alert with its crisis guidance, and the result opens a safety plan
(988 already in step 5) that is saved and printed. Then an allergy is added
and shows on the chart overview. Every page is checked with axe-core (WCAG
2.1 A/AA) under the real Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openiop.accounts.services import staff_create
from openiop.assessments.models import SafetyAlert, SafetyPlanVersion
from openiop.core.roles import RoleCode
from openiop.patients.models import Allergy
from openiop.patients.services import care_team_add, episode_admit, patient_register
from openiop.sites.models import Organization, Site
from tests.browser.test_public_a11y import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-browser-test-password"

PLAN = {
    "1. Warning signs": "Not sleeping\nStaying in my room",
    "2. Internal coping strategies": "Walk the dog",
    "3. People and social settings that provide distraction": "Coffee with Ana",
    "4. People to ask for help": "My sister Rosa 617-555-0101",
    "6. Making the environment safe": "Rosa keeps my medicines",
    "Reasons for living": "My daughter",
}


@pytest.fixture
def clinic(transactional_db: None) -> dict[str, Any]:
    organization = Organization.objects.create(name="Browser Test Recovery", mrn_prefix="BT")
    site = Site.objects.create(
        organization=organization,
        code="bt",
        name="Browser Test Site",
        street="1 Main Street",
        city="Boston",
        state="MA",
        zip_code="02108",
        time_zone="America/New_York",
    )
    clinician = staff_create(
        username="carla",
        password=PASSWORD,
        first_name="Carla",
        last_name="Clinician",
        email="carla@example.invalid",
        role_codes=[RoleCode.CLINICIAN],
        sites=[site],
    )
    patient = patient_register(
        site=site, legal_first_name="Jamie", legal_last_name="Rivera", birth_date=dt.date(1990, 5, 1)
    )
    episode = episode_admit(actor=clinician, patient=patient, site=site, admission_date=dt.date.today())
    care_team_add(actor=clinician, episode=episode, user=clinician)
    return {"patient": patient}


def test_a_high_risk_c_ssrs_raises_the_alert_and_opens_the_safety_plan(
    axe_page: Any, live_server: Any, clinic: dict[str, Any]
) -> None:
    page = axe_page
    patient = clinic["patient"]
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=assessments")

    page.get_by_text("Administer an instrument").click()
    page.get_by_role("link", name="C-SSRS", exact=True).click()
    page.get_by_role("heading", name="C-SSRS").wait_for()
    assert_accessible(page)
    # The skip logic on the page: no to 2 hides 3-5 (and clears them), yes shows them again.
    page.locator('input[name="item_2"][value="no"]').check()
    assert page.locator('fieldset[data-skip-when="item_2=no"]').evaluate_all("(sets) => sets.every((s) => s.hidden)")
    assert page.locator('fieldset[data-skip-when="item_2=no"]').count() == 3
    page.locator('input[name="item_2"][value="yes"]').check()
    assert page.locator('input[name="item_3"]').first.is_visible()
    # Thoughts with a method and some intention to act: high risk. 6: no, so 6b is skipped.
    for key, answer in {"1": "yes", "2": "yes", "3": "yes", "4": "yes", "5": "no", "6": "no"}.items():
        page.locator(f'input[name="item_{key}"][value="{answer}"]').check()
    assert not page.locator('input[name="item_6b"]').first.is_visible()
    page.get_by_role("button", name="Score and save").click()

    page.get_by_role("heading", name="C-SSRS: high risk").wait_for()
    assert page.locator(".crisis-guidance").is_visible()
    assert "Do not leave the person alone" in page.locator(".alert-card").inner_text()
    alert = SafetyAlert.objects.get(patient=patient)
    assert alert.kind == SafetyAlert.Kind.SUICIDE_RISK_HIGH and alert.is_open
    assert_accessible(page)

    page.get_by_role("button", name="Start a safety plan").click()
    page.get_by_role("heading", name="Start a safety plan").wait_for()
    crisis = page.get_by_label("5. Professionals or agencies to contact in a crisis")
    assert "988" in crisis.input_value() and "911" in crisis.input_value()
    assert_accessible(page)
    for label, text in PLAN.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Save the plan").click()

    page.get_by_text("Safety plan version 1 saved.").wait_for()
    version = SafetyPlanVersion.objects.get()
    assert version.source_result == alert.source_result and version.reasons_for_living == "My daughter"
    assert_accessible(page)

    page.get_by_role("button", name="Printable copy for the patient").click()
    page.get_by_role("heading", name="My safety plan · Jamie Rivera").wait_for()
    printed = page.locator("article.printable-safety-plan").inner_text()
    assert "Call or text 988" in printed and "call 911" in printed and "Rosa keeps my medicines" in printed
    assert_accessible(page)

    page.goto(f"{live_server.url}/patients/{patient.pk}/allergies/add/")
    page.get_by_label("Substance").fill("Penicillin")
    page.get_by_label("Reaction").fill("hives")
    page.get_by_label("Severe (for example anaphylaxis)").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Penicillin added to the allergy list.").wait_for()
    assert Allergy.objects.get().severity == "severe"
    assert_accessible(page)

    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    assert "Penicillin (hives, severe" in page.locator("[data-allergies]").inner_text()
    assert_accessible(page)
