# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for the ways to pay. Every write is audited; money moves only
through the ledger's ``transaction_post`` and ``transaction_reverse``.

Bad input raises ValidationError keyed by the form field it belongs beside,
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.assistance import arithmetic
from openiop.assistance.models import (
    Award,
    Fund,
    IncomeAttestation,
    Installment,
    PaymentPlan,
    PlanStatus,
    SlidingFeeDiscount,
)
from openiop.audit.services import log_action
from openiop.billing.models import Charge, ChargeStatus
from openiop.ledger import selectors as ledger_selectors
from openiop.ledger import services as ledger_services
from openiop.ledger.models import PaymentMethod, TransactionKind
from openiop.patients.models import Patient
from openiop.public import poverty
from openiop.public import selectors as public_selectors

ZERO = Decimal("0.00")


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _locked_patient(patient: Patient) -> Patient:
    """The patient's row, locked until the transaction ends: two clerks
    applying the sliding fee or awarding at once take turns."""
    return Patient.objects.select_for_update().get(pk=patient.pk)


# --- Sliding fee ------------------------------------------------------------------------------------------------------


def current_attestation(patient_id: int, day: dt.date) -> IncomeAttestation | None:
    """The newest attestation in force on DAY."""
    return (
        IncomeAttestation.objects.filter(patient_id=patient_id, attested_on__lte=day, valid_until__gte=day)
        .order_by("-attested_on", "-pk")
        .first()
    )


@transaction.atomic
def attestation_record(
    *,
    actor: Any,
    patient: Patient,
    household_size: int,
    annual_income: Decimal,
    attested_on: dt.date,
    saw_pay_stub: bool = False,
    saw_tax_return: bool = False,
    saw_benefits_letter: bool = False,
    self_attested: bool = False,
    self_attestation_reason: str = "",
) -> IncomeAttestation:
    """Record what the household earns and the discount it brings for a year,
    on the HHS guideline of the attestation's year for the region of the
    patient's site and the program's tiers in force today."""
    errors: dict[str, str] = {}
    if not (saw_pay_stub or saw_tax_return or saw_benefits_letter or self_attested):
        errors["saw_pay_stub"] = _("Say which documents you saw, or record a self-attestation with its reason.")
    if self_attested and not self_attestation_reason.strip():
        errors["self_attestation_reason"] = _("A self-attestation needs the reason no documents could be seen.")
    if attested_on > timezone.localdate():
        errors["attested_on"] = _("An attestation cannot be dated in the future.")
    try:
        poverty.check_household(household_size)
        poverty.check_income(annual_income)
    except poverty.PovertyInputError as exc:
        field = "annual_income" if exc.field == "income" else exc.field
        errors[field] = exc.message
    if errors:
        raise ValidationError(errors)
    region = poverty.region_for_state(patient.site.state)
    guideline = public_selectors.guideline_for(year=attested_on.year, state=patient.site.state)
    if guideline is None:
        raise ValidationError(
            {
                "attested_on": _(
                    "No HHS poverty guideline for %(year)s is on file for this region; an administrator adds it."
                )
                % {"year": attested_on.year}
            }
        )
    # The same attestation sent twice (a double click) is recorded once.
    _locked_patient(patient)
    same = IncomeAttestation.objects.filter(
        patient=patient,
        attested_on=attested_on,
        household_size=household_size,
        annual_income=annual_income,
        saw_pay_stub=saw_pay_stub,
        saw_tax_return=saw_tax_return,
        saw_benefits_letter=saw_benefits_letter,
        self_attested=self_attested,
    ).first()
    if same is not None:
        return same
    tiers = public_selectors.sliding_fee_tiers()
    scale = poverty.sliding_scale(income=annual_income, household_size=household_size, guideline=guideline, tiers=tiers)
    attestation = IncomeAttestation.objects.create(
        patient=patient,
        household_size=household_size,
        annual_income=annual_income,
        saw_pay_stub=saw_pay_stub,
        saw_tax_return=saw_tax_return,
        saw_benefits_letter=saw_benefits_letter,
        self_attested=self_attested,
        self_attestation_reason=self_attestation_reason.strip() if self_attested else "",
        attested_on=attested_on,
        valid_until=arithmetic.valid_until(attested_on),
        guideline_year=guideline.year,
        region=region,
        guideline_first_person=guideline.first_person,
        guideline_each_additional=guideline.each_additional,
        tiers=[[str(tier.max_percent), str(tier.discount_percent)] for tier in tiers],
        percent_of_guideline=scale.percent_of_guideline,
        discount_percent=scale.discount_percent,
        recorded_by=actor,
    )
    log_action(
        "assistance.attestation_record",
        obj=attestation,
        actor=actor,
        data={
            "household_size": household_size,
            "percent_of_guideline": str(scale.percent_of_guideline),
            "discount_percent": str(scale.discount_percent),
            "guideline_year": guideline.year,
            "region": region,
            "valid_until": attestation.valid_until,
        },
    )
    return attestation


@transaction.atomic
def sliding_fee_apply(*, actor: Any, patient: Patient, on: dt.date | None = None) -> list[SlidingFeeDiscount]:
    """Discount every self-pay charge of PATIENT not discounted yet, at the
    attestation in force on ON (today), each by one SLIDING_FEE transaction.

    Idempotent: a charge carries at most one discount, so applying again
    discounts only charges made since. A discount never takes the patient's
    balance below zero (what was already paid is not refunded here). A
    discount whose charge has since been voided is reversed with it.
    Refused when no attestation is in force."""
    day = on or timezone.localdate()
    patient = _locked_patient(patient)
    attestation = current_attestation(patient.pk, day)
    if attestation is None:
        last = IncomeAttestation.objects.filter(patient=patient).order_by("-valid_until").first()
        message = (
            _("The income attestation lapsed on %(date)s; record a new one before applying the sliding fee.")
            % {"date": f"{last.valid_until:%m/%d/%Y}"}
            if last is not None
            else _("Record an income attestation before applying the sliding fee.")
        )
        raise ValidationError(message)
    reversed_count = _reverse_voided_discounts(actor, patient)
    scale = attestation.scale()
    applied: list[SlidingFeeDiscount] = []
    if scale.discount_percent > 0:
        balance = ledger_selectors.patient_balance(patient.pk)
        charges = (
            Charge.objects.live()
            .filter(patient=patient, payer__isnull=True, service_date__lte=attestation.valid_until, amount__gt=0)
            .filter(sliding_fee_discount__isnull=True)
            .order_by("service_date", "pk")
        )
        for charge in charges:
            amount = min(arithmetic.sliding_fee_discount(charge.amount, scale), balance)
            if amount <= 0:
                continue
            posted = ledger_services.transaction_post(
                actor=actor,
                patient=patient,
                kind=TransactionKind.SLIDING_FEE,
                amount=amount,
                posted_on=day,
                reference=f"charge {charge.pk}",
                memo=_("Sliding fee %(percent)s%% off %(code)s on %(date)s")
                % {
                    "percent": f"{scale.discount_percent.normalize():f}",
                    "code": charge.code,
                    "date": f"{charge.service_date:%m/%d/%Y}",
                },
                episode=charge.episode,
            )
            applied.append(
                SlidingFeeDiscount.objects.create(
                    patient=patient,
                    charge=charge,
                    attestation=attestation,
                    discount_percent=scale.discount_percent,
                    amount=amount,
                    transaction=posted,
                )
            )
            balance -= amount
    log_action(
        "assistance.sliding_fee_apply",
        obj=patient,
        actor=actor,
        data={
            "attestation": attestation.pk,
            "discount_percent": str(scale.discount_percent),
            "charges": [discount.charge_id for discount in applied],
            "total": str(sum((discount.amount for discount in applied), ZERO)),
            "reversed_for_voided_charges": reversed_count,
        },
    )
    return applied


def _reverse_voided_discounts(actor: Any, patient: Patient) -> int:
    stale = SlidingFeeDiscount.objects.filter(
        patient=patient, reversal__isnull=True, charge__status=ChargeStatus.VOIDED
    ).select_related("transaction")
    count = 0
    for discount in stale:
        discount.reversal = ledger_services.transaction_reverse(
            actor=actor, transaction=discount.transaction, reason=_("The discounted charge was voided.")
        )
        discount.save(update_fields=["reversal"])
        count += 1
    return count


# --- Payment plans ----------------------------------------------------------------------------------------------------


def plan_payments(plan: PaymentPlan, *, through: dt.date | None = None) -> Decimal:
    """The patient's payments posted on or after the plan's first day (and
    through THROUGH, when given), less their reversals: what fills the plan's
    installments."""
    from openiop.ledger.models import LedgerTransaction

    rows = LedgerTransaction.objects.filter(
        patient_id=plan.patient_id,
        payer__isnull=True,
        kind=TransactionKind.PATIENT_PAYMENT,
        posted_on__gte=plan.starts_on,
    )
    if through is not None:
        rows = rows.filter(posted_on__lte=through)
    paid = rows.filter(reverses__isnull=True).aggregate(total=Sum("amount"))["total"] or ZERO
    undone = rows.filter(reverses__isnull=False).aggregate(total=Sum("amount"))["total"] or ZERO
    return Decimal(paid - undone)


@transaction.atomic
def plan_create(*, actor: Any, patient: Patient, amount: Decimal, months: int, first_due: dt.date) -> PaymentPlan:
    """Set up a plan for AMOUNT (at most the patient's balance) in MONTHS
    monthly installments from FIRST_DUE."""
    today = timezone.localdate()
    patient = _locked_patient(patient)
    errors: dict[str, str] = {}
    try:
        arithmetic.check_months(months)
    except arithmetic.PlanInputError as exc:
        errors[exc.field] = exc.message
    balance = ledger_selectors.patient_balance(patient.pk)
    if amount <= 0:
        errors["amount"] = _("A payment plan is for an amount above $0.00.")
    elif amount > balance:
        errors["amount"] = _("A plan cannot be for more than the patient's balance of %(balance)s.") % {
            "balance": _money(max(balance, ZERO))
        }
    if first_due < today:
        errors["first_due"] = _("The first payment cannot be due before today.")
    elif first_due > arithmetic.add_months(today, 3):
        errors["first_due"] = _("The first payment is due within three months of today.")
    if PaymentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).exists():
        errors["__all__"] = _("This patient already has an active payment plan; cancel it before setting up another.")
    if errors:
        raise ValidationError(errors)
    schedule = arithmetic.installment_schedule(amount, months, first_due)
    try:
        with transaction.atomic():
            plan = PaymentPlan.objects.create(
                patient=patient, amount=amount, months=months, first_due=first_due, starts_on=today, created_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            _("This patient already has an active payment plan; cancel it before setting up another.")
        ) from None
    Installment.objects.bulk_create(
        Installment(plan=plan, number=item.number, due_on=item.due_on, amount=item.amount) for item in schedule
    )
    log_action(
        "assistance.plan_create",
        obj=plan,
        actor=actor,
        data={"amount": str(amount), "months": months, "first_due": first_due, "balance": str(balance)},
    )
    return plan


@transaction.atomic
def plan_cancel(*, actor: Any, plan: PaymentPlan, reason: str) -> PaymentPlan:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the plan is canceled.")})
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError(
            _("Only an active plan can be canceled; this one is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    plan.status = PlanStatus.CANCELED
    plan.ended_at = timezone.now()
    plan.cancel_reason = reason.strip()
    plan.save(update_fields=["status", "ended_at", "cancel_reason"])
    log_action("assistance.plan_cancel", obj=plan, actor=actor, data={"reason": plan.cancel_reason})
    return plan


# --- Scholarships and grants ------------------------------------------------------------------------------------------


def fund_awarded(fund: Fund) -> Decimal:
    """What the fund's awards that stand add up to."""
    total = fund.awards.filter(reversed_at__isnull=True).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or ZERO)


@transaction.atomic
def fund_create(
    *,
    actor: Any,
    organization: Any,
    name: str,
    kind: str,
    budget: Decimal,
    starts_on: dt.date,
    ends_on: dt.date,
    site: Any = None,
) -> Fund:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Name the fund.")
    if budget <= 0:
        errors["budget"] = _("A fund's budget is above $0.00.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The fund cannot end before it starts.")
    if site is not None and site.organization_id != organization.pk:
        errors["site"] = _("That site belongs to another organization.")
    if errors:
        raise ValidationError(errors)
    # The same fund twice over the same days (the form sent twice) would split
    # one budget in two; a grant renewed for another period keeps its name.
    type(organization).objects.select_for_update().filter(pk=organization.pk).first()
    twin = Fund.objects.filter(
        organization=organization, name__iexact=name.strip(), starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if twin is not None:
        raise ValidationError(
            {
                "name": _("A fund named %(name)s already runs from %(start)s to %(end)s.")
                % {"name": twin.name, "start": f"{twin.starts_on:%m/%d/%Y}", "end": f"{twin.ends_on:%m/%d/%Y}"}
            }
        )
    fund = Fund.objects.create(
        organization=organization,
        site=site,
        name=name.strip(),
        kind=kind,
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    log_action(
        "assistance.fund_create",
        obj=fund,
        actor=actor,
        data={"budget": str(budget), "kind": kind, "starts_on": starts_on, "ends_on": ends_on},
    )
    return fund


@transaction.atomic
def award_create(
    *,
    actor: Any,
    fund: Fund,
    patient: Patient,
    amount: Decimal,
    reason: str,
    submission_key: uuid.UUID | None = None,
) -> Award:
    """Pay AMOUNT of the patient's share from FUND: refused when larger than
    what the fund has left or than the patient's balance. The same
    SUBMISSION_KEY again (the form sent twice) returns the first award and
    posts nothing."""
    today = timezone.localdate()
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    patient = _locked_patient(patient)
    if submission_key is not None:
        earlier = Award.objects.filter(patient=patient, transaction__submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Say why the award is made (for the fund's report).")
    if fund.organization_id != patient.organization_id or (
        fund.site_id is not None and fund.site_id != patient.site_id
    ):
        errors["fund"] = _("This fund is not for this patient's site.")
    elif not fund.is_open_on(today):
        errors["fund"] = _("This fund pays awards from %(start)s to %(end)s.") % {
            "start": f"{fund.starts_on:%m/%d/%Y}",
            "end": f"{fund.ends_on:%m/%d/%Y}",
        }
    remaining = fund.budget - fund_awarded(fund)
    balance = ledger_selectors.patient_balance(patient.pk)
    if amount <= 0:
        errors["amount"] = _("An award is for an amount above $0.00.")
    elif amount > remaining:
        errors["amount"] = _("The fund has %(remaining)s left; the award cannot be larger.") % {
            "remaining": _money(remaining)
        }
    elif amount > balance:
        errors["amount"] = _("The patient's balance is %(balance)s; the award cannot be larger.") % {
            "balance": _money(max(balance, ZERO))
        }
    if errors:
        raise ValidationError(errors)
    posted = ledger_services.transaction_post(
        actor=actor,
        patient=patient,
        kind=TransactionKind.SCHOLARSHIP,
        amount=amount,
        posted_on=today,
        method=PaymentMethod.FUND,
        reference=fund.name[:60],
        memo=reason.strip()[:300],
        submission_key=submission_key,
    )
    award = Award.objects.create(
        fund=fund,
        patient=patient,
        amount=amount,
        reason=reason.strip(),
        awarded_on=today,
        transaction=posted,
        created_by=actor,
    )
    log_action(
        "assistance.award_create",
        obj=award,
        actor=actor,
        data={"fund": fund.pk, "amount": str(amount), "remaining_after": str(remaining - amount)},
    )
    return award


@transaction.atomic
def award_reverse(*, actor: Any, award: Award, reason: str) -> Award:
    """Undo an award: its ledger transaction is reversed and its amount goes
    back to the fund's budget."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the award is reversed.")})
    award = Award.objects.select_for_update().select_related("transaction").get(pk=award.pk)
    if award.reversed_at is not None:
        raise ValidationError(_("This award was already reversed."))
    award.reversal = ledger_services.transaction_reverse(actor=actor, transaction=award.transaction, reason=reason)
    award.reversed_at = timezone.now()
    award.reverse_reason = reason.strip()
    award.save(update_fields=["reversal", "reversed_at", "reverse_reason"])
    log_action(
        "assistance.award_reverse",
        obj=award,
        actor=actor,
        data={"fund": award.fund_id, "amount": str(award.amount), "reason": award.reverse_reason},
    )
    return award
