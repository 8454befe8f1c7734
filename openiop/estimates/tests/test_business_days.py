# SPDX-License-Identifier: AGPL-3.0-or-later
"""Business days and the Good Faith Estimate's deadline (plain tests)."""

from __future__ import annotations

import datetime as dt

import pytest

from openiop.estimates.business_days import (
    add_business_days,
    business_days_until,
    estimate_due_on,
    is_business_day,
    us_federal_holidays,
)

D = dt.date


def test_the_2026_federal_holidays_are_observed_on_the_right_days() -> None:
    holidays = us_federal_holidays(2026)
    assert list(holidays) == [
        D(2026, 1, 1),
        D(2026, 1, 19),  # third Monday of January
        D(2026, 2, 16),
        D(2026, 5, 25),  # last Monday of May
        D(2026, 6, 19),
        D(2026, 7, 3),  # 4 July 2026 is a Saturday: observed Friday
        D(2026, 9, 7),
        D(2026, 10, 12),
        D(2026, 11, 11),
        D(2026, 11, 26),  # fourth Thursday of November
        D(2026, 12, 25),
    ]


def test_a_saturday_new_years_day_is_observed_on_the_last_day_of_the_year_before() -> None:
    # 1 January 2028 is a Saturday.
    assert D(2027, 12, 31) in us_federal_holidays(2027)
    assert D(2028, 1, 1) not in us_federal_holidays(2028)
    assert not is_business_day(D(2027, 12, 31))


def test_a_sunday_holiday_is_observed_the_monday_after() -> None:
    # Juneteenth 2022 fell on a Sunday.
    assert D(2022, 6, 20) in us_federal_holidays(2022)


def test_business_days_skip_weekends_and_holidays() -> None:
    friday = D(2026, 7, 2)  # Thursday 2 July; Friday 3 July is the observed Independence Day
    assert add_business_days(friday, 1) == D(2026, 7, 6)
    assert add_business_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday -> Monday
    assert add_business_days(D(2026, 3, 6), 0) == D(2026, 3, 6)
    assert business_days_until(D(2026, 3, 6), D(2026, 3, 11)) == 3  # Mon, Tue, Wed
    assert business_days_until(D(2026, 3, 11), D(2026, 3, 6)) == 0
    with pytest.raises(ValueError):
        add_business_days(friday, -1)


def test_scheduled_three_to_nine_business_days_ahead_is_due_one_business_day_after_scheduling() -> None:
    # Scheduled Friday 6 March for Wednesday 11 March: 3 business days ahead.
    assert estimate_due_on(scheduled_on=D(2026, 3, 6), service_on=D(2026, 3, 11)) == D(2026, 3, 9)
    # Nine business days ahead is still the 1-day rule.
    assert estimate_due_on(scheduled_on=D(2026, 3, 2), service_on=D(2026, 3, 13)) == D(2026, 3, 3)


def test_scheduled_ten_business_days_ahead_is_due_three_business_days_after_scheduling() -> None:
    # Thursday 2 July 2026 for 17 July: the holiday on the 3rd and the weekend are skipped.
    assert business_days_until(D(2026, 7, 2), D(2026, 7, 17)) == 10
    assert estimate_due_on(scheduled_on=D(2026, 7, 2), service_on=D(2026, 7, 17)) == D(2026, 7, 8)


def test_a_service_fewer_than_three_business_days_ahead_has_no_deadline_unless_requested() -> None:
    assert estimate_due_on(scheduled_on=D(2026, 3, 6), service_on=D(2026, 3, 10)) is None
    assert estimate_due_on() is None


def test_a_request_is_due_three_business_days_after_it_and_the_earlier_deadline_wins() -> None:
    # Requested Thursday 24 December 2026: Christmas and the weekend are skipped.
    assert estimate_due_on(requested_on=D(2026, 12, 24)) == D(2026, 12, 30)
    both = estimate_due_on(requested_on=D(2026, 3, 2), scheduled_on=D(2026, 3, 2), service_on=D(2026, 3, 9))
    assert both == D(2026, 3, 3)
