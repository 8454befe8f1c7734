# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hours engine: planned, scheduled and attended hours per patient per ISO
week, the level-of-care hours band (the one band type and the one list the
database table is seeded from), what each attendance status counts in
minutes, per-diem day eligibility and the flags the program dashboard shows.
Plain records in, plain results out; no database.

Time rules (each has a test):
- Weeks and days are the site's, in its IANA time zone: an ISO week runs from
  Monday 00:00 to the next Monday 00:00 local time.
- Durations are elapsed time (computed in UTC), so a session across a daylight
  saving change lasts what the clock on the wall says it lasted, not what the
  two local times suggest.
- A session crossing midnight counts on both days (and on both weeks when it
  crosses Sunday night), split at local midnight.
- Attended minutes are recorded per session as one number; when the session
  spans two days they are shared in proportion to the scheduled minutes of
  each part (largest remainder, so the total never changes).

Bands and per-diem rules are data: pass your own tables to override the
defaults (they are CONFIGURABLE, and the UI should say which rule is in force).
The band in force for an episode is ``openiop.treatment.selectors.band_for``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo


class IsoWeek(NamedTuple):
    year: int
    week: int

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.monday + timedelta(days=offset) for offset in range(7))

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class Appointment:
    """One scheduled session for one patient. ``minutes_attended`` is None
    until attendance is recorded (0 = absent). Cancelled sessions count
    nowhere."""

    start: datetime
    end: datetime
    minutes_attended: int | None = None
    cancelled: bool = False
    key: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"appointment {self.key or self.start}: start and end must be time-zone aware")
        if self.end <= self.start:
            raise ValueError(f"appointment {self.key or self.start}: end must be after start")
        if self.minutes_attended is not None and not 0 <= self.minutes_attended <= self.minutes:
            raise ValueError(
                f"appointment {self.key or self.start}: minutes attended must be between 0 and {self.minutes}"
            )

    @property
    def minutes(self) -> int:
        return elapsed_minutes(self.start, self.end)


def elapsed_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes from START to END as a clock on the wall measures them (every span's length)."""
    # Subtracting two datetimes that share a tzinfo object gives wall-clock time;
    # going through UTC gives elapsed time across a DST change.
    return round((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 60)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def split_by_local_day(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[date, int]]:
    """(local date, elapsed minutes) for each local day the interval touches."""
    parts: list[tuple[date, int]] = []
    cursor = start
    day = start.astimezone(tz).date()
    while True:
        next_midnight = _local_midnight(day + timedelta(days=1), tz)
        part_end = min(end.astimezone(UTC), next_midnight.astimezone(UTC))
        minutes = elapsed_minutes(cursor, part_end)
        if minutes > 0:
            parts.append((day, minutes))
        if part_end >= end.astimezone(UTC):
            return parts
        cursor = part_end
        day += timedelta(days=1)


def _share(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by largest remainder."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(value) for value in exact]
    leftover = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda index: (-(exact[index] - shares[index]), index))
    for index in order[:leftover]:
        shares[index] += 1
    return shares


@dataclass
class DayHours:
    day: date
    scheduled_minutes: int = 0
    attended_minutes: int = 0
    # Scheduled minutes whose attendance is not recorded yet.
    unrecorded_minutes: int = 0

    @property
    def missed(self) -> bool:
        """Something was scheduled, everything was recorded, nothing was attended."""
        return self.scheduled_minutes > 0 and self.unrecorded_minutes == 0 and self.attended_minutes == 0


@dataclass
class WeekHours:
    week: IsoWeek
    planned_minutes: int = 0
    days: dict[date, DayHours] = field(default_factory=dict)

    @property
    def scheduled_minutes(self) -> int:
        return sum(day.scheduled_minutes for day in self.days.values())

    @property
    def attended_minutes(self) -> int:
        return sum(day.attended_minutes for day in self.days.values())

    @property
    def planned_hours(self) -> float:
        return self.planned_minutes / 60

    @property
    def scheduled_hours(self) -> float:
        return self.scheduled_minutes / 60

    @property
    def attended_hours(self) -> float:
        return self.attended_minutes / 60

    @property
    def attendance_ratio(self) -> float | None:
        scheduled = self.scheduled_minutes
        return None if scheduled == 0 else self.attended_minutes / scheduled

    @property
    def missed_days(self) -> tuple[date, ...]:
        return tuple(sorted(day.day for day in self.days.values() if day.missed))


def weekly_hours(
    appointments: Iterable[Appointment],
    *,
    tz: ZoneInfo,
    planned_minutes: int | Mapping[IsoWeek, int] = 0,
    weeks: Iterable[IsoWeek] = (),
) -> dict[IsoWeek, WeekHours]:
    """Hours per ISO week (local to ``tz``) for one patient's appointments.

    ``planned_minutes`` is what the treatment plan asks for: one number for
    every week, or a number per week. ``weeks`` adds weeks that must appear
    even with nothing scheduled (a dashboard row for an empty week)."""
    result: dict[IsoWeek, WeekHours] = {}

    def week_of(day: date) -> WeekHours:
        key = IsoWeek.of(day)
        if key not in result:
            result[key] = WeekHours(key)
        return result[key]

    for week in weeks:
        week_of(week.monday)
    for appointment in appointments:
        if appointment.cancelled:
            continue
        parts = split_by_local_day(appointment.start, appointment.end, tz)
        attended = (
            _share(appointment.minutes_attended, [minutes for _, minutes in parts])
            if appointment.minutes_attended is not None
            else [0] * len(parts)
        )
        for (day, minutes), attended_part in zip(parts, attended, strict=True):
            hours = week_of(day)
            bucket = hours.days.setdefault(day, DayHours(day))
            bucket.scheduled_minutes += minutes
            bucket.attended_minutes += attended_part
            if appointment.minutes_attended is None:
                bucket.unrecorded_minutes += minutes
    for key, hours in result.items():
        if isinstance(planned_minutes, Mapping):
            hours.planned_minutes = planned_minutes.get(key, 0)
        else:
            hours.planned_minutes = planned_minutes
    return dict(sorted(result.items()))


# --- Level-of-care bands ---------------------------------------------------------------------------------------------

ADULT = "adult"
ADOLESCENT = "adolescent"

BELOW = "below"
WITHIN = "within"
ABOVE = "above"

MINUTES_PER_HOUR = Decimal(60)


@dataclass(frozen=True)
class HoursBand:
    """Weekly hours a level of care expects for a population. Either bound
    may be None (open). The minimum is included; so is the maximum unless
    ``max_exclusive`` (level 1 is "under 9 h/week": 8 h 59 min is within it,
    9 h is above it, with no gap between level 1 and IOP). ``rule`` says
    where the numbers come from and is shown beside every warning."""

    level: str
    population: str  # ADULT or ADOLESCENT
    min_hours: Decimal | None
    max_hours: Decimal | None
    rule: str
    max_exclusive: bool = False

    @property
    def min_minutes(self) -> int:
        return 0 if self.min_hours is None else round(self.min_hours * MINUTES_PER_HOUR)

    @property
    def max_minutes(self) -> int | None:
        """The most whole minutes a week within the band."""
        if self.max_hours is None:
            return None
        limit = self.max_hours * MINUTES_PER_HOUR
        if self.max_exclusive:
            return math.ceil(limit) - 1
        return math.floor(limit)

    def position(self, minutes: int | Decimal) -> str:
        """BELOW, WITHIN or ABOVE the band, for minutes in a week. Compared
        exactly (no rounding), so 8.99 h is below a 9 h minimum."""
        if self.min_hours is not None and minutes < self.min_hours * MINUTES_PER_HOUR:
            return BELOW
        if self.max_hours is not None:
            limit = self.max_hours * MINUTES_PER_HOUR
            if minutes > limit or (self.max_exclusive and minutes == limit):
                return ABOVE
        return WITHIN

    def position_of_hours(self, hours: Decimal) -> str:
        return self.position(hours * MINUTES_PER_HOUR)

    def describe(self) -> str:
        low, high = self.min_hours, self.max_hours
        if low is not None and high is not None:
            if self.max_exclusive:
                return f"{_plain(low)} h/week up to under {_plain(high)}"
            return f"{_plain(low)}-{_plain(high)} h/week"
        if low is not None:
            return f"at least {_plain(low)} h/week"
        if high is not None:
            return f"under {_plain(high)} h/week" if self.max_exclusive else f"at most {_plain(high)} h/week"
        return "no hours limit"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


ASAM_3 = "ASAM Criteria, 3rd ed. (2013)"
# The one list of bands. Data migrations seed the database table from it (an
# administrator may then change a row: the bands are CONFIGURABLE), and a
# level with no row in the table falls back to it, so the two never disagree.
# Changing an entry needs a new data migration to reach existing installations.
DEFAULT_BANDS: tuple[HoursBand, ...] = (
    HoursBand("1", ADULT, None, Decimal(9), f"{ASAM_3}: level 1 adult, under 9 h/week", max_exclusive=True),
    HoursBand("1", ADOLESCENT, None, Decimal(6), f"{ASAM_3}: level 1 adolescent, under 6 h/week", max_exclusive=True),
    HoursBand(
        "2.1",
        ADULT,
        Decimal(9),
        Decimal(19),
        f"{ASAM_3}: level 2.1 adult, 9 h/week or more; Medicare IOP (2024): 9-19 h/week",
    ),
    # 20 hours and more is partial hospitalization (2.5), so adolescent IOP also ends at 19.
    HoursBand(
        "2.1",
        ADOLESCENT,
        Decimal(6),
        Decimal(19),
        f"{ASAM_3}: level 2.1 adolescent, 6 h/week or more; 20 h/week or more is level 2.5",
    ),
    HoursBand("2.5", ADULT, Decimal(20), None, f"{ASAM_3}: level 2.5, 20 h/week or more"),
    HoursBand("2.5", ADOLESCENT, Decimal(20), None, f"{ASAM_3}: level 2.5, 20 h/week or more"),
)


def default_band(level: str, population: str, bands: Sequence[HoursBand] = DEFAULT_BANDS) -> HoursBand | None:
    """The band for LEVEL and POPULATION in BANDS; None for a level without
    one (residential and inpatient levels have no weekly hours band)."""
    for band in bands:
        if band.level == level and band.population == population:
            return band
    return None


# --- Attendance minutes ----------------------------------------------------------------------------------------------

PRESENT = "present"
LATE = "late"
LEFT_EARLY = "left_early"
ABSENT = "absent"  # excused
NO_SHOW = "no_show"
ATTENDANCE_STATUSES = (PRESENT, LATE, LEFT_EARLY, ABSENT, NO_SHOW)
ATTENDED_STATUSES = frozenset({PRESENT, LATE, LEFT_EARLY})
ZERO_MINUTE_STATUSES = frozenset({ABSENT, NO_SHOW})


class AttendanceMinutesError(ValueError):
    """Minutes that do not fit the status; ``problem`` is one of the
    constants below so that the caller can word it for the person."""

    UNKNOWN_STATUS = "unknown_status"
    ZERO_MINUTES_ONLY = "zero_minutes_only"  # absent or no-show with some minutes
    MINUTES_NEEDED = "minutes_needed"  # late or left early without minutes
    OUT_OF_RANGE = "out_of_range"  # not between 1 and the session's length
    PARTIAL_BUT_WHOLE = "partial_but_whole"  # late or left early, yet every minute

    def __init__(self, problem: str, status: str, minutes: int | None, length: int) -> None:
        super().__init__(f"{status}: {minutes} minutes of {length} ({problem})")
        self.problem = problem
        self.status = status
        self.minutes = minutes
        self.length = length


def counts_as_attended(status: str) -> bool:
    """Present, late and left early attended (the group note lists them);
    absent and no-show did not."""
    return status in ATTENDED_STATUSES


def attended_minutes(status: str, minutes: int | None, length: int) -> int:
    """The minutes a session of LENGTH minutes counts towards the week's
    attended hours for an attendance STATUS. Present: the whole session
    unless fewer minutes are given. Late and left early: the minutes given,
    at least 1 and fewer than the whole session. Absent and no-show: 0 (the
    attendance form pre-fills the whole length, so that is taken as 0 too).
    Raises AttendanceMinutesError for anything else."""
    if status not in ATTENDANCE_STATUSES:
        raise AttendanceMinutesError(AttendanceMinutesError.UNKNOWN_STATUS, status, minutes, length)
    if status in ZERO_MINUTE_STATUSES:
        if minutes and minutes != length:
            raise AttendanceMinutesError(AttendanceMinutesError.ZERO_MINUTES_ONLY, status, minutes, length)
        return 0
    if minutes is None:
        if status != PRESENT:
            raise AttendanceMinutesError(AttendanceMinutesError.MINUTES_NEEDED, status, minutes, length)
        return length
    if not 0 < minutes <= length:
        raise AttendanceMinutesError(AttendanceMinutesError.OUT_OF_RANGE, status, minutes, length)
    if status != PRESENT and minutes == length:
        raise AttendanceMinutesError(AttendanceMinutesError.PARTIAL_BUT_WHOLE, status, minutes, length)
    return minutes


# --- Per-diem day eligibility ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerDiemRule:
    """A day is billable when it reaches ``min_minutes_per_day`` (with 0, any
    day with some minutes counts) and the week has at least
    ``min_days_per_week`` such days and at least ``min_minutes_per_week``
    minutes in all (0: no weekly total). ``basis`` says which minutes count:
    "attended" (for claims) or "scheduled" (for planning). Payers set their
    own, e.g. "9 h/week over at least 2 days" is 0 / 2 / 540."""

    code: str
    description: str
    min_minutes_per_day: int
    min_days_per_week: int
    source: str
    configurable: bool = False
    basis: str = "attended"
    min_minutes_per_week: int = 0


H0015 = PerDiemRule(
    "H0015",
    "Alcohol and/or drug services; intensive outpatient, per diem",
    180,
    3,
    "HCPCS Level II, 2025 (H0015: at least 3 hours a day, at least 3 days a week)",
)
# The code texts set no thresholds of their own; programs and payers usually
# apply the H0015 shape. CONFIGURABLE.
S9480 = PerDiemRule(
    "S9480", "Intensive outpatient psychiatric services, per diem", 180, 3, "HCPCS Level II, 2025", configurable=True
)
H2036 = PerDiemRule(
    "H2036",
    "Alcohol and/or other drug treatment program, per diem",
    180,
    3,
    "HCPCS Level II, 2025",
    configurable=True,
)
PER_DIEM_RULES: tuple[PerDiemRule, ...] = (H0015, S9480, H2036)


def eligible_days(week: WeekHours, rule: PerDiemRule = H0015) -> tuple[date, ...]:
    """The days of ``week`` billable under ``rule`` (empty when the week has
    too few qualifying days)."""
    if rule.basis not in ("attended", "scheduled"):
        raise ValueError(f"{rule.code}: basis must be 'attended' or 'scheduled', not {rule.basis!r}")

    def minutes(day: DayHours) -> int:
        return day.attended_minutes if rule.basis == "attended" else day.scheduled_minutes

    # A day with no minutes is never a billable day, whatever the daily minimum.
    qualifying = sorted(
        day.day for day in week.days.values() if minutes(day) > 0 and minutes(day) >= rule.min_minutes_per_day
    )
    if len(qualifying) < rule.min_days_per_week:
        return ()
    if sum(minutes(day) for day in week.days.values()) < rule.min_minutes_per_week:
        return ()
    return tuple(qualifying)


# --- Flags -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekFlags:
    week: IsoWeek
    under_hours: bool
    over_hours: bool
    missed_days: tuple[date, ...]
    basis: str  # which minutes the under/over flags compared: "attended" or "scheduled"
    minutes: int


def week_flags(week: WeekHours, band: HoursBand, *, basis: str = "attended") -> WeekFlags:
    """Under-hours, over-hours and missed days for one week. Use basis
    "scheduled" for a week that has not happened yet, "attended" after."""
    if basis not in ("attended", "scheduled"):
        raise ValueError(f"basis must be 'attended' or 'scheduled', not {basis!r}")
    minutes = week.attended_minutes if basis == "attended" else week.scheduled_minutes
    position = band.position(minutes)
    return WeekFlags(
        week=week.week,
        under_hours=position == BELOW,
        over_hours=position == ABOVE,
        missed_days=week.missed_days,
        basis=basis,
        minutes=minutes,
    )


@dataclass(frozen=True)
class FallingAttendance:
    weeks: tuple[IsoWeek, ...]
    ratios: tuple[float, ...]
    threshold: float

    def __str__(self) -> str:
        shown = ", ".join(f"{week}: {ratio:.0%}" for week, ratio in zip(self.weeks, self.ratios, strict=True))
        return f"attended below {self.threshold:.0%} of scheduled hours for {len(self.weeks)} weeks in a row ({shown})"


def falling_attendance(
    weeks: Mapping[IsoWeek, WeekHours],
    *,
    threshold: float = 0.75,
    consecutive: int = 2,
    until: IsoWeek | None = None,
) -> FallingAttendance | None:
    """Attendance below ``threshold`` (attended/scheduled) in each of the
    ``consecutive`` most recent calendar weeks up to ``until`` (default: the
    last week given), which feeds reassessment. A week with nothing scheduled
    has no ratio and breaks the run: it is neither good nor bad news. Weeks
    whose attendance is not fully recorded are skipped when they are the most
    recent (the current week), otherwise they count with what is recorded."""
    if consecutive < 1:
        raise ValueError("consecutive must be at least 1")
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be above 0 and at most 1")
    if not weeks:
        return None
    last = until or max(weeks)
    current = weeks.get(last)
    if current is not None and any(day.unrecorded_minutes for day in current.days.values()):
        last = last.shifted(-1)
    run: list[tuple[IsoWeek, float]] = []
    week = last
    for _ in range(consecutive):
        hours = weeks.get(week)
        ratio = hours.attendance_ratio if hours is not None else None
        if ratio is None or ratio >= threshold:
            return None
        run.append((week, ratio))
        week = week.shifted(-1)
    run.reverse()
    return FallingAttendance(tuple(w for w, _ in run), tuple(r for _, r in run), threshold)
