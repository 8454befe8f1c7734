# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from openiop.accounts.models import User
from openiop.assistance import arithmetic, demo
from openiop.assistance.models import (
    Award,
    FundKind,
    IncomeAttestation,
    Installment,
    PaymentPlan,
    SlidingFeeDiscount,
)
from openiop.assistance.services import fund_awarded, plan_payments
from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.ledger.models import LedgerTransaction
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def self_pay_sites(north: Site, biller: User, bob: User) -> list[Site]:
    """Four self-pay patients, each with three weeks of $275 days."""
    for number in range(4):
        person = register(north, legal_first_name=f"Self{number}", legal_last_name="Pay")
        episode = episode_admit(actor=bob, patient=person, site=north, admission_date=TODAY - dt.timedelta(days=40))
        Charge.objects.bulk_create(
            Charge(
                patient=person,
                episode=episode,
                site=north,
                service_date=TODAY - dt.timedelta(days=days_ago),
                kind=ChargeKind.PROFESSIONAL,
                code="90837",
                amount=Decimal("275.00"),
                expected_amount=Decimal("275.00"),
                status=ChargeStatus.READY,
            )
            for days_ago in range(3, 24, 3)
        )
    return [north]


def _counts() -> list[int]:
    models = (IncomeAttestation, SlidingFeeDiscount, PaymentPlan, Installment, Award, LedgerTransaction)
    return [model.objects.count() for model in models]


def test_the_demo_has_attestations_discounts_a_plan_with_a_missed_installment_and_funds(
    self_pay_sites: list[Site], mailoutbox: list[object]
) -> None:
    ticks: list[int] = []

    demo.seed_app(size="tiny", sites=self_pay_sites, rng=random.Random(4), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("tiny")
    attestations = list(IncomeAttestation.objects.order_by("pk"))
    assert len({row.discount_percent for row in attestations}) == 3  # three tiers
    due = [row for row in attestations if arithmetic.reverification_due(row.valid_until, TODAY)]
    assert len(due) == 1 and due[0].valid_until >= TODAY  # due soon, still in force
    assert {row.patient_id for row in SlidingFeeDiscount.objects.all()} == {row.patient_id for row in attestations}
    plan = PaymentPlan.objects.get()
    installments = list(plan.installments.order_by("number"))
    assert plan_payments(plan) == installments[0].amount  # the first paid
    assert installments[0].due_on < TODAY and installments[0].missed_at is None
    assert installments[1].due_on < TODAY and installments[1].missed_at is not None  # the second missed
    assert all(item.due_on > TODAY and item.missed_at is None for item in installments[2:])
    assert not mailoutbox  # no reminder due within the week
    assert not Award.objects.filter(patient=plan.patient).exists()  # the plan's balance stays owed
    funds = {award.fund for award in Award.objects.select_related("fund")}
    assert {fund.kind for fund in funds} == {FundKind.GRANT, FundKind.SCHOLARSHIP}
    assert all(Decimal(0) < fund_awarded(fund) < fund.budget for fund in funds)
    # Safe to run again.
    before = _counts()
    demo.seed_app(size="tiny", sites=self_pay_sites, rng=random.Random(4), tick=ticks.append)
    assert _counts() == before
