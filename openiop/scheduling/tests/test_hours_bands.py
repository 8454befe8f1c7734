# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hours band and the attendance-minutes rule of the hours engine. No
database (the table and ``band_for`` are tested in treatment/tests)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openiop.scheduling import hours
from openiop.scheduling.hours import (
    ABOVE,
    ADOLESCENT,
    ADULT,
    BELOW,
    DEFAULT_BANDS,
    WITHIN,
    AttendanceMinutesError,
    HoursBand,
    attended_minutes,
    counts_as_attended,
    default_band,
)


def band(level: str, population: str) -> HoursBand:
    found = default_band(level, population)
    assert found is not None
    return found


ADULT_IOP = band("2.1", ADULT)
ADOLESCENT_IOP = band("2.1", ADOLESCENT)

# --- Bands -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "position"), [(539, BELOW), (540, WITHIN), (19 * 60, WITHIN), (19 * 60 + 1, ABOVE)]
)
def test_adult_iop_band_is_9_to_19_hours_inclusive(minutes: int, position: str) -> None:
    assert ADULT_IOP.position(minutes) == position


@pytest.mark.parametrize(
    ("minutes", "position"), [(359, BELOW), (360, WITHIN), (19 * 60, WITHIN), (19 * 60 + 1, ABOVE)]
)
def test_adolescent_iop_band_is_6_to_19_hours_because_20_is_partial_hospitalization(
    minutes: int, position: str
) -> None:
    assert ADOLESCENT_IOP.position(minutes) == position
    assert (ADOLESCENT_IOP.min_minutes, ADOLESCENT_IOP.max_minutes) == (360, 1140)
    assert ADOLESCENT_IOP.describe() == "6-19 h/week"
    assert band("2.5", ADOLESCENT).min_hours == Decimal(20)


@pytest.mark.parametrize(
    ("population", "minutes", "level_1", "iop"),
    [
        (ADULT, 535, WITHIN, BELOW),  # 8 h 55 min: under 9 h, so still level 1 (no gap between the bands)
        (ADULT, 539, WITHIN, BELOW),
        (ADULT, 540, ABOVE, WITHIN),
        (ADOLESCENT, 355, WITHIN, BELOW),
        (ADOLESCENT, 359, WITHIN, BELOW),
        (ADOLESCENT, 360, ABOVE, WITHIN),
    ],
)
def test_level_1_is_under_the_iop_minimum_with_no_gap_between_them(
    population: str, minutes: int, level_1: str, iop: str
) -> None:
    assert band("1", population).position(minutes) == level_1
    assert band("2.1", population).position(minutes) == iop


def test_an_exclusive_maximum_counts_whole_minutes_below_it() -> None:
    assert band("1", ADULT).max_minutes == 539
    assert band("1", ADOLESCENT).max_minutes == 359
    assert band("1", ADULT).position_of_hours(Decimal("8.99")) == WITHIN
    assert band("1", ADULT).position_of_hours(Decimal(9)) == ABOVE
    assert HoursBand("2.1", ADULT, Decimal(9), Decimal(20), "test", max_exclusive=True).describe() == (
        "9 h/week up to under 20"
    )


def test_planned_hours_are_placed_exactly_without_rounding_to_minutes() -> None:
    assert ADULT_IOP.position_of_hours(Decimal("8.99")) == BELOW
    assert ADULT_IOP.position_of_hours(Decimal(9)) == WITHIN
    assert ADULT_IOP.position_of_hours(Decimal(19)) == WITHIN
    assert ADULT_IOP.position_of_hours(Decimal("19.01")) == ABOVE
    # Two three-hour groups and an hour: below the adult band, within the adolescent one.
    assert ADULT_IOP.position_of_hours(Decimal(7)) == BELOW
    assert ADOLESCENT_IOP.position_of_hours(Decimal(7)) == WITHIN


def test_open_bounds_describe_themselves_and_never_flag_that_side() -> None:
    php = band("2.5", ADULT)
    outpatient = band("1", ADULT)
    unlimited = HoursBand("2.1", ADULT, None, None, "switched off by the program")
    assert (php.describe(), php.position(100 * 60), php.position(19 * 60), php.max_minutes) == (
        "at least 20 h/week",
        WITHIN,
        BELOW,
        None,
    )
    assert (outpatient.describe(), outpatient.min_minutes, outpatient.position(0)) == ("under 9 h/week", 0, WITHIN)
    assert outpatient.position(9 * 60) == ABOVE
    assert (unlimited.describe(), unlimited.position(0), unlimited.position(10_000)) == (
        "no hours limit",
        WITHIN,
        WITHIN,
    )


def test_the_one_list_has_each_level_and_population_once_with_its_source() -> None:
    pairs = [(b.level, b.population) for b in DEFAULT_BANDS]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == {(level, pop) for level in ("1", "2.1", "2.5") for pop in (ADULT, ADOLESCENT)}
    for entry in DEFAULT_BANDS:
        assert entry.rule.startswith("ASAM Criteria, 3rd ed. (2013)")
        assert entry.min_hours is None or entry.max_hours is None or entry.min_hours <= entry.max_hours


def test_levels_without_a_weekly_band_have_none_and_a_program_list_can_replace_the_defaults() -> None:
    assert default_band("3.5", ADULT) is None
    assert default_band("2.1", "child") is None
    contract = (HoursBand("2.1", ADULT, Decimal(10), Decimal(16), "payer contract 2025"),)
    assert band("2.1", ADULT).position(9 * 60 + 30) == WITHIN
    found = default_band("2.1", ADULT, contract)
    assert found is not None and found.position(9 * 60 + 30) == BELOW


# --- Attendance minutes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "minutes", "counted"),
    [
        (hours.PRESENT, None, 180),
        (hours.PRESENT, 170, 170),
        (hours.LATE, 150, 150),
        (hours.LEFT_EARLY, 1, 1),
        (hours.ABSENT, None, 0),
        (hours.ABSENT, 180, 0),  # the form's pre-filled full length, left untouched
        (hours.NO_SHOW, 0, 0),
    ],
)
def test_each_attendance_status_counts_its_minutes(status: str, minutes: int | None, counted: int) -> None:
    assert attended_minutes(status, minutes, 180) == counted


@pytest.mark.parametrize(
    ("status", "minutes", "problem"),
    [
        (hours.ABSENT, 30, AttendanceMinutesError.ZERO_MINUTES_ONLY),
        (hours.NO_SHOW, 179, AttendanceMinutesError.ZERO_MINUTES_ONLY),
        (hours.LATE, None, AttendanceMinutesError.MINUTES_NEEDED),
        (hours.LEFT_EARLY, None, AttendanceMinutesError.MINUTES_NEEDED),
        (hours.PRESENT, 0, AttendanceMinutesError.OUT_OF_RANGE),
        (hours.LATE, 181, AttendanceMinutesError.OUT_OF_RANGE),
        (hours.LATE, 180, AttendanceMinutesError.PARTIAL_BUT_WHOLE),
        (hours.LEFT_EARLY, 180, AttendanceMinutesError.PARTIAL_BUT_WHOLE),
        ("excused", 0, AttendanceMinutesError.UNKNOWN_STATUS),
    ],
)
def test_minutes_that_contradict_the_status_are_refused(status: str, minutes: int | None, problem: str) -> None:
    with pytest.raises(AttendanceMinutesError) as caught:
        attended_minutes(status, minutes, 180)
    assert (caught.value.problem, caught.value.length) == (problem, 180)


def test_present_late_and_left_early_attended_absent_and_no_show_did_not() -> None:
    assert [s for s in hours.ATTENDANCE_STATUSES if counts_as_attended(s)] == [
        hours.PRESENT,
        hours.LATE,
        hours.LEFT_EARLY,
    ]
    assert not counts_as_attended("")
