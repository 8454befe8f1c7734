# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week planner's seam with the database: build the optimizer's Problem
for one site's next week, store what it proposes, and publish a proposal.

Only what the planner placed (source "optimizer") is ever replaced: bookings
staff made by hand stay, count towards the week, take their seats and block
the patient's and clinician's time. Publishing runs every booking through the
same services as a booking by hand (overlaps, capacity, opening hours), in one
transaction: one refusal and the published schedule stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.jobs import enqueue_on_commit
from openiop.patients.models import Episode
from openiop.scheduling import catalog, optimizer, selectors, services
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import (
    Appointment,
    ClinicianAvailability,
    Enrolment,
    PatientAvailability,
    Session,
    SessionStatus,
    Track,
    WeekProposal,
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


def _window(site: Site, start: dt.datetime, end: dt.datetime) -> optimizer.Window:
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
        window = _window(site, session.start, session.end)
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
        clinician_busy[appointment.clinician_id].append(_window(site, appointment.start, appointment.end))
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
            patient_busy[enrolment.patient_id].append(_window(site, enrolment.session.start, enrolment.session.end))
            booked_minutes[enrolment.patient_id] += enrolment.session.minutes
    for appointment in Appointment.objects.filter(
        patient__in=[e.patient_id for e in episodes], status=SessionStatus.SCHEDULED, start__lt=end, end__gt=start
    ).exclude(source=OPTIMIZER):
        patient_busy[appointment.patient_id].append(_window(site, appointment.start, appointment.end))
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
            window = _window(site, appointment.start, appointment.end)
            individual_slots.append(
                optimizer.IndividualSlot(key, str(appointment.clinician_id), window.day, window.start, window.end)
            )
    current = optimizer.Schedule(
        {key: frozenset(value) for key, value in groups.items()}, tuple(sorted(individual_slots))
    )
    site_row = optimizer.Site(site_id, site.name, opening)
    problem = optimizer.Problem((site_row,), tuple(group_rows), clinicians, tuple(patients))
    return Built(problem, site, week_start, session_map, episode_map, skipped, current)


def _plan_json(built: Built, schedule: optimizer.Schedule, episode_ids: Iterable[str]) -> dict[str, Any]:
    tz = selectors.zone(built.site)
    wanted = set(episode_ids)
    groups = {
        key: sorted(built.sessions[slot].pk for slot in schedule.sessions_of(key))
        for key in sorted(wanted)
        if schedule.sessions_of(key)
    }
    appointments = []
    for slot in schedule.individual:
        if slot.patient not in wanted:
            continue
        day = built.week_start + dt.timedelta(days=slot.day)
        start = dt.datetime.combine(day, dt.time(slot.start // 60, slot.start % 60), tzinfo=tz)
        appointments.append(
            {
                "episode": int(slot.patient),
                "clinician": int(slot.clinician),
                "start": start.isoformat(),
                "end": (start + dt.timedelta(minutes=slot.minutes)).isoformat(),
                "service": catalog.INDIVIDUAL_THERAPY.key,
            }
        )
    return {"groups": groups, "appointments": appointments}


def _new_proposal(built: Built, actor: User, kind: str) -> WeekProposal:
    return WeekProposal(
        site=built.site,
        week_start=built.week_start,
        kind=kind,
        created_by=actor,
        session_versions={str(s.pk): s.version for s in built.sessions.values()},
    )


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=7 - today.weekday())


def solve_seconds(time_limit: float | None = None) -> float:
    """The solver's time limit for a whole week (OPENIOP_SCHEDULE_SOLVE_SECONDS)."""
    if time_limit is not None:
        return time_limit
    return float(getattr(settings, "OPENIOP_SCHEDULE_SOLVE_SECONDS", 10))


def stuck_after() -> dt.timedelta:
    """How long a build may wait for the worker or run before it counts as
    lost (no worker running, or the worker was killed mid-solve)."""
    return dt.timedelta(seconds=max(15 * 60, 10 * solve_seconds()))


def _solve_week(built: Built, limit: float) -> optimizer.Result | optimizer.ProblemError:
    """The solve itself: no database, so no transaction held open meanwhile."""
    try:
        return optimizer.solve(built.problem, optimizer.SolveOptions(time_limit=limit, workers=2))
    except optimizer.ProblemError as error:
        return error


@transaction.atomic
def _store_week(
    proposal: WeekProposal, built: Built, outcome: optimizer.Result | optimizer.ProblemError, actor: User
) -> WeekProposal:
    """Fill PROPOSAL in from the solve: a draft for review, or failed with the reason."""
    proposal.session_versions = {str(s.pk): s.version for s in built.sessions.values()}
    proposal.warnings = list(built.skipped)
    site, week_start = built.site, built.week_start
    if isinstance(outcome, optimizer.ProblemError):
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = "\n".join(outcome.messages)
        proposal.save()
        log_action("scheduling.week.build_failed", obj=proposal, actor=actor, data={"messages": outcome.messages})
        return proposal
    result = outcome
    proposal.shortfalls = [shortfall.text for shortfall in result.shortfalls]
    proposal.solver_status = result.status
    proposal.solve_seconds = round(result.solve_seconds, 3)
    if result.schedule is None:
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = result.message or _("No week could be built.")
        proposal.save()
        log_action("scheduling.week.build_failed", obj=proposal, actor=actor, data={"status": result.status})
        return proposal
    proposal.status = WeekProposal.Status.DRAFT
    proposal.episode_ids = sorted(int(p.id) for p in built.problem.patients)
    proposal.plan = _plan_json(built, result.schedule, (p.id for p in built.problem.patients))
    proposal.explanations = {key: reasons for key, reasons in result.explanations.items() if reasons}
    proposal.objective, proposal.bound = result.objective, result.bound
    proposal.meeting = len(result.meeting)
    members = result.schedule.members()
    proposal.warnings += [
        _("%(session)s would have no one from this plan.") % {"session": built.sessions[key]}
        for key in sorted(built.sessions)
        if members.get(key, 0) == 0
    ]
    others = WeekProposal.objects.filter(site=site, week_start=week_start, status=WeekProposal.Status.DRAFT)
    if proposal.pk is not None:
        others = others.exclude(pk=proposal.pk)
    others.update(status=WeekProposal.Status.SUPERSEDED)
    proposal.save()
    log_action(
        "scheduling.week.propose",
        obj=proposal,
        actor=actor,
        data={"status": result.status, "patients": len(proposal.episode_ids), "meeting": proposal.meeting},
    )
    return proposal


@transaction.atomic
def propose_week(*, actor: User, site: Site, week_start: dt.date, time_limit: float | None = None) -> WeekProposal:
    """Build, check seats, solve and store a proposal (never applied here),
    all at once: for the demo seed and tests. Staff use ``week_request``."""
    if week_start.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    built = build_problem(site, week_start)
    proposal = _new_proposal(built, actor, WeekProposal.Kind.WEEK)
    return _store_week(proposal, built, _solve_week(built, solve_seconds(time_limit)), actor)


def expire_stuck(*, site: Site, week_start: dt.date, now: dt.datetime | None = None) -> int:
    """Mark builds of SITE's week that waited or ran too long as failed, so a
    lost build never blocks the next one. Returns how many."""
    now = now or timezone.now()
    deadline = now - stuck_after()
    running = WeekProposal.objects.filter(site=site, week_start=week_start)
    waited = running.filter(status=WeekProposal.Status.QUEUED, created_at__lt=deadline).update(
        status=WeekProposal.Status.FAILED,
        message=_(
            "No background worker picked this build up in time; check that the worker runs, then build the week again."
        ),
    )
    ran = running.filter(status=WeekProposal.Status.BUILDING, started_at__lt=deadline).update(
        status=WeekProposal.Status.FAILED,
        message=_("The planner stopped before it finished (the worker may have restarted); build the week again."),
    )
    return waited + ran


@transaction.atomic
def week_request(*, actor: User, site: Site, week_start: dt.date) -> tuple[WeekProposal, bool]:
    """Queue a build of SITE's week for the background worker: a proposal
    waiting for the planner now, filled in by ``week_run`` later. While one
    build of that week is waiting or running, no second one starts: returns
    (that build, False) instead of (the new one, True)."""
    from openiop.scheduling import tasks  # the task module imports this one

    if week_start.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    expire_stuck(site=site, week_start=week_start)
    running = WeekProposal.objects.filter(site=site, week_start=week_start, status__in=WeekProposal.RUNNING)
    current = running.first()
    if current is not None:
        return current, False
    try:
        with transaction.atomic():
            proposal = WeekProposal.objects.create(
                site=site,
                week_start=week_start,
                kind=WeekProposal.Kind.WEEK,
                status=WeekProposal.Status.QUEUED,
                created_by=actor,
            )
    except IntegrityError:  # another request queued the same week a moment ago
        current = running.first()
        if current is None:
            raise
        return current, False
    log_action("scheduling.week.queue", obj=proposal, actor=actor, data={"week": week_start.isoformat()})
    enqueue_on_commit(tasks.build_week, proposal.pk)
    return proposal, True


def week_run(proposal_id: int, *, time_limit: float | None = None) -> WeekProposal | None:
    """The worker's half of ``week_request``: claim the queued proposal, build
    the problem, solve and store. Anything that goes wrong marks the proposal
    failed with the reason before the error is raised again, so it never
    stays "being built". None when there is nothing to claim (already run)."""
    claimed = WeekProposal.objects.filter(pk=proposal_id, status=WeekProposal.Status.QUEUED).update(
        status=WeekProposal.Status.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return None
    proposal = WeekProposal.objects.select_related("site", "created_by").get(pk=proposal_id)
    try:
        built = build_problem(proposal.site, proposal.week_start)
        outcome = _solve_week(built, solve_seconds(time_limit))
        with transaction.atomic():
            # A build that ran past its deadline was marked failed meanwhile
            # (``expire_stuck``) and a newer one may own the week: drop ours.
            status = WeekProposal.objects.select_for_update().filter(pk=proposal_id).values_list("status", flat=True)
            if status.first() != WeekProposal.Status.BUILDING:
                return None
            return _store_week(proposal, built, outcome, proposal.created_by)
    except Exception as error:
        WeekProposal.objects.filter(pk=proposal_id, status__in=WeekProposal.RUNNING).update(
            status=WeekProposal.Status.FAILED,
            message=_(
                "The planner stopped with an error (%(error)s); the published schedule is unchanged. "
                "Build the week again, and tell your administrator if it happens again."
            )
            % {"error": type(error).__name__},
        )
        log_action(
            "scheduling.week.build_failed",
            obj=proposal,
            actor=proposal.created_by,
            data={"error": type(error).__name__},
        )
        raise


@transaction.atomic
def propose_replan(*, actor: User, site: Site, week_start: dt.date, episode: Episode) -> WeekProposal:
    """Re-plan one patient's week with everyone else's left as published."""
    built = build_problem(site, week_start)
    key = str(episode.pk)
    proposal = _new_proposal(built, actor, WeekProposal.Kind.REPLAN)
    if key not in built.episodes:
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = _("%(name)s has no active episode here with availability recorded.") % {
            "name": episode.patient.display_name
        }
        proposal.save()
        return proposal
    try:
        result = optimizer.replan_patient(built.problem, built.current, built.problem.patient(key), time_limit=2.0)
    except optimizer.ProblemError as error:
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = "\n".join(error.messages)
        proposal.save()
        log_action("scheduling.week.replan_failed", obj=proposal, actor=actor, patient_id=episode.patient_id)
        return proposal
    assert result.schedule is not None  # replan_patient raises rather than return no week
    proposal.solver_status = result.status
    proposal.solve_seconds = round(result.seconds, 3)
    proposal.episode_ids = [episode.pk]
    proposal.plan = _plan_json(built, result.schedule, [key])
    proposal.explanations = {key: result.explanation} if result.explanation else {}
    proposal.meeting = 1 if result.meets_plan else 0
    proposal.warnings = list(result.warnings)
    proposal.save()
    log_action("scheduling.week.replan", obj=proposal, actor=actor, patient_id=episode.patient_id)
    return proposal


def emptied_sessions(proposal: WeekProposal) -> list[Session]:
    """The group sessions of PROPOSAL's week that publishing it would leave
    with no one, and so cancels: sessions the planner was given whose every
    participant is a planned booking of the proposal's patients that gives way
    and that the new plan does not put back. Bookings by hand, bookings with
    attendance and patients the proposal does not cover keep a session. A
    re-plan of one patient only cancels a session that patient was the last in."""
    session_ids = [int(pk) for pk in proposal.session_versions]
    if not session_ids:
        return []
    patient_ids = set(Episode.objects.filter(pk__in=proposal.episode_ids).values_list("patient_id", flat=True))
    staying: dict[int, int] = defaultdict(int)
    leaving: dict[int, int] = defaultdict(int)
    for session_id, patient_id, source, attended in Enrolment.objects.filter(session_id__in=session_ids).values_list(
        "session_id", "patient_id", "source", "attendance"
    ):
        gives_way = source == OPTIMIZER and patient_id in patient_ids and attended is None
        (leaving if gives_way else staying)[session_id] += 1
    planned = {pk for pks in proposal.group_plan().values() for pk in pks}
    return [
        session
        for session in Session.objects.filter(pk__in=session_ids, status=SessionStatus.SCHEDULED)
        .select_related("site", "room")
        .order_by("start")
        if not staying[session.pk]
        and session.pk not in planned
        and (proposal.kind == WeekProposal.Kind.WEEK or leaving[session.pk])
    ]


@transaction.atomic
def publish(*, actor: User, proposal: WeekProposal) -> WeekProposal:
    """Apply a proposal: the planner's earlier bookings of its patients in
    that week give way to the new ones. All or nothing."""
    locked = WeekProposal.objects.select_for_update().select_related("site").get(pk=proposal.pk)
    if locked.status != WeekProposal.Status.DRAFT:
        raise ValidationError(
            _("This proposal is %(status)s; only a proposal ready for review can be published.")
            % {"status": locked.get_status_display()}
        )
    site = locked.site
    week = IsoWeek.of(locked.week_start)
    start, end = selectors.week_range(site, week)
    sessions = {
        s.pk: s for s in Session.objects.filter(pk__in=[int(k) for k in locked.session_versions]).select_related("site")
    }
    stale = [
        str(sessions[int(pk)]) if int(pk) in sessions else f"#{pk}"
        for pk, version in locked.session_versions.items()
        if int(pk) not in sessions
        or sessions[int(pk)].version != version
        or sessions[int(pk)].status != SessionStatus.SCHEDULED
    ]
    if stale:
        raise ValidationError(
            _("These sessions changed after the proposal was built: %(sessions)s. Build the week again.")
            % {"sessions": ", ".join(stale)}
        )
    episodes = {e.pk: e for e in Episode.objects.filter(pk__in=locked.episode_ids).select_related("patient")}
    inactive = [
        str(pk) for pk in locked.episode_ids if pk not in episodes or episodes[pk].status != Episode.Status.ACTIVE
    ]
    if inactive:
        raise ValidationError(_("Some patients in this proposal were discharged since; build the week again."))
    patient_ids = [e.patient_id for e in episodes.values()]
    emptied = emptied_sessions(locked)
    Enrolment.objects.filter(
        patient_id__in=patient_ids,
        source=OPTIMIZER,
        session__site=site,
        session__start__gte=start,
        session__start__lt=end,
        attendance__isnull=True,
    ).delete()
    Appointment.objects.filter(
        patient_id__in=patient_ids,
        source=OPTIMIZER,
        site=site,
        status=SessionStatus.SCHEDULED,
        start__gte=start,
        start__lt=end,
        attendance__isnull=True,
    ).update(status=SessionStatus.CANCELLED, status_reason=_("Replaced by week plan %(pk)d.") % {"pk": locked.pk})
    enrolled = 0
    for episode_pk, session_pks in locked.group_plan().items():
        for session_pk in session_pks:
            services.enrol(actor=actor, session=sessions[session_pk], episode=episodes[episode_pk], source=OPTIMIZER)
            enrolled += 1
    clinicians = {u.pk: u for u in User.objects.filter(pk__in=[a["clinician"] for a in locked.appointment_plan()])}
    for row in locked.appointment_plan():
        services.appointment_create(
            actor=actor,
            episode=episodes[int(row["episode"])],
            clinician=clinicians[int(row["clinician"])],
            service=row["service"],
            start=dt.datetime.fromisoformat(row["start"]),
            end=dt.datetime.fromisoformat(row["end"]),
            source=OPTIMIZER,
        )
    reason = _("No participants after the week was published")
    cancelled = []
    for session in emptied:
        # Lock the row first: an enrolment made meanwhile (enrol locks the
        # same row) is then either seen here or waits and finds it cancelled.
        Session.objects.select_for_update(of=("self",)).filter(pk=session.pk).first()
        if not Enrolment.objects.filter(session=session).exists():  # still empty: the plan stands as previewed
            services.session_cancel(actor=actor, session=session, reason=reason)
            cancelled.append(session.pk)
    locked.status = WeekProposal.Status.PUBLISHED
    locked.published_by = actor
    locked.published_at = timezone.now()
    locked.save()
    if locked.kind == WeekProposal.Kind.WEEK:
        WeekProposal.objects.filter(site=site, week_start=locked.week_start, status=WeekProposal.Status.DRAFT).exclude(
            pk=locked.pk
        ).update(status=WeekProposal.Status.SUPERSEDED)
    log_action(
        "scheduling.week.publish",
        obj=locked,
        actor=actor,
        data={"enrolments": enrolled, "appointments": len(locked.appointment_plan()), "cancelled_sessions": cancelled},
    )
    return locked


def tracks_of(site: Site) -> list[Track]:
    return list(Track.objects.filter(site=site, is_active=True))
