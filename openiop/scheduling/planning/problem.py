# SPDX-License-Identifier: AGPL-3.0-or-later
"""Building the optimizer's Problem for one site's week from the database:
sessions, bookings made by hand, availability and last week's plan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from openiop.patients.models import Episode
from openiop.scheduling import catalog, optimizer, selectors
from openiop.scheduling.busy import busy_blocks
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import (
    Appointment,
    ClinicianAvailability,
    Enrolment,
    PatientAvailability,
    Session,
    SessionStatus,
    Track,
)
from openiop.sites.models import OpeningHours, Site
from openiop.treatment import selectors as treatment_selectors

OPTIMIZER = Enrolment.Source.OPTIMIZER
DEFAULT_CASELOAD = 15


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def subtract(windows: Iterable[optimizer.Window], busy: Iterable[optimizer.Window]) -> tuple[optimizer.Window, ...]:
    """WINDOWS minus the BUSY times (both per day of the week)."""
    result = list(optimizer.merge_windows(windows))
    for block in busy:
        pieces: list[optimizer.Window] = []
        for window in result:
            if window.day != block.day or block.end <= window.start or window.end <= block.start:
                pieces.append(window)
                continue
            if window.start < block.start:
                pieces.append(optimizer.Window(window.day, window.start, block.start))
            if block.end < window.end:
                pieces.append(optimizer.Window(window.day, block.end, window.end))
        result = pieces
    return tuple(sorted(result))


def slot_id(session: Session) -> str:
    """The same id every week for a series' meeting at one weekday and time,
    which is how the planner recognises last week's cohort."""
    local = session.local_start
    if session.series_id:
        return f"series-{session.series_id}@{local.weekday()}-{_minutes(local.time())}"
    return f"session-{session.pk}"


def _track(session: Session, day: int, start: int) -> optimizer.Track:
    if session.track is not None:
        return optimizer.Track(session.track.kind)
    if day >= 5:
        return optimizer.Track.WEEKEND
    if start < 12 * 60:
        return optimizer.Track.MORNING
    return optimizer.Track.AFTERNOON if start < 17 * 60 else optimizer.Track.EVENING


def matrix_week(episode: Episode, week_start: dt.date) -> int | None:
    if episode.program != Episode.Program.MATRIX:
        return None
    week = (week_start - episode.admission_date).days // 7 + 1
    return week if 1 <= week <= catalog.MATRIX_WEEKS else None


@dataclass
class Built:
    """The Problem and how its ids map back to rows."""

    problem: optimizer.Problem
    site: Site
    week_start: dt.date
    sessions: dict[str, Session]
    episodes: dict[str, Episode]
    skipped: list[str] = field(default_factory=list)  # people left out, and why
    current: optimizer.Schedule = field(default_factory=lambda: optimizer.Schedule({}))
    last_week: optimizer.Schedule | None = None  # last week's published week, the solver's warm start (``warm``)


def local_window(site: Site, start: dt.datetime, end: dt.datetime) -> optimizer.Window:
    tz = selectors.zone(site)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    end_minutes = _minutes(local_end.time()) if local_end.date() == local_start.date() else 24 * 60
    return optimizer.Window(local_start.weekday(), _minutes(local_start.time()), max(end_minutes, 1))


def build_problem(site: Site, week_start: dt.date) -> Built:
    """Next week's Problem for SITE from the database."""
    week = IsoWeek.of(week_start)
    start, end = selectors.week_range(site, week)
    last_start, last_end = selectors.week_range(site, week.shifted(-1))
    opening = tuple(
        optimizer.Window(row.weekday, _minutes(row.opens), _minutes(row.closes))
        for row in OpeningHours.objects.filter(site=site)
    )
    site_id = str(site.pk)
    sessions = list(
        Session.objects.filter(site=site, status=SessionStatus.SCHEDULED, start__gte=start, start__lt=end)
        .select_related("site", "track", "room")
        .order_by("start")
    )
    week_enrolments = list(
        Enrolment.objects.filter(session__in=sessions).select_related("session__site", "session__track")
    )
    by_hand: dict[int, int] = defaultdict(int)
    for enrolment in week_enrolments:
        if enrolment.source != OPTIMIZER:
            by_hand[enrolment.session_id] += 1
    group_rows: list[optimizer.GroupSession] = []
    session_map: dict[str, Session] = {}
    for session in sessions:
        service = catalog.SERVICES.get(session.service)
        if service is None or service.topic is None:
            continue
        window = local_window(site, session.start, session.end)
        seats = session.capacity_max - by_hand[session.pk]
        if seats <= 0:
            continue
        key = slot_id(session)
        if key in session_map:  # two one-off sessions cannot share an id; series slots are unique per week
            key = f"session-{session.pk}"
        session_map[key] = session
        group_rows.append(
            optimizer.GroupSession(
                id=key,
                site=site_id,
                day=window.day,
                start=window.start,
                end=window.end,
                topic=service.topic,
                track=_track(session, window.day, window.start),
                min_size=max(1, session.capacity_min - by_hand[session.pk]),
                max_size=seats,
                room=f"room-{session.room_id}",
                facilitator=str(session.facilitator_id),
            )
        )
    slot_by_pk = {session.pk: key for key, session in session_map.items()}

    # Clinicians: weekly windows minus appointments booked by hand that week.
    manual_appointments = list(
        Appointment.objects.filter(site=site, status=SessionStatus.SCHEDULED, start__gte=start, start__lt=end)
        .exclude(source=OPTIMIZER)
        .select_related("site")
    )
    windows: dict[int, list[optimizer.Window]] = defaultdict(list)
    caseloads: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    for row in ClinicianAvailability.objects.filter(site=site).select_related("user"):
        windows[row.user_id].append(optimizer.Window(row.weekday, _minutes(row.start_time), _minutes(row.end_time)))
        caseloads[row.user_id] = max(caseloads[row.user_id], row.weekly_caseload)
        names[row.user_id] = str(row.user)
    clinician_busy: dict[int, list[optimizer.Window]] = defaultdict(list)
    for appointment in manual_appointments:
        clinician_busy[appointment.clinician_id].append(local_window(site, appointment.start, appointment.end))
    # Time other apps booked (an intake assessment), at this site or another: publishing would refuse it.
    for block in busy_blocks(start, end, clinician_ids=list(windows)):
        if block.clinician_id is not None:
            clinician_busy[block.clinician_id].append(local_window(site, block.start, block.end))
    clinicians = tuple(
        optimizer.Clinician(
            id=str(user_id),
            site=site_id,
            name=names[user_id],
            availability=subtract(user_windows, clinician_busy[user_id]),
            caseload=caseloads[user_id] or DEFAULT_CASELOAD,
        )
        for user_id, user_windows in sorted(windows.items())
    )
    clinician_ids = {c.id for c in clinicians}

    # Patients: active episodes at the site with availability recorded.
    episodes = list(
        Episode.objects.filter(site=site, status=Episode.Status.ACTIVE).select_related("patient").order_by("pk")
    )
    availability: dict[int, list[PatientAvailability]] = defaultdict(list)
    for patient_window in PatientAvailability.objects.filter(patient__in=[e.patient_id for e in episodes]):
        availability[patient_window.patient_id].append(patient_window)
    patient_busy: dict[int, list[optimizer.Window]] = defaultdict(list)
    booked_minutes: dict[int, int] = defaultdict(int)
    for enrolment in week_enrolments:
        if enrolment.source != OPTIMIZER:
            patient_busy[enrolment.patient_id].append(
                local_window(site, enrolment.session.start, enrolment.session.end)
            )
            booked_minutes[enrolment.patient_id] += enrolment.session.minutes
    for appointment in Appointment.objects.filter(
        patient__in=[e.patient_id for e in episodes], status=SessionStatus.SCHEDULED, start__lt=end, end__gt=start
    ).exclude(source=OPTIMIZER):
        patient_busy[appointment.patient_id].append(local_window(site, appointment.start, appointment.end))
        booked_minutes[appointment.patient_id] += appointment.minutes
    last_week: dict[int, set[str]] = defaultdict(set)
    for enrolment in Enrolment.objects.filter(
        patient__in=[e.patient_id for e in episodes],
        session__site=site,
        session__start__gte=last_start,
        session__start__lt=last_end,
    ).select_related("session__site", "attendance"):
        attendance = getattr(enrolment, "attendance", None)
        if attendance is None or attendance.counts_as_attended:
            last_week[enrolment.patient_id].add(slot_id(enrolment.session))

    patients: list[optimizer.Patient] = []
    episode_map: dict[str, Episode] = {}
    bands = treatment_selectors.band_table()
    plans = selectors.signed_plans(episodes)
    skipped: list[str] = []
    for episode in episodes:
        rows = availability.get(episode.patient_id, [])
        if not rows:
            skipped.append(
                _("%(name)s: no availability recorded, not planned.") % {"name": episode.patient.display_name}
            )
            continue
        free = [
            optimizer.Window(r.weekday, _minutes(r.start_time), _minutes(r.end_time)) for r in rows if not r.is_busy
        ]
        busy = [optimizer.Window(r.weekday, _minutes(r.start_time), _minutes(r.end_time)) for r in rows if r.is_busy]
        base = free or list(opening)
        band = treatment_selectors.band_for(episode, bands)
        planned, source = selectors.planned_minutes(episode, bands, plans)
        low = planned if source == "plan" else (band.min_minutes if band else 0)
        # A band without a ceiling (partial hospitalization) or no band at all still needs one for the
        # planner: 19 hours, or the minimum when that is higher.
        high_band = band.max_minutes if band and band.max_minutes is not None else 19 * 60
        high = max(low, high_band)
        done = booked_minutes[episode.patient_id]
        individual, individual_minutes = selectors.planned_individual_sessions(episode, plans)
        counsellor = str(episode.primary_counsellor_id) if episode.primary_counsellor_id else None
        key = str(episode.pk)
        episode_map[key] = episode
        patients.append(
            optimizer.Patient(
                id=key,
                site=site_id,
                availability=subtract(base, busy + patient_busy[episode.patient_id]),
                min_minutes=max(0, low - done),
                max_minutes=max(0, low - done, high - done),
                individual_sessions=individual if clinicians else 0,
                individual_minutes=individual_minutes,
                clinician=counsellor if counsellor in clinician_ids else None,
                matrix_week=matrix_week(episode, week_start),
                last_week=frozenset(last_week[episode.patient_id]),
                label=episode.patient.display_name,
            )
        )

    # What the planner placed last time, for re-planning one patient.
    groups: dict[str, set[str]] = defaultdict(set)
    for enrolment in week_enrolments:
        key = str(enrolment.episode_id)
        if enrolment.source == OPTIMIZER and key in episode_map and enrolment.session_id in slot_by_pk:
            groups[key].add(slot_by_pk[enrolment.session_id])
    individual_slots = []
    for appointment in Appointment.objects.filter(
        site=site, status=SessionStatus.SCHEDULED, source=OPTIMIZER, start__gte=start, start__lt=end
    ).select_related("site"):
        key = str(appointment.episode_id)
        if key in episode_map and str(appointment.clinician_id) in clinician_ids:
            window = local_window(site, appointment.start, appointment.end)
            individual_slots.append(
                optimizer.IndividualSlot(key, str(appointment.clinician_id), window.day, window.start, window.end)
            )
    current = optimizer.Schedule(
        {key: frozenset(value) for key, value in groups.items()}, tuple(sorted(individual_slots))
    )
    site_row = optimizer.Site(site_id, site.name, opening)
    problem = optimizer.Problem((site_row,), tuple(group_rows), clinicians, tuple(patients))
    return Built(problem, site, week_start, session_map, episode_map, skipped, current)


def tracks_of(site: Site) -> list[Track]:
    return list(Track.objects.filter(site=site, is_active=True))
