# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims on the real pages (issue 13): the billing specialist builds the
week's claims and sees their file in the outbox, imports the payer's
835 denying the claim (no authorization on file, CO-197), works the denial
with a corrected claim, imports the 835 that pays it with a coinsurance
share, and the patient's Account tab shows what the patient now owes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.claims.demo_answers import Remit, remittance_835
from openiop.claims.models import Claim, ClaimStatus
from openiop.claims.tests.builders import authorize, billing_ready, make_patient, make_payer, week_of_days
from openiop.core.roles import RoleCode
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()


def import_835(page: Any, base_url: str, path: Path) -> None:
    page.goto(f"{base_url}{reverse('claims:import')}")
    page.get_by_label("999, 277CA or 835 file").set_input_files(str(path))
    page.get_by_role("button", name="Import the file").click()


def test_build_export_deny_correct_and_the_account_shows_the_patients_share(
    page: Any,
    live_server: Any,
    persona: Callable[..., User],
    north: Site,
    settings: Any,
    tmp_path: Path,
) -> None:
    page.set_default_timeout(30_000)
    settings.OPENIOP_CLEARINGHOUSE_DIR = tmp_path / "clearinghouse"
    persona(RoleCode.BILLING_SPECIALIST, username="bea")
    site = billing_ready(north)
    episode = make_patient(site, make_payer(site, "Harbor Health", payer_id="HARB1"))
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7)
    authorize(episode, start_date=monday - dt.timedelta(days=7), end_date=monday + dt.timedelta(days=30))
    week_of_days(episode, monday, days=3)  # three H0015 days at $250

    # Build the week's claims and find their file in the outbox.
    sign_in(page, live_server.url, "bea")
    page.goto(f"{live_server.url}{reverse('claims:list')}")
    page.get_by_label("One claim per patient and").select_option("week")
    page.get_by_role("button", name="Build claims").click()
    page.get_by_text(re.compile(r"1 claim\(s\) in the outbox \(837I-HARB1-")).wait_for()
    claim = Claim.objects.get()
    page.get_by_role("cell", name=claim.file_name).wait_for()
    sent = settings.OPENIOP_CLEARINGHOUSE_DIR / "outbox" / claim.file_name
    assert f"CLM*{claim.patient_control_number}*750" in sent.read_text()

    # The payer denies it: no authorization on file (CO-197).
    denial = tmp_path / "835-denial.x12"
    denial.write_text(
        remittance_835(
            [Remit(claim, "4", Decimal(0), (("CO", "197", Decimal(750)),), "HARB-0001")],
            number=501,
            created=timezone.now(),
        )
    )
    import_835(page, live_server.url, denial)
    page.get_by_text("835-denial.x12: 1 claim payment(s) posted.").wait_for()
    page.wait_for_url(re.compile(r"/claims/denials/$"))
    row = page.get_by_role("row").filter(has_text=claim.patient_control_number)
    row.get_by_text(re.compile("authorization", re.I)).first.wait_for()

    # Work the denial: the authorization was on file, so send a corrected claim.
    row.get_by_role("link", name="Correct or void").click()
    page.get_by_label(re.compile("A corrected claim")).check()
    page.get_by_role("button", name="Write it to the outbox").click()
    page.get_by_text(re.compile(r"Claim \S+ is in the outbox\.")).wait_for()
    corrected = Claim.objects.get(replaces=claim)
    assert (corrected.frequency, corrected.status) == ("7", ClaimStatus.BUILT)

    # The payer pays the corrected claim: $600, $100 over the fee schedule, $50 coinsurance.
    payment = tmp_path / "835-paid.x12"
    adjustments = (("CO", "45", Decimal(100)), ("PR", "2", Decimal(50)))
    payment.write_text(
        remittance_835(
            [Remit(corrected, "1", Decimal(600), adjustments, "HARB-0002")], number=502, created=timezone.now()
        )
    )
    import_835(page, live_server.url, payment)
    page.get_by_text("835-paid.x12: 1 claim payment(s) posted.").wait_for()
    corrected.refresh_from_db()
    assert (corrected.status, corrected.paid, corrected.patient_responsibility) == (
        "partial",
        Decimal(600),
        Decimal(50),
    )

    # The Account tab: the patient owes the coinsurance.
    page.goto(f"{live_server.url}{reverse('ledger:account', kwargs={'patient_pk': episode.patient_id})}")
    assert page.get_by_test_id("patient-balance").inner_text() == "$50.00"
