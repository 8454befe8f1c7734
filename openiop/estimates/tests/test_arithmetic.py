# SPDX-License-Identifier: AGPL-3.0-or-later
"""The estimate's arithmetic (plain tests, no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openiop.estimates import arithmetic
from openiop.estimates.arithmetic import FeeRow, MissingFee, PlannedItem

D = dt.date
TRACK = arithmetic.STANDARD_TRACKS["2.1"]
DESCRIPTIONS = {"H0015": "IOP per diem", "80305": "Drug test"}


def test_the_standard_track_is_three_days_a_week_for_the_weeks_entered() -> None:
    first, last = arithmetic.period_days(D(2026, 3, 9), 4)  # a Monday
    assert last == D(2026, 4, 5)
    days = arithmetic.standard_track_days(TRACK, first, last)
    assert len(days) == 12
    assert {day.weekday() for day in days} == {0, 2, 4}
    with pytest.raises(ValueError):
        arithmetic.period_days(first, 0)
    with pytest.raises(ValueError):
        arithmetic.period_days(first, arithmetic.MAX_WEEKS + 1)


def test_booked_weeks_count_per_diem_days_and_unbooked_weeks_follow_the_track() -> None:
    first, last = arithmetic.period_days(D(2026, 3, 9), 2)
    # Week 1 booked: 3 h on Tuesday, Thursday and Saturday, 1 h on Monday (not a per-diem day).
    booked = {D(2026, 3, 9): 60, D(2026, 3, 10): 180, D(2026, 3, 12): 180, D(2026, 3, 14): 200}
    days = arithmetic.planned_per_diem_days(booked_minutes=booked, first_day=first, last_day=last, track=TRACK)
    assert days == [D(2026, 3, 10), D(2026, 3, 12), D(2026, 3, 14), D(2026, 3, 16), D(2026, 3, 18), D(2026, 3, 20)]


def test_a_reversed_period_is_refused_rather_than_planning_no_day() -> None:
    with pytest.raises(ValueError, match=r"ends \(2026-03-09\) before it starts"):
        arithmetic.planned_per_diem_days(
            booked_minutes={}, first_day=D(2026, 3, 15), last_day=D(2026, 3, 9), track=TRACK
        )
    # A one-day period is not reversed.
    assert arithmetic.planned_per_diem_days(
        booked_minutes={}, first_day=D(2026, 3, 9), last_day=D(2026, 3, 9), track=TRACK
    ) == [D(2026, 3, 9)]


def test_a_booked_week_under_three_qualifying_days_has_no_per_diem_day() -> None:
    booked = {D(2026, 3, 10): 180, D(2026, 3, 12): 180}
    days = arithmetic.planned_per_diem_days(
        booked_minutes=booked, first_day=D(2026, 3, 9), last_day=D(2026, 3, 15), track=TRACK
    )
    assert days == []


def test_lines_group_by_code_and_price_and_a_price_change_makes_a_second_line() -> None:
    rows = [
        FeeRow("H0015", Decimal("250.00"), D(2026, 1, 1), D(2026, 3, 31)),
        FeeRow("H0015", Decimal("260.00"), D(2026, 4, 1)),
        FeeRow("80305", Decimal("30.00"), D(2026, 1, 1)),
    ]
    items = [PlannedItem("H0015", D(2026, 3, day)) for day in (27, 30, 31)] + [
        PlannedItem("H0015", D(2026, 4, 1)),
        PlannedItem("80305", D(2026, 3, 30), units=2),
    ]
    lines = arithmetic.itemize(items, rows, DESCRIPTIONS)
    assert [(line.code, line.quantity, line.unit_charge, line.total) for line in lines] == [
        ("H0015", 3, Decimal("250.00"), Decimal("750.00")),
        ("80305", 2, Decimal("30.00"), Decimal("60.00")),
        ("H0015", 1, Decimal("260.00"), Decimal("260.00")),
    ]
    assert lines[0].first_day == D(2026, 3, 27) and lines[0].last_day == D(2026, 3, 31)
    assert lines[0].description == "IOP per diem"
    assert arithmetic.estimate_total(lines) == Decimal("1070.00")


def test_a_sites_own_price_wins_over_the_every_site_list() -> None:
    rows = [
        FeeRow("H0015", Decimal("250.00"), D(2026, 1, 1)),
        FeeRow("H0015", Decimal("225.50"), D(2026, 1, 1), site_specific=True),
    ]
    assert arithmetic.price_on(rows, "H0015", D(2026, 3, 9)) == Decimal("225.50")


def test_an_unpriced_code_names_the_code_and_the_day() -> None:
    rows = [FeeRow("H0015", Decimal("250.00"), D(2026, 1, 1))]
    with pytest.raises(MissingFee) as raised:
        arithmetic.itemize([PlannedItem("80305", D(2026, 3, 9))], rows, DESCRIPTIONS)
    assert raised.value.code == "80305" and raised.value.day == D(2026, 3, 9)


def test_weekly_items_put_n_services_in_each_week() -> None:
    items = arithmetic.weekly_items("80305", 1, D(2026, 3, 9), D(2026, 3, 29))
    assert [item.day for item in items] == [D(2026, 3, 9), D(2026, 3, 16), D(2026, 3, 23)]


@pytest.mark.parametrize(
    ("billed", "flagged"),
    [(Decimal("1399.99"), False), (Decimal("1400.00"), True), (Decimal("1400.01"), True), (Decimal("900"), False)],
)
def test_the_dispute_right_starts_at_400_dollars_over_the_estimate(billed: Decimal, flagged: bool) -> None:
    assert arithmetic.may_dispute(billed, Decimal("1000.00")) is flagged
    assert arithmetic.billed_over_estimate(Decimal("1399.99"), Decimal("1000.00")) == Decimal("399.99")
