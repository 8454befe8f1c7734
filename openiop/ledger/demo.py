# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo money on patients' accounts, posted through ``ledger.services`` as
staff would post it: payments by cash, check and card (with the check number
or the terminal's authorization code, never card data), a lender's financing
payment, a billing adjustment, a payment reversed, and a refund wherever a
patient's account holds a credit.

Runs after the billing and claims demos (INSTALLED_APPS order), so the
self-pay charges and the patients' shares the payers moved to them exist. A
refund needs a credit on an account, which only a charge voided or a later
payer's payment makes; when the demo's claims leave no credit anywhere, no
refund is posted. Everything is synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from openiop.accounts.models import User
from openiop.billing.models import Charge
from openiop.ledger.models import LedgerTransaction, PaymentMethod, TransactionKind
from openiop.ledger.selectors import patient_balances
from openiop.ledger.services import transaction_post, transaction_reverse
from openiop.patients.models import Patient
from openiop.sites.models import Site

# Kinds only this demo posts: the assistance demo posts awards, discounts and
# plan payments after it, so these say whether this demo has run.
STAFF_KINDS = (TransactionKind.ADJUSTMENT, TransactionKind.FINANCING, TransactionKind.REFUND)
CENT = Decimal("0.01")


def progress_steps(size: str) -> int:
    return 1


def _share(balance: Decimal, part: str, most: str) -> Decimal:
    """PART of BALANCE in whole dollars, at most MOST (and at least $1)."""
    return max(min((balance * Decimal(part)).quantize(Decimal("1")), Decimal(most)), Decimal("1.00"))


def owing_patients(sites: list[Site]) -> tuple[list[Patient], list[Patient]]:
    """Patients at SITES who owe something, split into those with self-pay
    charges and those who owe only what their payer moved to them."""
    patients = list(Patient.objects.filter(site__in=sites).order_by("pk"))
    balances = patient_balances([patient.pk for patient in patients])
    self_pay_ids = set(
        Charge.objects.live().filter(patient__in=patients, payer__isnull=True).values_list("patient_id", flat=True)
    )
    owing = [patient for patient in patients if balances[patient.pk] > 0]
    return (
        [patient for patient in owing if patient.pk in self_pay_ids],
        [patient for patient in owing if patient.pk not in self_pay_ids],
    )


def first_self_pay_days(patients: list[Patient]) -> dict[int, dt.date]:
    """Each patient's first self-pay service date."""
    rows = (
        Charge.objects.live()
        .filter(patient__in=patients, payer__isnull=True)
        .values("patient_id")
        .annotate(first=Min("service_date"))
    )
    return {row["patient_id"]: row["first"] for row in rows}


def _self_pay_payments(biller: User | None, patient: Patient, balance: Decimal, today: dt.date) -> None:
    # Dated in the last week, after most of the patient's charges (two weeks
    # of them at least), so the running balance stays above zero on the way.
    posted = [
        (TransactionKind.PATIENT_PAYMENT, _share(balance, "0.04", "100"), PaymentMethod.CASH, "", 6, ""),
        (TransactionKind.PATIENT_PAYMENT, _share(balance, "0.05", "150"), PaymentMethod.CHECK, "Check 1042", 5, ""),
        (
            TransactionKind.FINANCING,
            _share(balance, "0.25", "900"),
            PaymentMethod.LENDER,
            "CareCredit loan 55-0192",
            4,
            "Outside lender paid the financed share; the patient repays the lender.",
        ),
        (
            TransactionKind.ADJUSTMENT,
            _share(balance, "0.02", "40"),
            PaymentMethod.NONE,
            "",
            3,
            "Small-balance courtesy adjustment approved by the billing office.",
        ),
    ]
    for kind, amount, method, reference, days_ago, memo in posted:
        transaction_post(
            actor=biller,
            patient=patient,
            kind=kind,
            amount=amount,
            posted_on=today - dt.timedelta(days=days_ago),
            method=method,
            reference=reference,
            memo=memo,
        )
    # A card payment keyed to this account by mistake, then reversed.
    wrong = transaction_post(
        actor=biller,
        patient=patient,
        kind=TransactionKind.PATIENT_PAYMENT,
        amount=_share(balance, "0.03", "75"),
        posted_on=today - dt.timedelta(days=2),
        method=PaymentMethod.CARD,
        reference="AUTH 48213K",
    )
    if biller is not None:
        transaction_reverse(actor=biller, transaction=wrong, reason="Card payment belonged to another patient.")


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: nothing is done once this demo's kinds are posted."""
    if not sites or LedgerTransaction.objects.filter(kind__in=STAFF_KINDS).exists():
        tick(progress_steps(size))
        return
    today = timezone.localdate()
    biller = User.objects.filter(roles__code="billing_specialist", sites__in=sites).order_by("pk").first()
    self_pay, insured = owing_patients(sites)
    balances = patient_balances([patient.pk for patient in self_pay + insured])
    # The first self-pay patients keep their whole balance for the ways-to-pay demo.
    first = first_self_pay_days(self_pay)
    for patient in [p for p in self_pay[3:] if first[p.pk] <= today - dt.timedelta(days=14)][:2]:
        _self_pay_payments(biller, patient, balances[patient.pk], today)
    for number, patient in enumerate(insured[:2]):
        # The patient's share after insurance, paid by card at the front desk.
        transaction_post(
            actor=biller,
            patient=patient,
            kind=TransactionKind.PATIENT_PAYMENT,
            amount=balances[patient.pk] if number == 0 else _share(balances[patient.pk], "0.5", "500"),
            posted_on=today,  # the payer's answer moved it to them today, or earlier
            method=PaymentMethod.CARD,
            reference=f"AUTH {703114 + number}",
        )
    everyone = patient_balances(Patient.objects.filter(site__in=sites).values_list("pk", flat=True))
    credits = {pk: balance for pk, balance in everyone.items() if balance < 0}
    for patient in Patient.objects.filter(pk__in=list(credits)[:1]):
        transaction_post(
            actor=biller,
            patient=patient,
            kind=TransactionKind.REFUND,
            amount=-credits[patient.pk],
            method=PaymentMethod.CHECK,
            reference="Refund check 2207",
            memo="Credit on the account refunded to the patient.",
        )
    tick(1)
