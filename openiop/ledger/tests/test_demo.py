# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from openiop.accounts.models import User
from openiop.billing.models import Charge, ChargeStatus
from openiop.core.roles import RoleCode
from openiop.ledger import demo
from openiop.ledger.models import LedgerTransaction, PaymentMethod, TransactionKind
from openiop.ledger.selectors import patient_balance, patient_balances
from openiop.ledger.services import transaction_post
from openiop.ledger.tests.builders import insured_account, january, self_pay_charge
from openiop.patients.models import Patient
from openiop.scheduling.tests.pages import admitted
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def _void(charge: Charge) -> None:
    Charge.objects.filter(pk=charge.pk).update(
        status=ChargeStatus.VOIDED, voided_at=timezone.now(), void_reason="Entered twice."
    )


@pytest.fixture
def accounts(persona: Callable[..., User], north: Site) -> list[Site]:
    """Six self-pay patients, one who owes only the share the payer moved to
    them (PR), and one with a credit: paid, then the charge was voided."""
    persona(RoleCode.BILLING_SPECIALIST, site=north)
    for number in range(6):
        self_pay_charge(admitted(north, f"Self{number}", "Pay"), january(10)[0], "2000.00")
    insured = insured_account(north)
    _void(Charge.objects.get(patient=insured.episode.patient, payer__isnull=True))
    overpaid = admitted(north, "Over", "Paid")
    charge = self_pay_charge(overpaid, january(11)[0], "120.00")
    transaction_post(
        actor=None,
        patient=overpaid.patient,
        kind=TransactionKind.PATIENT_PAYMENT,
        amount=Decimal("120.00"),
        method=PaymentMethod.CASH,
    )
    _void(charge)
    return [north]


def test_the_demo_posts_payments_financing_an_adjustment_a_reversal_and_a_refund(accounts: list[Site]) -> None:
    ticks: list[int] = []
    before = patient_balances(Patient.objects.values_list("pk", flat=True))

    demo.seed_app(size="tiny", sites=accounts, rng=random.Random(3), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("tiny")
    rows = LedgerTransaction.objects.all()
    payments = rows.filter(kind=TransactionKind.PATIENT_PAYMENT, reverses__isnull=True)
    methods = set(payments.values_list("method", flat=True))
    assert {PaymentMethod.CASH, PaymentMethod.CHECK, PaymentMethod.CARD} <= methods
    assert not payments.filter(method__in=[PaymentMethod.CHECK, PaymentMethod.CARD], reference="").exists()
    financing = rows.filter(kind=TransactionKind.FINANCING)
    assert financing and all(row.method == PaymentMethod.LENDER and row.reference for row in financing)
    assert rows.filter(kind=TransactionKind.ADJUSTMENT).exists()
    reversals = rows.filter(reverses__isnull=False).select_related("reverses")
    assert reversals and all(row.reverses and row.reverses.method == PaymentMethod.CARD for row in reversals)
    refund = rows.get(kind=TransactionKind.REFUND)
    assert refund.patient.legal_first_name == "Over" and patient_balance(refund.patient_id) == 0
    # The patient who owed only their payer's PR share paid it by card.
    pr_payment = payments.get(patient__legal_first_name="Alex")
    assert pr_payment.method == PaymentMethod.CARD and patient_balance(pr_payment.patient_id) == 0
    # The first three self-pay patients are left whole for the ways-to-pay demo.
    after = patient_balances(before)
    untouched = [p.pk for p in Patient.objects.filter(legal_last_name="Pay").order_by("pk")[:3]]
    assert all(after[pk] == before[pk] == Decimal("2000.00") for pk in untouched)
    # Safe to run again.
    count = rows.count()
    demo.seed_app(size="tiny", sites=accounts, rng=random.Random(3), tick=ticks.append)
    assert LedgerTransaction.objects.count() == count
