# SPDX-License-Identifier: AGPL-3.0-or-later
"""A clinician completes PHQ-9 and CIWA-Ar and runs placement in a real browser:
IOP is recommended with its reasons, and the decision is recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openiop.accounts.services import staff_create
from openiop.assessments import placement
from openiop.assessments.models import InstrumentResult, PlacementAssessment
from openiop.core.roles import RoleCode
from openiop.patients.services import episode_admit, patient_register
from openiop.sites.models import Organization, Site

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-browser-test-password"


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
        site=site,
        legal_first_name="Jamie",
        legal_last_name="Rivera",
        birth_date=dt.date(1990, 5, 1),
        sex_at_birth="male",
    )
    episode_admit(actor=clinician, patient=patient, site=site, admission_date=dt.date.today())
    return {"patient": patient}


def answer_all(page: Any, values: dict[str, str]) -> None:
    for key, value in values.items():
        page.locator(f'input[name="item_{key}"][value="{value}"]').check()


def test_a_clinician_scores_phq9_and_ciwa_then_records_an_iop_placement(
    page: Any, live_server: Any, clinic: dict[str, Any]
) -> None:
    patient = clinic["patient"]
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=assessments")

    # PHQ-9: moderate depression, item 9 answered 0, so no alert.
    page.get_by_text("Administer an instrument").click()
    page.get_by_role("link", name="PHQ-9", exact=True).click()
    answer_all(page, {"1": "2", "2": "2", "3": "1", "4": "2", "5": "1", "6": "1", "7": "1", "8": "1", "9": "0"})
    page.get_by_role("button", name="Score and save").click()
    page.get_by_role("heading", name="PHQ-9: 11 (moderate)").wait_for()
    assert page.locator(".crisis-guidance").count() == 0

    # CIWA-Ar: mild withdrawal.
    page.goto(f"{live_server.url}/assessments/patient/{patient.pk}/instrument/CIWA-Ar/")
    answer_all(page, {str(n): "1" for n in range(1, 10)} | {"10": "0"})
    page.get_by_role("button", name="Score and save").click()
    page.get_by_role("heading", name="CIWA-Ar: 9 (minimal/mild)").wait_for()

    # Placement: ratings are pre-suggested from the results; the clinician completes them.
    page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=assessments")
    page.get_by_role("button", name="Level-of-care placement").click()
    page.get_by_role("heading", name="Level-of-care placement").wait_for()
    for number, rating in {1: "1", 2: "0", 3: "2", 4: "2", 5: "2", 6: "1"}.items():
        page.locator(f'input[name="d{number}_rating"][value="{rating}"]').check()
    for factor in placement.FIT_FACTORS:
        page.locator(f'input[name="fit_{factor.code}"][value="{"yes" if factor.favours_iop_when else "no"}"]').check()
    page.get_by_role("button", name="Show the recommendation").click()

    page.get_by_role("heading", name="Recommendation: 2.1 Intensive outpatient").wait_for()
    run = PlacementAssessment.objects.get()
    reasons = page.locator("ol.reasons li")
    assert reasons.count() == len(run.reasons) >= 1
    assert run.reasons[0]["text"] in reasons.first.inner_text()

    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Placement decision recorded.").wait_for()
    run.refresh_from_db()
    assert run.decided_level == "2.1" and run.decided_by.username == "carla" and not run.differs
    assert InstrumentResult.objects.filter(patient=patient).count() == 2
