# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for scheduling: calendars, a patient's schedule, attendance for the
group note, and the hours dashboard (database rows in, the pure hours engine
in ``hours.py`` does the arithmetic)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from openiop.accounts.models import User
from openiop.core.access import has_action
from openiop.patients.models import Episode, Patient
from openiop.scheduling import busy, catalog, hours
from openiop.scheduling.models import Appointment, Attendance, Enrolment, Session, SessionStatus
from openiop.scheduling.permissions import SCHEDULING_VIEW
from openiop.sites.models import Site
from openiop.treatment import selectors as treatment_selectors

# --- Sessions and calendars -----------------------------------------------------------------------------------------


def session_queryset() -> QuerySet[Session]:
    """Unrestricted on purpose: views pass it to get_restricted_or_404."""
    return Session.objects.select_related("site", "room", "facilitator", "track", "series", "rescheduled_to").annotate(
        enrolled=Count("enrolments")
    )


def zone(site: Site) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(site.time_zone)


def local_range(site: Site, first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of FIRST to local midnight DAYS later, aware."""
    tz = zone(site)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    return start, dt.datetime.combine(first + dt.timedelta(days=days), dt.time(0), tzinfo=tz)


def sessions_between(user: Any, site: Site, start: dt.datetime, end: dt.datetime) -> QuerySet[Session]:
    return (
        session_queryset()
        .filter(pk__in=Session.objects.restrict(user, SCHEDULING_VIEW).filter(site=site).values("pk"))
        .filter(start__lt=end, end__gt=start)
        .order_by("start", "title")
    )


def appointments_between(user: Any, site: Site, start: dt.datetime, end: dt.datetime) -> QuerySet[Appointment]:
    return (
        Appointment.objects.restrict(user, SCHEDULING_VIEW)
        .filter(site=site, start__lt=end, end__gt=start)
        .select_related("patient", "clinician", "room", "site")
        .order_by("start")
    )


@dataclass
class CalendarRow:
    key: str
    label: str
    cells: list[list[Any]]  # one list of sessions/appointments per day column


@dataclass
class Calendar:
    days: list[dt.date]
    rows: list[CalendarRow]
    by: str


@dataclass
class BusyItem:
    """Another app's booking on the calendar (see ``busy``): read-only, and
    linked only for whoever may open what it links to."""

    block: busy.BusyBlock
    local_start: dt.datetime
    local_end: dt.datetime
    url: str
    status: str = SessionStatus.SCHEDULED
    is_busy_block: bool = True

    @property
    def pk(self) -> str:
        return self.block.key

    @property
    def label(self) -> str:
        return self.block.label


def calendar(
    user: Any, site: Site, *, first: dt.date, days: int, by: str, only: str | None = None, with_busy: bool = False
) -> Calendar:
    """Sessions (and, by clinician, appointments) of DAYS days from FIRST,
    one row per room, clinician or track, one column per day. WITH_BUSY adds,
    by room or clinician, the time other apps booked (intake assessments)."""
    start, end = local_range(site, first, days)
    tz = zone(site)
    day_list = [first + dt.timedelta(days=offset) for offset in range(days)]
    index = {day: position for position, day in enumerate(day_list)}
    rows: dict[str, CalendarRow] = {}

    def row(key: str, label: str) -> CalendarRow:
        if key not in rows:
            rows[key] = CalendarRow(key, label, [[] for _ in day_list])
        return rows[key]

    for session in sessions_between(user, site, start, end):
        if by == "room":
            key, label = f"room-{session.room_id}", session.room.name
        elif by == "track":
            key, label = (f"track-{session.track_id}", session.track.name) if session.track else ("track-none", "-")
        else:
            key, label = f"user-{session.facilitator_id}", str(session.facilitator)
        if only and only != key:
            continue
        position = index.get(session.start.astimezone(tz).date())
        if position is not None:
            row(key, label).cells[position].append(session)
    if by == "clinician":
        for appointment in appointments_between(user, site, start, end):
            key = f"user-{appointment.clinician_id}"
            if only and only != key:
                continue
            position = index.get(appointment.start.astimezone(tz).date())
            if position is not None:
                row(key, str(appointment.clinician)).cells[position].append(appointment)
    if with_busy and by in {"room", "clinician"}:
        _add_busy(user, site, start, end, by=by, only=only, row=row, index=index)
    return Calendar(day_list, sorted(rows.values(), key=lambda r: r.label), by)


def _add_busy(
    user: Any,
    site: Site,
    start: dt.datetime,
    end: dt.datetime,
    *,
    by: str,
    only: str | None,
    row: Any,
    index: dict[dt.date, int],
) -> None:
    tz = zone(site)
    blocks = busy.busy_blocks(start, end, site_id=site.pk)
    rooms = {room.pk: room.name for room in site.rooms.filter(pk__in={b.room_id for b in blocks if b.room_id})}
    clinicians = {u.pk: str(u) for u in User.objects.filter(pk__in={b.clinician_id for b in blocks if b.clinician_id})}
    may_open: dict[str, bool] = {}
    for block in blocks:
        if by == "room":
            if block.room_id is None or block.room_id not in rooms:
                continue
            key, label = f"room-{block.room_id}", rooms[block.room_id]
        else:
            if block.clinician_id is None:
                continue
            key, label = f"user-{block.clinician_id}", clinicians[block.clinician_id]
        if only and only != key:
            continue
        position = index.get(block.start.astimezone(tz).date())
        if position is None:
            continue
        if block.url_action not in may_open:
            may_open[block.url_action] = bool(block.url_action) and has_action(user, block.url_action)
        url = block.url if may_open[block.url_action] else ""
        item = BusyItem(block, block.start.astimezone(tz), block.end.astimezone(tz), url)
        cell = row(key, label).cells[position]
        cell.append(item)
        cell.sort(key=lambda entry: entry.local_start)  # the table reads in time order


# --- A patient's schedule -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleItem:
    start: dt.datetime
    end: dt.datetime
    title: str
    where: str
    status: str
    status_label: str
    attendance: Attendance | None
    session: Session | None = None
    appointment: Appointment | None = None

    @property
    def minutes(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)


def patient_schedule(patient: Patient, start: dt.datetime, end: dt.datetime) -> list[ScheduleItem]:
    """The patient's group sessions and appointments overlapping START-END
    (cancelled ones too, marked). The caller has checked access to PATIENT."""
    items: list[ScheduleItem] = []
    enrolments = (
        Enrolment.objects.filter(patient=patient, session__start__lt=end, session__end__gt=start)
        .select_related("session__room", "session__site", "attendance")
        .order_by("session__start")
    )
    for enrolment in enrolments:
        session = enrolment.session
        items.append(
            ScheduleItem(
                session.start,
                session.end,
                session.title,
                session.room.name,
                session.status,
                session.get_status_display(),
                getattr(enrolment, "attendance", None),
                session=session,
            )
        )
    appointments = Appointment.objects.filter(patient=patient, start__lt=end, end__gt=start).select_related(
        "clinician", "room", "site", "attendance"
    )
    for appointment in appointments:
        items.append(
            ScheduleItem(
                appointment.start,
                appointment.end,
                f"{appointment.service_name} ({appointment.clinician})",
                appointment.room.name if appointment.room else "",
                appointment.status,
                appointment.get_status_display(),
                getattr(appointment, "attendance", None),
                appointment=appointment,
            )
        )
    return sorted(items, key=lambda item: item.start)


# --- Attendance (the seam for group notes) --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantAttendance:
    """One participant of a session as the group-note module needs it."""

    enrolment_id: int
    patient_id: int
    episode_id: int
    name: str
    status: str | None  # Attendance.Status value, None when not recorded yet
    minutes_attended: int | None
    scheduled_minutes: int
    note: str

    @property
    def status_label(self) -> str:
        return str(Attendance.Status(self.status).label) if self.status else ""

    @property
    def attended(self) -> bool:
        return self.status is not None and hours.counts_as_attended(self.status)


def session_attendance(session: Session) -> list[ParticipantAttendance]:
    """Everyone enrolled in SESSION with what was recorded, ordered by name.
    The caller has checked access to SESSION (e.g. with ``restrict``)."""
    rows = Enrolment.objects.filter(session=session).select_related("patient", "attendance")
    length = session.minutes
    result = []
    for enrolment in rows:
        attendance: Attendance | None = getattr(enrolment, "attendance", None)
        result.append(
            ParticipantAttendance(
                enrolment_id=enrolment.pk,
                patient_id=enrolment.patient_id,
                episode_id=enrolment.episode_id,
                name=enrolment.patient.display_name,
                status=attendance.status if attendance else None,
                minutes_attended=attendance.minutes_attended if attendance else None,
                scheduled_minutes=length,
                note=attendance.note if attendance else "",
            )
        )
    return sorted(result, key=lambda row: (row.name.split()[-1], row.name))


# --- Hours ----------------------------------------------------------------------------------------------------------


def signed_plans(episodes: Iterable[Episode]) -> dict[int, Any]:
    """Each episode's latest signed treatment plan version, interventions
    prefetched, keyed by episode id: three queries however many episodes."""
    from openiop.treatment.models import PlanVersion

    signed = PlanVersion.objects.filter(plan__episode_id__in=[e.pk for e in episodes], status=PlanVersion.Status.SIGNED)
    latest: dict[int, tuple[int, int]] = {}
    for episode_id, number, pk in signed.values_list("plan__episode_id", "number", "pk"):
        latest[episode_id] = max(latest.get(episode_id, (number, pk)), (number, pk))
    versions = PlanVersion.objects.filter(pk__in=[pk for _number, pk in latest.values()]).select_related("plan")
    return {version.plan.episode_id: version for version in versions.prefetch_related("interventions")}


def _signed_plan(episode: Episode, plans: dict[int, Any] | None) -> Any:
    if plans is not None:
        return plans.get(episode.pk)
    return signed_plans([episode]).get(episode.pk)


def planned_minutes(
    episode: Episode, table: treatment_selectors.BandTable | None = None, plans: dict[int, Any] | None = None
) -> tuple[int, str]:
    """Weekly minutes the signed treatment plan asks for, and where the
    number comes from; the band minimum when there is no signed plan. Pass
    PLANS (from ``signed_plans()``) to look up many episodes at once."""
    from openiop.treatment import rules as plan_rules

    version = _signed_plan(episode, plans)
    if version is not None:
        if version.planned_hours is not None:
            return round(float(version.planned_hours) * 60), "plan"
        interventions = list(version.interventions.all())
        if interventions:
            return round(float(plan_rules.weekly_minutes(i.as_rule() for i in interventions))), "plan"
    band = treatment_selectors.band_for(episode, table)
    return (band.min_minutes if band else 0), "band"


def planned_individual_sessions(episode: Episode, plans: dict[int, Any] | None = None) -> tuple[int, int]:
    """(individual sessions per week, minutes each) from the signed plan."""
    from openiop.treatment.models import ServiceType

    version = _signed_plan(episode, plans)
    if version is None:
        return 0, 50
    rows = [i for i in version.interventions.all() if i.service_type == ServiceType.INDIVIDUAL]
    if not rows:
        return 0, 50
    count = min(7, int(sum(float(i.sessions_per_week) for i in rows) + 0.5))
    return count, max(i.minutes for i in rows)


def engine_appointments(
    patient_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[hours.Appointment]]:
    """Each patient's bookings overlapping START-END as the hours engine's
    records. Cancelled and rescheduled sessions count nowhere; services that
    are not treatment time (specimen collection) are left out."""
    ids = list(patient_ids)
    result: dict[int, list[hours.Appointment]] = defaultdict(list)
    # Plain rows, not model instances: a site's month is thousands of
    # bookings, and building an Enrolment, a Session and an Attendance object
    # for each was most of the hours dashboard's time.
    enrolments = Enrolment.objects.filter(
        patient_id__in=ids, session__start__lt=end, session__end__gt=start
    ).values_list(
        "patient_id",
        "session_id",
        "session__start",
        "session__end",
        "session__status",
        "attendance__minutes_attended",
        "attendance__pk",
    )
    for patient_id, session_id, session_start, session_end, status, minutes, attendance_pk in enrolments:
        result[patient_id].append(
            hours.Appointment(
                start=session_start,
                end=session_end,
                minutes_attended=minutes if attendance_pk is not None else None,
                cancelled=status != SessionStatus.SCHEDULED,
                key=f"session-{session_id}",
            )
        )
    appointments = Appointment.objects.filter(patient_id__in=ids, start__lt=end, end__gt=start).values_list(
        "pk", "patient_id", "service", "start", "end", "status", "attendance__minutes_attended", "attendance__pk"
    )
    for (
        pk,
        patient_id,
        service_code,
        appointment_start,
        appointment_end,
        status,
        minutes,
        attendance_pk,
    ) in appointments:
        service = catalog.SERVICES.get(service_code)
        if service is not None and not (service.counts_towards_hours and service.with_patient):
            continue
        result[patient_id].append(
            hours.Appointment(
                start=appointment_start,
                end=appointment_end,
                minutes_attended=minutes if attendance_pk is not None else None,
                cancelled=status != SessionStatus.SCHEDULED,
                key=f"appointment-{pk}",
            )
        )
    return result


def week_range(site: Site, week: hours.IsoWeek, *, before: int = 0) -> tuple[dt.datetime, dt.datetime]:
    """Local Monday 00:00 of BEFORE weeks earlier to the next Monday 00:00."""
    first = week.shifted(-before).monday
    return local_range(site, first, 7 * (before + 1))


@dataclass
class HoursRow:
    episode: Episode
    patient: Patient
    week: hours.WeekHours
    band: hours.HoursBand | None
    planned_source: str
    flags: hours.WeekFlags | None
    eligible_days: tuple[dt.date, ...]
    falling: hours.FallingAttendance | None
    history: list[hours.WeekHours] = field(default_factory=list)

    @property
    def attention(self) -> bool:
        return bool(self.falling) or bool(self.flags and (self.flags.under_hours or self.flags.over_hours))


def hours_rows(
    site: Site,
    episodes: Sequence[Episode],
    week: hours.IsoWeek,
    *,
    today: dt.date,
    history_weeks: int = 3,
    rule: hours.PerDiemRule = hours.H0015,
    with_planned: bool = True,
) -> list[HoursRow]:
    """Planned, scheduled and attended hours of each episode's patient in
    WEEK (local to SITE), with the band flags (attended hours once the week
    is over, scheduled hours before), per-diem days and falling attendance
    over the HISTORY_WEEKS weeks before. WITH_PLANNED False leaves the planned
    hours out (no flag depends on them): a page of rows gets them from
    ``add_planned`` instead of reading every episode's plan."""
    start, end = week_range(site, week, before=history_weeks)
    by_patient = engine_appointments((e.patient_id for e in episodes), start, end)
    wanted = [week.shifted(-offset) for offset in range(history_weeks, -1, -1)]
    week_over = today > week.days[-1]
    rows = []
    table = treatment_selectors.band_table()
    plans = signed_plans(episodes) if with_planned else {}
    for episode in episodes:
        planned, source = planned_minutes(episode, table, plans) if with_planned else (0, "")
        weeks = hours.weekly_hours(
            by_patient.get(episode.patient_id, []), tz=zone(site), planned_minutes=planned, weeks=wanted
        )
        this = weeks[week]
        band = treatment_selectors.band_for(episode, table)
        basis = "attended" if week_over else "scheduled"
        flags = hours.week_flags(this, band, basis=basis) if band else None
        falling = hours.falling_attendance({w: weeks[w] for w in wanted}, until=week)
        rows.append(
            HoursRow(
                episode=episode,
                patient=episode.patient,
                week=this,
                band=band,
                planned_source=source,
                flags=flags,
                eligible_days=hours.eligible_days(this, rule),
                falling=falling,
                history=[weeks[w] for w in wanted],
            )
        )
    return rows


def add_planned(rows: Sequence[HoursRow]) -> None:
    """Fill in the planned hours of ROWS made without them (three queries)."""
    table = treatment_selectors.band_table()
    plans = signed_plans([row.episode for row in rows])
    for row in rows:
        minutes, row.planned_source = planned_minutes(row.episode, table, plans)
        for shown in (row.week, *row.history):
            shown.planned_minutes = minutes


def active_episodes(user: Any, site: Site) -> QuerySet[Episode]:
    return (
        Episode.objects.restrict(user, SCHEDULING_VIEW)
        .filter(site=site, status=Episode.Status.ACTIVE)
        .select_related("patient", "site")
        .order_by("patient__legal_last_name", "patient__legal_first_name", "pk")
    )
