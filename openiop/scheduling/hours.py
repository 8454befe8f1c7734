# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hours engine: planned, scheduled and attended hours per patient per ISO
week, the level-of-care band, per-diem day eligibility and the flags the
program dashboard shows. Plain records in, plain results out; no database.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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
        return _elapsed_minutes(self.start, self.end)


def _elapsed_minutes(start: datetime, end: datetime) -> int:
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
        minutes = _elapsed_minutes(cursor, part_end)
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


@dataclass(frozen=True)
class HoursBand:
    """Weekly hours for a level of care and population; ``max_hours`` None
    means no upper limit. Both ends are included."""

    key: str
    level: str
    population: str  # "adult" or "adolescent"
    min_hours: float
    max_hours: float | None
    source: str

    @property
    def min_minutes(self) -> int:
        return round(self.min_hours * 60)

    @property
    def max_minutes(self) -> int | None:
        return None if self.max_hours is None else round(self.max_hours * 60)

    def position(self, minutes: int) -> str:
        """ "under", "within" or "over" the band."""
        if minutes < self.min_minutes:
            return "under"
        if self.max_minutes is not None and minutes > self.max_minutes:
            return "over"
        return "within"


ASAM_3 = "ASAM Criteria, 3rd edition, 2013"
DEFAULT_BANDS: tuple[HoursBand, ...] = (
    HoursBand("iop_adult", "2.1", "adult", 9, 19, f"{ASAM_3}; Medicare IOP, 2024"),
    # 20 hours and more is partial hospitalization, so adolescent IOP also ends at 19.
    HoursBand("iop_adolescent", "2.1", "adolescent", 6, 19, ASAM_3),
    HoursBand("php_adult", "2.5", "adult", 20, None, ASAM_3),
    HoursBand("php_adolescent", "2.5", "adolescent", 20, None, ASAM_3),
)


def get_band(key: str, bands: Sequence[HoursBand] = DEFAULT_BANDS) -> HoursBand:
    for band in bands:
        if band.key == key:
            return band
    raise KeyError(f"unknown hours band {key!r}; known: {', '.join(band.key for band in bands)}")


# --- Per-diem day eligibility ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerDiemRule:
    """A day is billable when it reaches ``min_minutes_per_day`` and the week
    has at least ``min_days_per_week`` such days. ``basis`` says which
    minutes count: "attended" (for claims) or "scheduled" (for planning)."""

    code: str
    description: str
    min_minutes_per_day: int
    min_days_per_week: int
    source: str
    configurable: bool = False
    basis: str = "attended"


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
    qualifying = sorted(
        day.day
        for day in week.days.values()
        if (day.attended_minutes if rule.basis == "attended" else day.scheduled_minutes) >= rule.min_minutes_per_day
    )
    return tuple(qualifying) if len(qualifying) >= rule.min_days_per_week else ()


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
        under_hours=position == "under",
        over_hours=position == "over",
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
