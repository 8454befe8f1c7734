# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rows for the ledger tests: an insured patient with two claims answered by
the claims app's sample 835 (paid, CO written off, PR moved to the patient),
and a self-pay charge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.claims.models import Claim
from openiop.claims.services_answers import post_remittance_file
from openiop.claims.tests.builders import billing_ready, make_patient, make_payer, sent_claim
from openiop.insurance.models import Payer
from openiop.patients.models import Episode
from openiop.sites.models import Site

NOW = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)
JAN = dt.date(2026, 1, 1)
SAMPLES = Path(__file__).resolve().parents[2] / "x12" / "samples"


def january(day: int, count: int = 1) -> list[dt.date]:
    return [JAN + dt.timedelta(days=day - 1 + n) for n in range(count)]


def self_pay_charge(episode: Episode, day: dt.date, amount: str = "100.00") -> Charge:
    return Charge.objects.create(
        patient=episode.patient,
        episode=episode,
        site=episode.site,
        service_date=day,
        kind=ChargeKind.PROFESSIONAL,
        code="90837",
        amount=Decimal(amount),
        status=ChargeStatus.READY,
    )


@dataclass
class Account:
    episode: Episode
    payer: Payer
    institutional: Claim | None = None
    professional: Claim | None = None


def self_pay_account(site: Site) -> Account:
    """The cheap account for the services' checks: a patient owing a 295.00
    self-pay charge, and a payer (owed nothing) to adjust against."""
    from openiop.scheduling.tests.pages import admitted

    payer = make_payer(site, payer_id="SHP01")
    episode = admitted(site, "Alex", "Rivera")
    self_pay_charge(episode, january(10)[0], "295.00")
    return Account(episode, payer)


def insured_account(site: Site) -> Account:
    """750.00 (three per-diem days) and 180.00 billed to the payer, a 100.00
    self-pay charge on 2026-01-10, and the sample 835 of 2026-01-22: 435.00 +
    120.00 paid, 150.00 + 30.00 written off (CO), 165.00 + 30.00 moved to the
    patient (PR). The patient owes 295.00, the payer nothing."""
    site = billing_ready(site)
    payer = make_payer(site, payer_id="SHP01")
    episode = make_patient(site, payer)
    institutional = sent_claim(episode, "IOP1002", january(12, 3))
    professional = sent_claim(episode, "PRO2001", january(13, 1), amount="180.00", professional=True)
    self_pay_charge(episode, january(10)[0])
    post_remittance_file("835_partially_paid.x12", (SAMPLES / "835_partially_paid.x12").read_text())
    return Account(episode, payer, institutional, professional)
