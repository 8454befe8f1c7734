# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo ways to pay, made through ``assistance.services`` as the billing
office would: income attestations at several of the sliding fee's tiers (one
due for its yearly re-verification), the sliding fee applied to self-pay
patients' charges, a payment plan set up two months ago with its first
installment paid, the second missed and the rest to come, and two funds (a
state opioid response grant and a foundation's scholarship) with awards and
budget left.

Runs after the ledger demo, which leaves the first self-pay patients'
balances whole for this one. Everything is synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from openiop.accounts.models import User
from openiop.assistance import arithmetic, services
from openiop.assistance.jobs import payment_plans_check
from openiop.assistance.models import Fund, FundKind, Installment, PaymentPlan
from openiop.ledger.demo import first_self_pay_days, owing_patients
from openiop.ledger.models import PaymentMethod, TransactionKind
from openiop.ledger.selectors import patient_balance
from openiop.ledger.services import transaction_post
from openiop.patients.models import Patient
from openiop.public import selectors as public_selectors
from openiop.sites.models import Site

# (percent of the poverty guideline, household size, days ago attested, documents)
ATTESTATIONS: tuple[tuple[Decimal, int, int, dict[str, Any]], ...] = (
    (Decimal("90"), 3, 20, {"saw_pay_stub": True}),
    (Decimal("160"), 2, 45, {"self_attested": True, "self_attestation_reason": "Paid in cash; no pay stubs."}),
    (Decimal("240"), 4, 350, {"saw_tax_return": True}),  # its year ends within the month
)


def progress_steps(size: str) -> int:
    return 1


def _income(patient: Patient, percent: Decimal, household: int, day: dt.date) -> Decimal:
    guideline = public_selectors.guideline_for(year=day.year, state=patient.site.state)
    if guideline is None:
        return Decimal("20000.00")
    line = guideline.first_person + guideline.each_additional * (household - 1)
    return (line * percent / 100).quantize(Decimal("1"))


def _attest_and_discount(biller: User | None, patients: list[Patient], today: dt.date) -> None:
    for patient, (percent, household, days_ago, documents) in zip(patients, ATTESTATIONS, strict=False):
        day = today - dt.timedelta(days=days_ago)
        services.attestation_record(
            actor=biller,
            patient=patient,
            household_size=household,
            annual_income=_income(patient, percent, household, day),
            attested_on=day,
            **documents,
        )
        services.sliding_fee_apply(actor=biller, patient=patient, on=today)


def _plan_with_a_missed_installment(biller: User | None, patient: Patient, today: dt.date) -> None:
    """A plan set up two months ago: the first installment paid, the second
    missed (flagged by the plans' job), the third due in three weeks."""
    amount = min(patient_balance(patient.pk), Decimal("1200.00")).quantize(Decimal("0.01"))
    plan = services.plan_create(actor=biller, patient=patient, amount=amount, months=6, first_due=today)
    # Moved back as though set up two months ago (the service only takes a first due date from today).
    first_due = arithmetic.add_months(today + dt.timedelta(days=21), -2)
    PaymentPlan.objects.filter(pk=plan.pk).update(first_due=first_due, starts_on=first_due - dt.timedelta(days=14))
    installments = list(plan.installments.order_by("number"))
    for item in installments:
        item.due_on = arithmetic.add_months(first_due, item.number - 1)
    Installment.objects.bulk_update(installments, ["due_on"])
    transaction_post(
        actor=biller,
        patient=patient,
        kind=TransactionKind.PATIENT_PAYMENT,
        amount=installments[0].amount,
        posted_on=installments[0].due_on,
        method=PaymentMethod.CHECK,
        reference="Check 318",
        memo="Payment plan installment 1",
    )
    payment_plans_check(today=today)


def _funds_and_awards(biller: User | None, sites: list[Site], patients: list[Patient], today: dt.date) -> None:
    organization = sites[0].organization
    grant = services.fund_create(
        actor=biller,
        organization=organization,
        name="State Opioid Response grant",
        kind=FundKind.GRANT,
        budget=Decimal("25000.00"),
        starts_on=today - dt.timedelta(days=180),
        ends_on=today + dt.timedelta(days=185),
    )
    scholarship = services.fund_create(
        actor=biller,
        organization=organization,
        name="Harbor Foundation scholarship",
        kind=FundKind.SCHOLARSHIP,
        budget=Decimal("5000.00"),
        starts_on=today - dt.timedelta(days=90),
        ends_on=today + dt.timedelta(days=275),
    )
    awards = [
        (grant, Decimal("800.00"), "Uninsured; SOR grant covers treatment for opioid use disorder."),
        (scholarship, Decimal("400.00"), "Household at 240% of the guideline; scholarship committee approved."),
        (grant, Decimal("650.00"), "Uninsured; SOR grant covers treatment for opioid use disorder."),
    ]
    for patient, (fund, most, reason) in zip(patients, awards, strict=False):
        amount = min(patient_balance(patient.pk), most)
        if amount > 0:
            services.award_create(actor=biller, fund=fund, patient=patient, amount=amount, reason=reason)


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: nothing is done once a fund exists."""
    if not sites or Fund.objects.exists():
        tick(progress_steps(size))
        return
    today = timezone.localdate()
    biller = User.objects.filter(roles__code="billing_specialist", sites__in=sites).order_by("pk").first()
    self_pay, _insured = owing_patients(sites)
    _attest_and_discount(biller, self_pay[:3], today)
    # The plan goes to a patient the sliding fee left owing (the first's 100% discount leaves nothing).
    # and it was set up two months ago, so it goes to the one treated longest.
    owing = [patient for patient in self_pay[:3] if patient_balance(patient.pk) >= Decimal("6.00")]
    first = first_self_pay_days(owing)
    on_plan = min(owing, key=lambda p: (first[p.pk], p.pk)) if owing else None
    if on_plan is not None:
        _plan_with_a_missed_installment(biller, on_plan, today)
    # Awards go to others: one paying off the planned balance would leave a plan for money nobody owes.
    awarded = [p for p in self_pay if p != on_plan and patient_balance(p.pk) > 0][:3]
    _funds_and_awards(biller, sites, awarded, today)
    tick(1)
