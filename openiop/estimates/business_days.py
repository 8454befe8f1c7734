# SPDX-License-Identifier: AGPL-3.0-or-later
"""Business days and the Good Faith Estimate's deadline. Plain dates in,
plain dates out; no database.

A business day is Monday to Friday except the US federal holidays as
observed (5 U.S.C. 6103: a holiday on a Saturday is observed the Friday
before, on a Sunday the Monday after; New Year's Day on a Saturday is
observed on 31 December of the year before).

The deadline (No Surprises Act, 45 CFR 149.610(b)(1)(vi); DOMAIN.md "Money"):
- scheduled at least 3 business days before the service: the estimate is due
  1 business day after the day it was scheduled;
- scheduled at least 10 business days before: 3 business days after it was
  scheduled (DOMAIN.md says "10 days"; the rule counts business days, as here);
- requested (no service scheduled yet): 3 business days after the request.
A service scheduled fewer than 3 business days ahead has no deadline under
the rule (an estimate may still be given). When both a request and a
scheduling apply, the earlier deadline holds.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import cache

SCHEDULED_SOON_DAYS = 3  # business days ahead: due 1 business day after scheduling
SCHEDULED_AHEAD_DAYS = 10  # business days ahead: due 3 business days after scheduling
DUE_AFTER_SOON = 1
DUE_AFTER_AHEAD = 3
DUE_AFTER_REQUEST = 3


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The NTH (1-based; -1 for the last) WEEKDAY (Monday 0) of MONTH."""
    if nth > 0:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (nth - 1))
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def _holidays_of(year: int) -> dict[dt.date, str]:
    """The eleven federal holidays OF YEAR, each on the day it is observed."""
    fixed = {
        dt.date(year, 1, 1): "New Year's Day",
        dt.date(year, 6, 19): "Juneteenth National Independence Day",
        dt.date(year, 7, 4): "Independence Day",
        dt.date(year, 11, 11): "Veterans Day",
        dt.date(year, 12, 25): "Christmas Day",
    }
    moving = {
        _nth_weekday(year, 1, 0, 3): "Birthday of Martin Luther King, Jr.",
        _nth_weekday(year, 2, 0, 3): "Washington's Birthday",
        _nth_weekday(year, 5, 0, -1): "Memorial Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        _nth_weekday(year, 10, 0, 2): "Columbus Day",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving Day",
    }
    return {**{_observed(day): name for day, name in fixed.items()}, **moving}


@cache
def us_federal_holidays(year: int) -> dict[dt.date, str]:
    """Observed federal holidays falling in YEAR (date -> name). Includes
    31 December when the next New Year's Day falls on a Saturday."""
    found = {day: name for day, name in _holidays_of(year).items() if day.year == year}
    found.update({day: name for day, name in _holidays_of(year + 1).items() if day.year == year})
    return dict(sorted(found.items()))


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in us_federal_holidays(day.year)


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The COUNTth business day after DAY (COUNT >= 0; 0 gives DAY itself)."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    while count:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count -= 1
    return current


def business_days_until(start: dt.date, end: dt.date) -> int:
    """Business days after START up to and including END (0 when END <= START):
    how many business days ahead of START the day END lies."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


def estimate_due_on(
    *, scheduled_on: dt.date | None = None, service_on: dt.date | None = None, requested_on: dt.date | None = None
) -> dt.date | None:
    """The last day the estimate may be given, or None when neither rule
    applies (nothing requested, and the service not scheduled or scheduled
    fewer than 3 business days ahead)."""
    due: list[dt.date] = []
    if scheduled_on is not None and service_on is not None:
        ahead = business_days_until(scheduled_on, service_on)
        if ahead >= SCHEDULED_AHEAD_DAYS:
            due.append(add_business_days(scheduled_on, DUE_AFTER_AHEAD))
        elif ahead >= SCHEDULED_SOON_DAYS:
            due.append(add_business_days(scheduled_on, DUE_AFTER_SOON))
    if requested_on is not None:
        due.append(add_business_days(requested_on, DUE_AFTER_REQUEST))
    return min(due) if due else None
