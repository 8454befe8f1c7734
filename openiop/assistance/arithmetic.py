# SPDX-License-Identifier: AGPL-3.0-or-later
"""The arithmetic of the ways to pay, on plain values (no Django, no
database): a payment plan's installment schedule, how payments fill its
installments, an attestation's year of validity and a sliding fee discount.

The sliding fee scale itself (the HHS guideline and the program's tiers) is
the public estimator's, ``openiop.public.poverty``; this module only turns
its discount percent into cents off one charge.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openiop.public import estimator, poverty

CENT = Decimal("0.01")
# A plan runs at least a month and at most five years: the public estimator's
# limits, so what the website promised is what the billing office can set up.
MIN_MONTHS = 1
MAX_MONTHS = estimator.MAX_MONTHS
# The re-verification of an attestation is flagged this many days ahead.
REVERIFY_WARNING_DAYS = 30


class PlanInputError(ValueError):
    """Bad input for a plan, named by the form field it belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def add_months(day: dt.date, months: int) -> dt.date:
    """DAY moved MONTHS calendar months on; a day the month lacks becomes
    its last (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(attested_on: dt.date) -> dt.date:
    """An income attestation holds for one year: through its anniversary
    (29 February's is 28 February)."""
    return add_months(attested_on, 12)


def reverification_due(until: dt.date, today: dt.date) -> bool:
    """Flag an attestation whose year ends within the warning window (or has ended)."""
    return (until - today).days < REVERIFY_WARNING_DAYS


def check_months(months: int) -> None:
    if months < MIN_MONTHS or months > MAX_MONTHS:
        raise PlanInputError(
            "months",
            f"A payment plan runs from {MIN_MONTHS} to {MAX_MONTHS} months; {months} is outside that.",
        )


@dataclass(frozen=True)
class Installment:
    number: int
    due_on: dt.date
    amount: Decimal


def installment_schedule(amount: Decimal, months: int, first_due: dt.date) -> list[Installment]:
    """AMOUNT in MONTHS monthly installments from FIRST_DUE, each due on the
    same day of the month (or the month's last day).

    The cents are shared exactly: every installment gets the whole cents of
    the even share, and the cents left over go one each to the first
    installments, so the installments sum to AMOUNT and differ by at most a
    cent, the larger ones first."""
    check_months(months)
    if amount <= 0:
        raise PlanInputError("amount", "A payment plan is for an amount above $0.00.")
    if amount != amount.quantize(CENT):
        raise PlanInputError("amount", "Enter the amount in dollars and cents.")
    cents = int(amount * 100)
    share, left_over = divmod(cents, months)
    return [
        Installment(
            number=index + 1,
            due_on=add_months(first_due, index),
            amount=Decimal(share + (1 if index < left_over else 0)) / 100,
        )
        for index in range(months)
    ]


def allocate_payments(amounts: Sequence[Decimal], paid: Decimal) -> list[Decimal]:
    """How much of PAID each installment (of AMOUNTS, in order) has received:
    payments fill the earliest installment first, whatever their size; a
    payment beyond the plan's total fills nothing more."""
    remaining = max(paid, Decimal(0))
    filled = []
    for amount in amounts:
        part = min(amount, remaining)
        filled.append(part)
        remaining -= part
    return filled


def sliding_fee_discount(charge_amount: Decimal, scale: poverty.SlidingScale) -> Decimal:
    """The cents SCALE takes off a charge: the charge less what the public
    estimator says the person pays of it (rounded there, half a cent up)."""
    return charge_amount - scale.apply(charge_amount)
