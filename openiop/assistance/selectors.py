# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the ways to pay: the chart's "Ways to pay" tab and the funds
page, through ``restrict`` (what the user may see), reads of a patient's
record audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.assistance import arithmetic
from openiop.assistance.models import Award, Fund, PaymentPlan, PlanStatus
from openiop.assistance.permissions import ASSISTANCE_MANAGE, ASSISTANCE_VIEW
from openiop.assistance.services import ZERO, plan_payments
from openiop.billing.models import Charge
from openiop.patients.models import Patient


@dataclass(frozen=True)
class InstallmentRow:
    number: int
    due_on: dt.date
    amount: Decimal
    paid: Decimal
    status: str  # paid, paid_late, partly_paid, missed, due, upcoming
    reminder_sent: bool

    @property
    def is_missed(self) -> bool:
        return self.status == "missed"


@dataclass(frozen=True)
class PlanView:
    plan: PaymentPlan
    paid: Decimal
    remaining: Decimal
    installments: list[InstallmentRow]

    @property
    def missed_count(self) -> int:
        return sum(1 for row in self.installments if row.is_missed)


STATUS_LABELS = {
    "paid": "Paid",
    "paid_late": "Paid late",
    "partly_paid": "Partly paid",
    "missed": "Missed",
    "due": "Due",
    "upcoming": "Upcoming",
}


def plan_view(plan: PaymentPlan, today: dt.date, *, as_of: bool = False) -> PlanView:
    """The plan's installments with what has been paid toward each (the
    patient's payments since the plan began, earliest installment first);
    AS_OF counts only the payments posted by TODAY (a past month's statement)."""
    items = list(plan.installments.order_by("number"))
    paid = plan_payments(plan, through=today if as_of else None) if plan.status == PlanStatus.ACTIVE else ZERO
    if plan.status == PlanStatus.COMPLETED:
        paid = plan.amount
    filled = arithmetic.allocate_payments([item.amount for item in items], paid)
    rows = []
    for item, part in zip(items, filled, strict=True):
        if part >= item.amount:
            status = "paid_late" if item.missed_at else "paid"
        elif item.missed_at or item.due_on < today:
            status = "missed"
        elif part > 0:
            status = "partly_paid"
        elif item.due_on <= today + dt.timedelta(days=30):
            status = "due"
        else:
            status = "upcoming"
        rows.append(
            InstallmentRow(item.number, item.due_on, item.amount, part, status, item.reminder_sent_at is not None)
        )
    total_paid = min(sum(filled, ZERO), plan.amount)
    return PlanView(plan=plan, paid=total_paid, remaining=plan.amount - total_paid, installments=rows)


def undiscounted_charges(patient: Patient) -> QuerySet[Charge]:
    """The patient's self-pay charges that stand and carry no sliding fee yet."""
    return (
        Charge.objects.live()
        .filter(patient=patient, payer__isnull=True, amount__gt=0, sliding_fee_discount__isnull=True)
        .order_by("service_date", "pk")
    )


@dataclass(frozen=True)
class FundRow:
    fund: Fund
    awarded: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.fund.budget - self.awarded


def fund_rows(funds: QuerySet[Fund]) -> list[FundRow]:
    """FUNDS with what their awards that stand add up to (one query for all)."""
    listed = list(funds)
    totals = dict(
        Award.objects.filter(fund__in=listed, reversed_at__isnull=True)
        .values("fund")
        .annotate(total=Sum("amount"))
        .values_list("fund", "total")
    )
    return [FundRow(fund, Decimal(totals.get(fund.pk) or ZERO)) for fund in listed]


def funds_for(user: Any, action: str = ASSISTANCE_VIEW) -> list[FundRow]:
    """Funds the user may see, newest period first."""
    return fund_rows(Fund.objects.restrict(user, action).select_related("site").order_by("-ends_on", "name"))


def open_funds_for(user: Any, patient: Patient) -> list[FundRow]:
    """Funds an award for PATIENT may come from today: open, for the
    patient's organization and site, with money left."""
    today = timezone.localdate()
    funds = Fund.objects.restrict(user, ASSISTANCE_MANAGE).filter(
        Q(site__isnull=True) | Q(site_id=patient.site_id),
        organization_id=patient.organization_id,
        starts_on__lte=today,
        ends_on__gte=today,
    )
    return [row for row in fund_rows(funds.order_by("name")) if row.remaining > 0]


def statement_note(patient: Patient, start: dt.date, end: dt.date) -> str | None:
    """The payment plan's line on the monthly statement (registered with the
    ledger's ``register_statement_note``; called in the statement's language):
    the next installment and anything past due as of the period's end."""
    plan = PaymentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE, starts_on__lte=end).first()
    if plan is None:
        return None
    view = plan_view(plan, end, as_of=True)
    past_due = sum((row.amount - row.paid for row in view.installments if row.is_missed), ZERO)
    upcoming = next((row for row in view.installments if row.due_on >= end and row.paid < row.amount), None)
    parts = [
        _("Payment plan: %(remaining)s left of %(amount)s.")
        % {"remaining": f"${view.remaining:,.2f}", "amount": f"${plan.amount:,.2f}"}
    ]
    if upcoming is not None:
        parts.append(
            _("Next payment: %(amount)s due %(date)s.")
            % {"amount": f"${upcoming.amount - upcoming.paid:,.2f}", "date": f"{upcoming.due_on:%m/%d/%Y}"}
        )
    if past_due > 0:
        parts.append(_("Past due: %(amount)s.") % {"amount": f"${past_due:,.2f}"})
    return " ".join(parts)
