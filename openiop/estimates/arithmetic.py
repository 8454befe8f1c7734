# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Good Faith Estimate's numbers: which days and services are expected,
what each costs under the self-pay fee schedule in force on its date, the
itemized lines and their total, and whether billed charges are far enough
over the estimate for the patient to dispute them. Plain values in, plain
values out; no database.

Days come from the patient's booked schedule where a week has bookings (a day
counts as a per-diem day under the self-pay rule, H0015's 3 hours a day on 3
days a week, on scheduled minutes) and from the program's standard track for
the level of care in weeks with nothing booked yet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from openiop.scheduling import hours

CENT = Decimal("0.01")
# 45 CFR 149.620: billed charges "substantially in excess" of the estimate.
DISPUTE_THRESHOLD = Decimal("400.00")
# What one estimate may cover: recurring services up to 12 months (45 CFR 149.610(c)).
MAX_WEEKS = 52


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StandardTrack:
    """The program's usual week at a level of care, for weeks not booked yet."""

    level: str
    per_diem_code: str
    days_per_week: int
    hours_per_day: int
    weekdays: tuple[int, ...]  # Monday 0
    description: str


# Level 2.1 intensive outpatient: about 3 hours a day, 3 days a week (the
# H0015 shape). Other levels are booked first, then estimated from the booking.
STANDARD_TRACKS: Mapping[str, StandardTrack] = {
    "2.1": StandardTrack(
        level="2.1",
        per_diem_code="H0015",
        days_per_week=3,
        hours_per_day=3,
        weekdays=(0, 2, 4),
        description="Intensive outpatient substance use treatment (ASAM level 2.1), about 3 hours a day, 3 days a week",
    ),
}

# Days are per-diem days on scheduled minutes under the self-pay rule.
SELF_PAY_PLANNING_RULE = dataclasses.replace(hours.H0015, basis="scheduled")


@dataclass(frozen=True)
class PlannedItem:
    """One expected service on one day (UNITS of CODE)."""

    code: str
    day: dt.date
    units: int = 1


@dataclass(frozen=True)
class FeeRow:
    """A self-pay price: CODE costs UNIT_CHARGE from START until END (None:
    until changed). SITE_SPECIFIC rows win over the every-site list."""

    code: str
    unit_charge: Decimal
    start: dt.date
    end: dt.date | None = None
    site_specific: bool = False

    def in_force_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Line:
    code: str
    description: str
    quantity: int
    unit_charge: Decimal
    total: Decimal
    first_day: dt.date
    last_day: dt.date


class MissingFee(ValueError):
    """No self-pay fee schedule row prices CODE on DAY."""

    def __init__(self, code: str, day: dt.date) -> None:
        super().__init__(f"no self-pay price for {code} on {day:%Y-%m-%d}")
        self.code = code
        self.day = day


def period_days(first_day: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The first and last day of WEEKS weeks starting on FIRST_DAY."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}, not {weeks}")
    return first_day, first_day + dt.timedelta(days=7 * weeks - 1)


def standard_track_days(track: StandardTrack, first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """The track's days from FIRST_DAY to LAST_DAY (both included)."""
    days = []
    current = first_day
    while current <= last_day:
        if current.weekday() in track.weekdays:
            days.append(current)
        current += dt.timedelta(days=1)
    return days


def planned_per_diem_days(
    *,
    booked_minutes: Mapping[dt.date, int],
    first_day: dt.date,
    last_day: dt.date,
    track: StandardTrack | None,
    rule: hours.PerDiemRule = SELF_PAY_PLANNING_RULE,
) -> list[dt.date]:
    """Per-diem days expected from FIRST_DAY to LAST_DAY: in an ISO week with
    booked minutes, the days the rule makes billable on those minutes; in a
    week with nothing booked, the standard track's days (none without a track)."""
    if last_day < first_day:
        # A reversed period would otherwise plan no day at all: an estimate of $0, silently.
        raise ValueError(f"the period ends ({last_day}) before it starts ({first_day})")
    by_week: dict[hours.IsoWeek, hours.WeekHours] = {}
    for day, minutes in booked_minutes.items():
        if first_day <= day <= last_day and minutes > 0:
            week = by_week.setdefault(hours.IsoWeek.of(day), hours.WeekHours(hours.IsoWeek.of(day)))
            week.days[day] = hours.DayHours(day, scheduled_minutes=minutes)
    days: list[dt.date] = []
    for day in _days(first_day, last_day):
        week_key = hours.IsoWeek.of(day)
        if week_key in by_week:
            if day in hours.eligible_days(by_week[week_key], rule):
                days.append(day)
        elif track is not None and day.weekday() in track.weekdays:
            days.append(day)
    return days


def _days(first_day: dt.date, last_day: dt.date) -> Iterable[dt.date]:
    current = first_day
    while current <= last_day:
        yield current
        current += dt.timedelta(days=1)


def weekly_items(code: str, per_week: int, first_day: dt.date, last_day: dt.date) -> list[PlannedItem]:
    """PER_WEEK services of CODE in each week of the period (on its first days)."""
    items = []
    start = first_day
    while start <= last_day:
        for offset in range(min(per_week, 7)):
            day = start + dt.timedelta(days=offset)
            if day <= last_day:
                items.append(PlannedItem(code, day))
        start += dt.timedelta(days=7)
    return items


def price_on(rows: Sequence[FeeRow], code: str, day: dt.date) -> Decimal | None:
    """The unit charge of CODE on DAY: the site's own row first, else the list."""
    candidates = [row for row in rows if row.code == code and row.in_force_on(day)]
    candidates.sort(key=lambda row: (not row.site_specific, -row.start.toordinal()))
    return candidates[0].unit_charge if candidates else None


def itemize(items: Iterable[PlannedItem], rows: Sequence[FeeRow], descriptions: Mapping[str, str]) -> list[Line]:
    """One line per code and unit charge (a price change mid-period makes a
    second line), in order of first day. Raises MissingFee naming the first
    code and day without a price."""
    grouped: dict[tuple[str, Decimal], list[PlannedItem]] = defaultdict(list)
    for item in sorted(items, key=lambda entry: (entry.day, entry.code)):
        unit = price_on(rows, item.code, item.day)
        if unit is None:
            raise MissingFee(item.code, item.day)
        grouped[(item.code, money(unit))].append(item)
    lines = []
    for (code, unit), group in grouped.items():
        quantity = sum(item.units for item in group)
        lines.append(
            Line(
                code=code,
                description=descriptions.get(code, code),
                quantity=quantity,
                unit_charge=unit,
                total=money(unit * quantity),
                first_day=group[0].day,
                last_day=group[-1].day,
            )
        )
    return sorted(lines, key=lambda line: (line.first_day, line.code, line.unit_charge))


def estimate_total(lines: Iterable[Line]) -> Decimal:
    return money(sum((line.total for line in lines), Decimal(0)))


def billed_over_estimate(billed: Decimal, estimated: Decimal) -> Decimal:
    """How much the billed charges exceed the estimate (negative: under it)."""
    return money(billed - estimated)


def may_dispute(billed: Decimal, estimated: Decimal) -> bool:
    """True when billed charges exceed the estimate by $400 or more: the
    patient may then start the patient-provider dispute resolution process."""
    return billed_over_estimate(billed, estimated) >= DISPUTE_THRESHOLD
