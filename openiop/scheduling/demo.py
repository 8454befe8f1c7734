# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo schedule for the three main sites: tracks, recurring groups (through
the services, so they obey the rules), three past weeks of enrolments with
realistic gaps in attendance (absences, lateness, leaving early, no-shows),
availability windows, clinicians' hours, and next week built by the planner
and published. Past bookings are written in bulk: they are history, and the
seed must stay fast."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import RoleCode
from openiop.patients.models import Episode
from openiop.scheduling import planning, services
from openiop.scheduling.models import (
    Attendance,
    ClinicianAvailability,
    Enrolment,
    PatientAvailability,
    Session,
    SessionStatus,
    Track,
)
from openiop.sites.models import Room, Site

PAST_WEEKS = 3
AHEAD_WEEKS = 2
PER_TRACK = {"tiny": 4, "small": 10, "medium": 12, "large": 12}

# (track kind, track name, service, title, room, rrule, start, end)
SERIES = [
    ("morning", "Morning track", "group_relapse_prevention", "Morning relapse prevention", "Group room A",
     "FREQ=WEEKLY;BYDAY=MO,WE,FR", dt.time(9), dt.time(12)),
    ("morning", "Morning track", "group_early_recovery_skills", "Matrix early recovery skills", "Group room B",
     "FREQ=WEEKLY;BYDAY=TU,TH", dt.time(9), dt.time(10, 30)),
    ("evening", "Evening track", "group_coping_skills", "Evening coping skills", "Group room B",
     "FREQ=WEEKLY;BYDAY=MO,WE,TH", dt.time(18), dt.time(21)),
    ("weekend", "Weekend track", "group_support", "Saturday support group", "Group room A",
     "FREQ=WEEKLY;BYDAY=SA", dt.time(9), dt.time(12)),
]  # fmt: skip


def progress_steps(size: str) -> int:
    return 3 * 2


def _facilitators(site: Site) -> list[User]:
    """Clinicians and directors of SITE, those who work only there first
    (the demo logins work at every main site and cannot lead two sites'
    groups at once)."""
    people = list(
        User.objects.filter(
            sites=site, is_active=True, roles__code__in=[RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR]
        )
        .distinct()
        .order_by("pk")
    )
    return sorted(people, key=lambda user: (len(user.site_ids()), user.pk))


def _attendance(rng: random.Random, reliability: float, length: int) -> tuple[str, int]:
    roll = rng.random()
    if roll < reliability:
        return Attendance.Status.PRESENT, length
    roll = rng.random()
    if roll < 0.3:
        return Attendance.Status.LATE, max(15, length - rng.choice((15, 20, 30, 45)))
    if roll < 0.5:
        return Attendance.Status.LEFT_EARLY, max(15, length - rng.choice((30, 45, 60)))
    if roll < 0.75:
        return Attendance.Status.ABSENT, 0
    return Attendance.Status.NO_SHOW, 0


def seed_site(site: Site, *, size: str, rng: random.Random) -> None:
    staff = _facilitators(site)
    if not staff:
        return
    this_monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    first = this_monday - dt.timedelta(weeks=PAST_WEEKS)
    rooms = {name: Room.objects.get_or_create(site=site, name=name, defaults={"capacity": 14})[0]
             for name in ("Group room A", "Group room B")}  # fmt: skip
    lead = staff[0]
    director = next((u for u in staff if RoleCode.CLINICAL_DIRECTOR in u.role_codes()), lead)
    tracks: dict[str, Track] = {}
    series_sessions: dict[str, list[Session]] = {}
    for kind, track_name, service, title, room_name, rule, start, end in SERIES:
        if kind not in tracks:
            tracks[kind] = Track.objects.create(site=site, kind=kind, name=track_name)
        _series, sessions = services.series_create(
            actor=director, site=site, track=tracks[kind], service=service, title=title, room=rooms[room_name],
            facilitator=lead, capacity_min=3, capacity_max=12, starts_on=first, start_time=start, end_time=end,
            rrule=rule, generate_until=this_monday + dt.timedelta(weeks=AHEAD_WEEKS, days=6),
        )  # fmt: skip
        series_sessions[title] = sessions
    for clinician in staff:
        if len(clinician.site_ids()) > 1:
            continue
        for weekday in (1, 3):
            ClinicianAvailability.objects.create(
                user=clinician, site=site, weekday=weekday, start_time=dt.time(13), end_time=dt.time(17)
            )

    episodes = list(
        Episode.objects.filter(site=site, status=Episode.Status.ACTIVE, level_of_care__in=["2.1", "2.5"])
        .select_related("patient")
        .order_by("pk")[: 2 * PER_TRACK.get(size, 10)]
    )
    morning, evening = episodes[0::2], episodes[1::2]
    windows: list[PatientAvailability] = []
    for episode in morning:
        for weekday in range(5):
            windows.append(PatientAvailability(patient=episode.patient, kind="free", weekday=weekday,
                                               start_time=dt.time(8), end_time=dt.time(13)))  # fmt: skip
    for episode in evening:
        job = rng.choice(("work", "work", "school"))
        for weekday in range(5):
            windows.append(PatientAvailability(patient=episode.patient, kind=job, weekday=weekday,
                                               start_time=dt.time(7, 30), end_time=dt.time(17)))  # fmt: skip
    PatientAvailability.objects.bulk_create(windows)

    # History: this week and the three before, attendance wherever the session has started.
    now = timezone.now()
    enrolments: list[Enrolment] = []
    history_end = this_monday + dt.timedelta(days=7)
    wanted = {
        "Morning relapse prevention": morning,
        "Matrix early recovery skills": [e for e in morning if e.program == Episode.Program.MATRIX],
        "Evening coping skills": evening,
    }
    for title, people in wanted.items():
        for session in series_sessions[title]:
            if session.local_start.date() >= history_end:
                continue
            enrolments += [Enrolment(session=session, episode=e, patient=e.patient) for e in people]
    Enrolment.objects.bulk_create(enrolments)
    reliability = {e.patient_id: rng.choice((0.95, 0.9, 0.85, 0.75, 0.55)) for e in episodes}
    marks = []
    for enrolment in Enrolment.objects.filter(session__site=site, session__start__lt=now).select_related("session"):
        status, minutes = _attendance(rng, reliability[enrolment.patient_id], enrolment.session.minutes)
        marks.append(Attendance(enrolment=enrolment, status=status, minutes_attended=minutes, recorded_by=lead))
    Attendance.objects.bulk_create(marks)
    # One cancelled group, with its reason.
    upcoming = Session.objects.filter(site=site, series__isnull=False, start__gt=now, status=SessionStatus.SCHEDULED)
    spare = upcoming.filter(title="Saturday support group").order_by("start").last()
    if spare is not None:
        services.session_cancel(actor=director, session=spare, reason="Building closed for maintenance")

    # Next week, built by the planner and published.
    proposal = planning.propose_week(
        actor=director, site=site, week_start=this_monday + dt.timedelta(weeks=1), time_limit=2
    )
    if proposal.status == proposal.Status.DRAFT:
        planning.publish(actor=director, proposal=proposal)


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: a site that already has tracks is left as it is."""
    for site in sites[:3]:
        if Track.objects.filter(site=site).exists():
            tick(2)
            continue
        with transaction.atomic():
            seed_site(site, size=size, rng=rng)
        tick(2)
