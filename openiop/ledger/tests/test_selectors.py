# SPDX-License-Identifier: AGPL-3.0-or-later
"""Balances from real rows: charges, an 835 with paid, CO and PR, a payer's
reversal, patient payments, financing, refunds and reversals; the database's
aggregate agrees with the ledger built entry by entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.claims.models import Payment, Posting
from openiop.core.roles import RoleCode
from openiop.ledger.models import TransactionKind
from openiop.ledger.selectors import patient_balance, patient_balances, patient_ledger
from openiop.ledger.services import transaction_post, transaction_reverse
from openiop.ledger.tests.builders import Account, insured_account, january
from openiop.sites.models import Site


@pytest.fixture
def account(north: Site) -> Account:
    return insured_account(north)


@pytest.fixture
def billing(persona: object) -> User:
    return persona(RoleCode.BILLING_SPECIALIST)  # type: ignore[operator]


def both_ways(account: Account, user: User) -> tuple[Decimal, Decimal]:
    patient = account.episode.patient
    ledger = patient_ledger(user, patient)
    return ledger.patient_balance, patient_balance(patient.pk)


def test_an_835_moves_pr_to_the_patient_and_co_and_payment_clear_the_payer(account: Account, billing: User) -> None:
    patient = account.episode.patient
    ledger = patient_ledger(billing, patient)

    assert ledger.patient_balance == Decimal("295.00") == patient_balance(patient.pk)
    assert ledger.balances[account.payer.pk] == 0
    assert ledger.insurance_balance == 0
    # Before the remittance the payer owed the claims and the patient only the self-pay charge.
    assert patient_balance(patient.pk, on=dt.date(2026, 1, 21)) == Decimal("100.00")
    assert ledger.balances_before(dt.date(2026, 1, 22))[account.payer.pk] == Decimal("930.00")
    # Running balances per party: the last entry of each party shows its balance.
    last_patient = [entry for entry in ledger.entries if entry.party is None][-1]
    assert last_patient.running_balance == Decimal("295.00")
    assert any("Sunrise Health Plan" in entry.description and "EFT" in entry.description for entry in ledger.entries)
    assert AuditEvent.objects.filter(action="record.read", patient_id=str(patient.pk)).exists()


def test_payments_financing_reversals_and_a_payers_reversal_then_a_refund(account: Account, billing: User) -> None:
    patient = account.episode.patient
    payment = transaction_post(
        actor=billing, patient=patient, kind=TransactionKind.PATIENT_PAYMENT, amount=Decimal("95.00"), method="cash"
    )
    transaction_post(
        actor=billing,
        patient=patient,
        kind=TransactionKind.FINANCING,
        amount=Decimal("150.00"),
        method="lender",
        reference="LN-2026-0042",
        memo="CareCredit",
    )
    assert both_ways(account, billing) == (Decimal("50.00"), Decimal("50.00"))

    transaction_reverse(actor=billing, transaction=payment, reason="Check returned")
    assert both_ways(account, billing) == (Decimal("145.00"), Decimal("145.00"))

    transaction_post(actor=billing, patient=patient, kind="payment", amount=Decimal("145.00"), method="check")
    # The payer takes back the professional claim's answer: its 30.00 PR leaves the patient.
    posting = Posting.objects.get(claim=account.professional, line=None)
    reversal = Payment.objects.create(
        remittance_key="rev", payer_name="Sunrise", amount=Decimal(-120), trace_number="R1"
    )
    Posting.objects.create(
        payment=reversal,
        claim=account.professional,
        claim_status="22",
        paid=-posting.paid,
        written_off=-posting.written_off,
        patient_responsibility=-posting.patient_responsibility,
        is_reversal=True,
    )
    for line_posting in Posting.objects.filter(claim=account.professional).exclude(line=None):
        Posting.objects.create(
            payment=reversal,
            claim=account.professional,
            line=line_posting.line,
            claim_status="22",
            paid=-line_posting.paid,
            written_off=-line_posting.written_off,
            patient_responsibility=-line_posting.patient_responsibility,
            is_reversal=True,
        )
    ledger = patient_ledger(billing, patient)
    assert ledger.patient_balance == Decimal("-30.00") == patient_balance(patient.pk)
    assert ledger.balances[account.payer.pk] == Decimal("180.00")

    transaction_post(
        actor=billing, patient=patient, kind=TransactionKind.REFUND, amount=Decimal("30.00"), method="check"
    )
    assert both_ways(account, billing) == (Decimal("0.00"), Decimal("0.00"))


def test_balances_in_bulk_answer_every_id(account: Account) -> None:
    patient = account.episode.patient
    assert patient_balances([patient.pk, 999_999]) == {patient.pk: Decimal("295.00"), 999_999: Decimal("0.00")}
    assert patient_balance(patient.pk, on=january(9)[0]) == 0


def test_the_ledger_is_refused_without_ledger_view(account: Account, bob: User) -> None:
    with pytest.raises(PermissionDenied):
        patient_ledger(bob, account.episode.patient)
