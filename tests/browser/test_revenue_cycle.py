# SPDX-License-Identifier: AGPL-3.0-or-later
"""The revenue cycle on the real pages (issue 12): the navigator admits an
inquiry that names the insurer; the billing specialist verifies the benefits
by phone and enters the payer's authorization; a week of attendance makes
per-diem charges that draw the authorization down, and at 80 % of its units
the alert is on the billing specialist's dashboard; the workspace lists the
charges, each held one with its reason, and passes the accessibility check.

The clock is the program's week (a Monday to the Friday after), moved with
time_machine, which the live server's thread shares."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.billing.models import Charge, ChargeKind
from openiop.billing.services import fee_schedule_create
from openiop.core.roles import RoleCode
from openiop.insurance.models import Authorization, Coverage, EligibilityCheck
from openiop.insurance.services import payer_create
from openiop.patients.models import Patient
from openiop.scheduling import services as scheduling
from openiop.scheduling.tests.pages import group, open_all_week
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)

BOSTON = ZoneInfo("America/New_York")
MONDAY = dt.date(2027, 1, 4)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]
    ]


def test_admission_benefits_authorization_and_a_week_of_attendance_draw_the_authorization_down(
    axe_page: Any, live_server: Any, persona: Callable[..., User], north: Site
) -> None:
    page = axe_page
    # Each attendance save recomputes the week's charges: allow a loaded machine its time.
    page.set_default_timeout(30_000)
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(7, 30), tzinfo=BOSTON), tick=True) as clock:
        persona(RoleCode.ADMISSIONS_NAVIGATOR, username="nina")
        biller = persona(RoleCode.BILLING_SPECIALIST, username="bea")
        carla = persona(RoleCode.CLINICIAN, username="carla")
        open_all_week(north)
        scheduling.clinician_availability_add(
            actor=None, user=carla, site=north, weekday=0, start_time=dt.time(7), end_time=dt.time(18)
        )
        aetna = payer_create(actor=None, organization=north.organization, name="Aetna", payer_id="60054")
        fee_schedule_create(
            actor=None,
            organization=north.organization,
            code="H0015",
            charge_amount="275.00",
            expected_amount="190.00",
            effective_from=MONDAY - dt.timedelta(days=30),
            payer=aetna,
        )
        # Three hours a day, Monday to Thursday: four H0015 days.
        sessions = [group(north, MONDAY + dt.timedelta(days=offset), (9, 0), (12, 0)) for offset in range(4)]

        # The navigator logs the call with the insurer and admits.
        sign_in(page, live_server.url, "nina")
        page.goto(f"{live_server.url}/admissions/")
        page.get_by_role("button", name="Log an inquiry").click()
        page.get_by_label("Caller name").fill("Tomas Diaz")
        page.get_by_label("Caller's relation to the person").select_option(label="Self")
        page.get_by_label("Person's first name").fill("Tomas")
        page.get_by_label("Person's last name").fill("Diaz")
        page.get_by_label("Person's date of birth").fill("1998-04-02")
        page.get_by_label("Phone", exact=True).fill("(617) 555-0142")
        page.locator("label[for=id_consent_to_contact]").click()
        page.get_by_label("Insurance payer").fill("Aetna")
        page.get_by_label("Insurance member ID").fill("W123456789")
        page.get_by_role("button", name="Save inquiry").click()
        page.get_by_text("Inquiry for Tomas Diaz logged.").wait_for()
        for stage in ("Pre-screen", "Benefits check"):
            page.get_by_label("Move to").select_option(label=stage)
            page.get_by_role("button", name="Move", exact=True).click()
            page.get_by_text(f"Moved to {stage}.").wait_for()
        page.get_by_role("button", name="Schedule the assessment").click()
        page.get_by_label("Clinician").select_option(label=str(carla))
        page.get_by_label("Day").fill(f"{MONDAY:%Y-%m-%d}")
        page.get_by_label("Starts").fill("08:00")
        page.get_by_label("Ends").fill("08:45")
        page.get_by_role("button", name="Book the assessment").click()
        page.get_by_role("button", name="Admit and open the episode of care").click()
        page.get_by_label("Admission date").fill(f"{MONDAY:%Y-%m-%d}")
        page.get_by_role("button", name="Admit", exact=True).click()
        patient = Patient.objects.get()
        page.wait_for_url(re.compile(rf"/patients/{patient.pk}/$"))
        coverage = Coverage.objects.get(patient=patient)
        assert (coverage.payer, coverage.member_id) == (aetna, "W123456789")
        episode = patient.episodes.get()
        for session in sessions:
            scheduling.enrol(actor=None, session=session, episode=episode)

        # The billing specialist verifies the benefits by phone and enters the authorization.
        sign_in(page, live_server.url, "bea")
        page.goto(f"{live_server.url}/patients/{patient.pk}/?tab=insurance")
        page.get_by_role("link", name="Record check").click()
        page.get_by_label("How").select_option(label="Phone call to the payer")
        page.get_by_label("Coverage active").select_option(label="Yes, active")
        page.get_by_label("Reference number").fill("CALL-5521")
        page.get_by_label("Copay per day ($)").fill("20.00")
        page.get_by_label("Authorization required").select_option(label="Yes")
        page.get_by_role("button", name="Record check").click()
        page.get_by_text("Eligibility check recorded").wait_for()
        check = EligibilityCheck.objects.get()
        assert (check.method, check.status, check.checked_by, check.reference) == (
            "phone",
            "active",
            biller,
            "CALL-5521",
        )

        page.get_by_role("link", name="Add authorization").click()
        page.get_by_label("Coverage").select_option(index=1)
        page.get_by_label("Authorization number").fill("AET-A-1001")
        page.get_by_label("Units authorized").fill("5")
        page.get_by_label("From").fill(f"{MONDAY:%Y-%m-%d}")
        page.get_by_label("To").fill(f"{MONDAY + dt.timedelta(days=27):%Y-%m-%d}")
        page.get_by_label("Next concurrent review").fill(f"{MONDAY + dt.timedelta(days=13):%Y-%m-%d}")
        page.get_by_role("button", name="Save authorization").click()
        page.get_by_text("Authorization saved.").wait_for()
        authorization = Authorization.objects.get()
        assert (authorization.units_authorized, authorization.units_used) == (5, 0)

        # Friday: the clinician records the week's attendance, session by session.
        clock.move_to(dt.datetime.combine(MONDAY + dt.timedelta(days=4), dt.time(8), tzinfo=BOSTON))
        sign_in(page, live_server.url, "carla")
        for session in sessions:
            page.goto(f"{live_server.url}{reverse('scheduling:attendance', args=[session.pk])}")
            page.wait_for_load_state("load")
            page.get_by_role("button", name="Mark all present").click()
            page.get_by_role("button", name="Save attendance").click()
            page.get_by_text("Attendance saved for 1 participant").wait_for()

        per_diem = Charge.objects.filter(patient=patient, kind=ChargeKind.PER_DIEM).exclude(status="voided")
        assert sorted(charge.service_date for charge in per_diem) == [MONDAY + dt.timedelta(days=d) for d in range(4)]
        assert {charge.authorization_id for charge in per_diem} == {authorization.pk}
        authorization.refresh_from_db()
        assert authorization.units_used == 4

        # 4 of 5 units: the alert is on the billing specialist's dashboard.
        sign_in(page, live_server.url, "bea")
        alerts = page.get_by_role("region", name="Authorizations running out")
        alerts.get_by_text("AET-A-1001").wait_for()
        assert "4 of 5 units used" in alerts.inner_text()

        # The workspace lists the week's charges; held ones say why.
        page.get_by_role("link", name="Billing", exact=True).first.click()
        page.get_by_role("heading", name="Billing workspace").wait_for()
        charges = page.get_by_role("region", name="Charges to review")
        for day in range(4):
            charges.get_by_text(f"{MONDAY + dt.timedelta(days=day):%Y-%m-%d}").first.wait_for()
        held = [charge for charge in per_diem.all() if charge.status == "held"]
        for charge in held:
            for text in charge.hold_reason_texts:
                assert text in charges.inner_text()
        assert axe_violations(page) == [], json.dumps(axe_violations(page), indent=2)
        page.get_by_role("link", name="Concurrent-review packet").first.wait_for()
