# SPDX-License-Identifier: AGPL-3.0-or-later
"""The revenue reports' arithmetic, without the database: aging buckets,
days in A/R, denial rates and payments by month. The selectors feed these
with sums the database already made; the tests feed them plain numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
CENT = Decimal("0.01")

# Upper bound (inclusive) of each bucket in days; the last has none.
BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-30", 30),
    ("31-60", 60),
    ("61-90", 90),
    ("over 90", None),
)
BUCKET_KEYS: tuple[str, ...] = tuple(key for key, _ in BUCKETS)
DAYS_IN_A_R_WINDOW = 90


def bucket_for(age_days: int) -> str:
    """The aging bucket of an amount AGE_DAYS old: 30 is still 0-30, 31 is
    31-60; an amount dated after the as-of day (negative age) counts as new."""
    for key, upper in BUCKETS:
        if upper is None or age_days <= upper:
            return key
    raise AssertionError("the last bucket has no upper bound")  # pragma: no cover


def bucket_edges(as_of: dt.date) -> list[tuple[str, dt.date | None]]:
    """Each bucket with the earliest date that still falls in it (None for the
    last, which is open), for the database to sort dates into buckets."""
    return [(key, None if upper is None else as_of - dt.timedelta(days=upper)) for key, upper in BUCKETS]


@dataclass
class AgingRow:
    label: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKET_KEYS, ZERO))

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    def add(self, bucket: str, amount: Decimal) -> None:
        self.buckets[bucket] += amount


def age_amounts(as_of: dt.date, dated_amounts: Iterable[tuple[dt.date, Decimal]]) -> dict[str, Decimal]:
    """Outstanding amounts by age on AS_OF, each aged from its own date."""
    buckets = dict.fromkeys(BUCKET_KEYS, ZERO)
    for day, amount in dated_amounts:
        buckets[bucket_for((as_of - day).days)] += amount
    return buckets


def age_balance_newest_first(balance: Decimal, by_bucket: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """A patient's BALANCE spread over the buckets of what they were asked to
    pay (BY_BUCKET), newest first: payments settle the oldest amounts, so what
    is still owed is the most recent. Whatever the dated amounts do not
    explain (a balance larger than them) is put in the oldest bucket; a credit
    (zero or negative balance) ages nothing."""
    aged = dict.fromkeys(BUCKET_KEYS, ZERO)
    left = balance
    for key in BUCKET_KEYS:
        if left <= 0:
            break
        take = min(left, max(by_bucket.get(key, ZERO), ZERO))
        aged[key] += take
        left -= take
    if left > 0:
        aged[BUCKET_KEYS[-1]] += left
    return aged


@dataclass(frozen=True)
class DaysInAR:
    days: Decimal | None
    total_ar: Decimal
    charges: Decimal
    window_days: int = DAYS_IN_A_R_WINDOW

    @property
    def average_daily_charges(self) -> Decimal:
        return (self.charges / self.window_days).quantize(CENT, ROUND_HALF_UP)

    @property
    def explanation(self) -> str:
        if self.days is None:
            return f"No charges in the period (the last {self.window_days} days): days in A/R cannot be computed."
        return (
            # Dollars and cents: a database's sum can carry many more decimal places.
            f"${self.total_ar:,.2f} outstanding / ${self.average_daily_charges:,.2f} average daily charges "
            f"over the last {self.window_days} days = {self.days} days."
        )


def days_in_ar(total_ar: Decimal, charges_in_window: Decimal, window_days: int = DAYS_IN_A_R_WINDOW) -> DaysInAR:
    """Total A/R divided by the average daily charges of the window; None
    (not zero, not infinity) when nothing was charged in the window."""
    if charges_in_window <= 0 or window_days <= 0:
        return DaysInAR(None, total_ar, charges_in_window, window_days)
    days = (total_ar * window_days / charges_in_window).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return DaysInAR(days, total_ar, charges_in_window, window_days)


@dataclass(frozen=True)
class Rate:
    label: str
    denied: int
    adjudicated: int
    description: str = ""

    @property
    def percent(self) -> Decimal | None:
        """Denied per hundred adjudicated, one decimal; None with nothing adjudicated."""
        if self.adjudicated <= 0:
            return None
        return (Decimal(self.denied) * 100 / self.adjudicated).quantize(Decimal("0.1"), ROUND_HALF_UP)


def denial_rates(
    denied_by_key: Mapping[str, int],
    adjudicated_by_key: Mapping[str, int],
    descriptions: Mapping[str, str] | None = None,
) -> list[Rate]:
    """One rate per key (a payer, or a CARC over all adjudicated claims when
    ADJUDICATED_BY_KEY is the same total for every key), highest rate first."""
    descriptions = descriptions or {}
    keys = set(denied_by_key) | set(adjudicated_by_key)
    rates = [
        Rate(key, denied_by_key.get(key, 0), adjudicated_by_key.get(key, 0), descriptions.get(key, "")) for key in keys
    ]
    return sorted(rates, key=lambda rate: (-(rate.percent or ZERO), -rate.denied, _natural(rate.label)))


def _natural(label: str) -> tuple[int, str]:
    """CARC '16' before '197'; other labels alphabetically."""
    return (int(label), "") if label.isdigit() else (10**9, label.lower())


@dataclass(frozen=True)
class MonthTotals:
    month: dt.date  # the first of the month
    insurance: Decimal
    patient: Decimal

    @property
    def total(self) -> Decimal:
        return self.insurance + self.patient

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from START's to END's, across years."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def payments_by_month(
    start: dt.date,
    end: dt.date,
    insurance: Iterable[tuple[dt.date, Decimal]],
    patient: Iterable[tuple[dt.date, Decimal]],
) -> list[MonthTotals]:
    """Every month from START to END (empty months too, so a chart has no
    gaps), with the insurance and patient amounts dated in it."""
    months = months_between(start, end)
    sums: dict[dt.date, list[Decimal]] = {month: [ZERO, ZERO] for month in months}
    for index, amounts in enumerate((insurance, patient)):
        for day, amount in amounts:
            key = dt.date(day.year, day.month, 1)
            if key in sums:
                sums[key][index] += amount
    return [MonthTotals(month, *sums[month]) for month in months]
