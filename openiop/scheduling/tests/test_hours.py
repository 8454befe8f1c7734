# SPDX-License-Identifier: AGPL-3.0-or-later
"""Hours engine arithmetic: weeks and days in the site's time zone, midnight
and DST, per-diem eligibility and flags (bands: test_hours_bands.py). No
database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from openiop.scheduling.hours import (
    ADULT,
    H0015,
    H2036,
    Appointment,
    IsoWeek,
    PerDiemRule,
    default_band,
    eligible_days,
    falling_attendance,
    split_by_local_day,
    week_flags,
    weekly_hours,
)

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
IOP = default_band("2.1", ADULT)
assert IOP is not None


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = NEW_YORK) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def session(day: date, start: int, hours: float, attended: int | None = None, tz: ZoneInfo = NEW_YORK) -> Appointment:
    begin = at(day, start, tz=tz)
    return Appointment(begin, begin + timedelta(minutes=round(hours * 60)), attended)


MONDAY = date(2025, 3, 3)  # ISO 2025-W10


def test_a_plain_week_adds_planned_scheduled_and_attended_hours() -> None:
    week = weekly_hours(
        [session(MONDAY, 9, 3, 180), session(MONDAY + timedelta(2), 9, 3, 150), session(MONDAY + timedelta(4), 18, 3)],
        tz=NEW_YORK,
        planned_minutes=9 * 60,
    )[IsoWeek(2025, 10)]
    assert (week.planned_hours, week.scheduled_hours, week.attended_hours) == (9, 9, 5.5)
    assert week.attendance_ratio == pytest.approx(330 / 540)


def test_cancelled_sessions_count_nowhere() -> None:
    cancelled = Appointment(at(MONDAY, 9), at(MONDAY, 12), cancelled=True)
    assert weekly_hours([cancelled], tz=NEW_YORK) == {}


def test_a_session_across_midnight_counts_on_both_days_and_shares_attendance() -> None:
    late = Appointment(at(MONDAY, 22), at(MONDAY + timedelta(1), 1), minutes_attended=120)
    week = weekly_hours([late], tz=NEW_YORK)[IsoWeek(2025, 10)]
    monday, tuesday = week.days[MONDAY], week.days[MONDAY + timedelta(1)]
    assert (monday.scheduled_minutes, tuesday.scheduled_minutes) == (120, 60)
    assert (monday.attended_minutes, tuesday.attended_minutes) == (80, 40)


def test_a_session_across_sunday_midnight_is_split_between_iso_weeks() -> None:
    sunday = MONDAY + timedelta(6)
    weeks = weekly_hours([Appointment(at(sunday, 23), at(sunday + timedelta(1), 2), 180)], tz=NEW_YORK)
    assert {str(k): v.scheduled_minutes for k, v in weeks.items()} == {"2025-W10": 60, "2025-W11": 120}
    assert weeks[IsoWeek(2025, 11)].attended_minutes == 120


def test_iso_week_53_and_the_year_boundary() -> None:
    # 2020-12-31 is in ISO week 2020-W53; 2021-01-04 starts 2021-W01.
    weeks = weekly_hours([session(date(2020, 12, 31), 9, 3), session(date(2021, 1, 4), 9, 3)], tz=NEW_YORK)
    assert list(weeks) == [IsoWeek(2020, 53), IsoWeek(2021, 1)]
    assert IsoWeek(2020, 53).shifted(1) == IsoWeek(2021, 1)
    assert IsoWeek(2021, 1).monday == date(2021, 1, 4)


def test_spring_forward_night_session_lasts_the_elapsed_time() -> None:
    # 2024-03-10 02:00 EST jumps to 03:00 EDT: 01:00-04:00 on the wall is 2 hours.
    night = date(2024, 3, 10)
    appointment = Appointment(at(night, 1), at(night, 4))
    assert appointment.minutes == 120
    assert split_by_local_day(appointment.start, appointment.end, NEW_YORK) == [(night, 120)]


def test_fall_back_night_session_lasts_the_elapsed_time() -> None:
    # 2024-11-03 02:00 EDT falls back to 01:00 EST: 00:30-02:30 on the wall is 3 hours.
    night = date(2024, 11, 3)
    appointment = Appointment(at(night, 0, 30), at(night, 2, 30))
    assert appointment.minutes == 180
    week = weekly_hours([appointment], tz=NEW_YORK)[IsoWeek.of(night)]
    assert week.scheduled_minutes == 180


def test_a_day_with_a_dst_change_still_splits_at_local_midnight() -> None:
    # 23:00 on the day before spring-forward until 05:00 after it: 1 h + 4 h elapsed.
    saturday = date(2024, 3, 9)
    parts = split_by_local_day(at(saturday, 23), at(saturday + timedelta(1), 5), NEW_YORK)
    assert parts == [(saturday, 60), (saturday + timedelta(1), 240)]


def test_the_same_instant_falls_on_different_local_days_in_different_zones() -> None:
    # 2025-03-09 20:00 in Los Angeles is 2025-03-10 13:00 in Tokyo: Sunday there, Monday here.
    start = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)
    appointment = Appointment(start, start + timedelta(hours=3), 180)
    in_la = weekly_hours([appointment], tz=LOS_ANGELES)
    in_tokyo = weekly_hours([appointment], tz=TOKYO)
    assert list(in_la) == [IsoWeek(2025, 10)] and date(2025, 3, 9) in in_la[IsoWeek(2025, 10)].days
    assert list(in_tokyo) == [IsoWeek(2025, 11)] and date(2025, 3, 10) in in_tokyo[IsoWeek(2025, 11)].days


def test_appointments_must_be_aware_and_attendance_within_the_session() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        Appointment(datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 12))
    with pytest.raises(ValueError, match="between 0 and 180"):
        Appointment(at(MONDAY, 9), at(MONDAY, 12), minutes_attended=181)
    with pytest.raises(ValueError, match="end must be after start"):
        Appointment(at(MONDAY, 12), at(MONDAY, 9))


def test_planned_minutes_can_differ_per_week_and_empty_weeks_can_be_asked_for() -> None:
    later = IsoWeek(2025, 12)
    weeks = weekly_hours(
        [session(MONDAY, 9, 3)], tz=NEW_YORK, planned_minutes={IsoWeek(2025, 10): 540, later: 600}, weeks=[later]
    )
    assert weeks[IsoWeek(2025, 10)].planned_minutes == 540
    assert weeks[later].planned_minutes == 600 and weeks[later].scheduled_minutes == 0


# --- Per diem --------------------------------------------------------------------------------------------------------


def test_h0015_needs_three_hours_on_each_of_three_days() -> None:
    week = weekly_hours([session(MONDAY + timedelta(offset), 9, 3, 180) for offset in (0, 2, 4)], tz=NEW_YORK)[
        IsoWeek(2025, 10)
    ]
    assert eligible_days(week, H0015) == (MONDAY, MONDAY + timedelta(2), MONDAY + timedelta(4))


def test_two_qualifying_days_make_no_billable_day_and_179_minutes_is_not_three_hours() -> None:
    appointments = [session(MONDAY, 9, 3, 180), session(MONDAY + timedelta(1), 9, 3, 180)]
    short = Appointment(at(MONDAY + timedelta(3), 9), at(MONDAY + timedelta(3), 12), 179)
    week = weekly_hours([*appointments, short], tz=NEW_YORK)[IsoWeek(2025, 10)]
    assert eligible_days(week, H0015) == ()
    assert eligible_days(week, PerDiemRule("X", "two days", 180, 2, "test")) == (MONDAY, MONDAY + timedelta(1))


def test_per_diem_on_a_scheduled_basis_for_planning_and_configurable_rules() -> None:
    appointments = [session(MONDAY + timedelta(offset), 9, 3) for offset in (0, 1, 2)]
    week = weekly_hours(appointments, tz=NEW_YORK)[IsoWeek(2025, 10)]
    assert eligible_days(week, H0015) == ()  # nothing attended yet
    planning = PerDiemRule("H0015", "plan", 180, 3, "test", basis="scheduled")
    assert len(eligible_days(week, planning)) == 3
    assert H2036.configurable
    with pytest.raises(ValueError, match="basis"):
        eligible_days(week, PerDiemRule("X", "x", 1, 1, "t", basis="billed"))


def test_a_late_session_past_midnight_only_counts_its_part_of_each_day_for_per_diem() -> None:
    # 22:00-01:00 three nights: 2 h on each start day, not 3 h, so no H0015 day.
    appointments = [
        Appointment(at(MONDAY + timedelta(o), 22), at(MONDAY + timedelta(o + 1), 1), 180) for o in (0, 2, 4)
    ]
    week = weekly_hours(appointments, tz=NEW_YORK)[IsoWeek(2025, 10)]
    assert week.attended_minutes == 540
    assert eligible_days(week, H0015) == ()


# --- Flags -----------------------------------------------------------------------------------------------------------


def test_flags_under_over_and_missed_days() -> None:
    appointments = [
        session(MONDAY, 9, 3, 180),
        session(MONDAY + timedelta(1), 9, 3, 0),
        session(MONDAY + timedelta(2), 9, 3),
    ]
    week = weekly_hours(appointments, tz=NEW_YORK)[IsoWeek(2025, 10)]
    flags = week_flags(week, IOP)
    assert flags.under_hours and not flags.over_hours
    assert flags.missed_days == (MONDAY + timedelta(1),)  # Wednesday is not recorded yet, so not missed
    assert not week_flags(week, IOP, basis="scheduled").under_hours
    heavy = weekly_hours([session(MONDAY + timedelta(o), 8, 4, 240) for o in range(5)], tz=NEW_YORK)
    assert week_flags(heavy[IsoWeek(2025, 10)], IOP).over_hours
    with pytest.raises(ValueError, match="basis"):
        week_flags(week, IOP, basis="planned")


def weeks_with_ratios(*ratios: float | None) -> dict[IsoWeek, object]:
    appointments = []
    for index, ratio in enumerate(ratios):
        if ratio is None:
            continue
        monday = MONDAY + timedelta(weeks=index)
        appointments.append(session(monday, 9, 10, round(600 * ratio)))
    return weekly_hours(appointments, tz=NEW_YORK, weeks=[IsoWeek.of(MONDAY + timedelta(weeks=len(ratios) - 1))])  # type: ignore[return-value]


def test_falling_attendance_needs_two_consecutive_weeks_below_the_threshold() -> None:
    found = falling_attendance(weeks_with_ratios(1.0, 0.9, 0.6, 0.5))  # type: ignore[arg-type]
    assert found is not None
    assert found.weeks == (IsoWeek(2025, 12), IsoWeek(2025, 13))
    assert found.ratios == (0.6, 0.5)
    assert "75%" in str(found)
    assert falling_attendance(weeks_with_ratios(0.5, 0.6, 0.9, 0.5)) is None  # type: ignore[arg-type]
    assert falling_attendance(weeks_with_ratios(0.5, 0.5), threshold=0.4) is None  # type: ignore[arg-type]
    assert falling_attendance(weeks_with_ratios(0.9, 0.7, 0.7, 0.7), consecutive=3) is not None  # type: ignore[arg-type]


def test_a_week_with_nothing_scheduled_breaks_the_run() -> None:
    assert falling_attendance(weeks_with_ratios(0.5, None, 0.5)) is None  # type: ignore[arg-type]
    assert falling_attendance({}) is None


def test_the_current_week_still_being_recorded_is_left_out() -> None:
    weeks = weeks_with_ratios(0.5, 0.5)
    current = MONDAY + timedelta(weeks=2)
    more = weekly_hours(
        [
            *(session(MONDAY + timedelta(weeks=i), 9, 10, 300) for i in range(2)),
            session(current, 9, 3),  # not recorded yet
        ],
        tz=NEW_YORK,
    )
    assert falling_attendance(more) is not None
    assert falling_attendance(weeks) is not None  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        falling_attendance(more, threshold=0)
