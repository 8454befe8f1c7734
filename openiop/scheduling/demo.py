# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo schedule: 12 past weeks of a running program at every site.

Each site's patients are grouped in cohorts of about ten (morning, evening
and afternoon IOP groups, a partial-hospitalization day program, a Saturday
outpatient group), each cohort with its own room and facilitator so nobody
is booked twice. A patient's week follows their signed plan
(``treatment.demo_bulk.weekly_services``): the cohort's core group, a skills
group for some, and a weekly individual session with their counsellor.
From the admission (until a discharge) they are enrolled in every session;
attendance is recorded for every session that has started, with realistic
gaps (absences, lateness, leaving early, no-shows) and minutes counted by the
hours engine's rule (``hours.attended_minutes``). Sessions that ended more
than a day ago have their signed group note (sections for those who attended
only, as ``group_notes`` writes them) and individual sessions their signed
note. Written in bulk, one committed batch per site (see
``openiop.audit.bulk``).

On the three named sites, one group is cancelled and the week after next is
built by the planner, through the services.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit import bulk as demo_bulk
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, LevelOfCare
from openiop.scheduling import hours, planning, services
from openiop.scheduling.group_notes import curriculum_for
from openiop.scheduling.models import (
    Appointment,
    Attendance,
    ClinicianAvailability,
    Enrolment,
    PatientAvailability,
    Session,
    SessionSeries,
    SessionStatus,
    Track,
)
from openiop.sites.models import Room, Site
from openiop.treatment import demo_bulk as treatment_bulk
from openiop.treatment.models import GroupSession, Note, NoteObjective

PAST_WEEKS = 12
COMMITS_IN_BATCHES = True  # one transaction per site (see openiop.demo.program)
COHORT_SIZE = 11  # at most this many enrolled in one session (rooms seat 12 or more)
NOTE_AFTER = dt.timedelta(days=1)  # notes of sessions that ended more recently are still to write
INDIVIDUAL_SERVICE = "individual_therapy"
INDIVIDUAL_MINUTES = 50


@dataclass(frozen=True)
class Series:
    service: str
    title: str
    rule: str
    start: dt.time
    end: dt.time
    core: bool = True  # everyone in the cohort; otherwise only those whose plan has the extra group


@dataclass(frozen=True)
class CohortKind:
    key: str
    track: str  # Track.Kind
    track_name: str
    slots: frozenset[str]  # which parts of a room's week it takes
    series: tuple[Series, ...]
    free_from: dt.time  # the patient's free window (or, for evening, when work ends)
    free_until: dt.time
    individual_times: tuple[dt.time, ...]  # when their individual session can be


MO_WE_FR = "FREQ=WEEKLY;BYDAY=MO,WE,FR"
KINDS = {
    "morning": CohortKind(
        "morning", "morning", "Morning track", frozenset({"morning"}),
        (Series("group_relapse_prevention", "Morning relapse prevention", MO_WE_FR, dt.time(9), dt.time(12)),
         Series("group_early_recovery_skills", "Morning early recovery skills", "FREQ=WEEKLY;BYDAY=TU", dt.time(9),
                dt.time(11), core=False)),
        dt.time(8), dt.time(13), (dt.time(14), dt.time(15), dt.time(16)),
    ),
    "evening": CohortKind(
        "evening", "evening", "Evening track", frozenset({"evening"}),
        (Series("group_coping_skills", "Evening coping skills", "FREQ=WEEKLY;BYDAY=MO,WE,TH", dt.time(18),
                dt.time(21)),
         Series("group_life_skills", "Evening life skills", "FREQ=WEEKLY;BYDAY=TU", dt.time(18), dt.time(20),
                core=False)),
        dt.time(7, 30), dt.time(17), (dt.time(17), dt.time(12)),
    ),
    "afternoon": CohortKind(
        "afternoon", "afternoon", "Afternoon track", frozenset({"afternoon"}),
        (Series("group_addiction_education", "Afternoon recovery education", MO_WE_FR, dt.time(13), dt.time(16)),
         Series("group_stress_management", "Afternoon stress management", "FREQ=WEEKLY;BYDAY=TU", dt.time(13),
                dt.time(15), core=False)),
        dt.time(12), dt.time(17), (dt.time(9), dt.time(10), dt.time(11)),
    ),
    "day": CohortKind(
        "day", "morning", "Day program", frozenset({"morning", "afternoon"}),
        (Series("group_interpersonal_process", "Day program", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", dt.time(9),
                dt.time(14)),),
        dt.time(8), dt.time(17), (dt.time(14, 30), dt.time(15, 30), dt.time(16, 30)),
    ),
    "weekend": CohortKind(
        "weekend", "weekend", "Weekend track", frozenset({"saturday"}),
        (Series("group_support", "Saturday support group", "FREQ=WEEKLY;BYDAY=SA", dt.time(9, 30),
                dt.time(11, 30)),),
        dt.time(9), dt.time(17), (dt.time(14), dt.time(15), dt.time(16), dt.time(10)),
    ),
}  # fmt: skip
IOP_ROTATION = ("morning", "evening", "afternoon")
COHORT_FOR_LEVEL: dict[str, str] = {LevelOfCare.PHP: "day", LevelOfCare.OUTPATIENT: "weekend"}


# Progress steps: about one per patient, the bulk of the seed's work.
STEPS = {"tiny": 24, "small": 300, "medium": 1000, "large": 10000}


def progress_steps(size: str) -> int:
    return STEPS.get(size, STEPS["small"])


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
    """A status and its minutes, counted by the hours engine's rule."""
    roll = rng.random()
    if roll < reliability:
        status, given = Attendance.Status.PRESENT, length
    elif (roll := rng.random()) < 0.3:
        status, given = Attendance.Status.LATE, max(15, length - rng.choice((15, 20, 30, 45)))
    elif roll < 0.5:
        status, given = Attendance.Status.LEFT_EARLY, max(15, length - rng.choice((30, 45, 60)))
    elif roll < 0.75:
        status, given = Attendance.Status.ABSENT, 0
    else:
        status, given = Attendance.Status.NO_SHOW, 0
    return status, hours.attended_minutes(status, given, length)


@dataclass
class Cohort:
    kind: CohortKind
    room: Room
    facilitator: User
    track: Track | None = None
    members: list[Episode] = field(default_factory=list)


class _Rooms:
    """Hands out rooms by the parts of the week they are free (a day program
    takes a room's morning and afternoon), adding group rooms as needed."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.rooms = list(Room.objects.filter(site=site, name__startswith="Group room").order_by("name"))
        self.taken: dict[int, set[str]] = defaultdict(set)

    def take(self, slots: frozenset[str]) -> Room:
        for room in self.rooms:
            if not self.taken[room.pk] & slots:
                self.taken[room.pk] |= slots
                return room
        letter = chr(ord("A") + len(self.rooms))
        room = Room.objects.create(site=self.site, name=f"Group room {letter}", capacity=14)
        self.rooms.append(room)
        return self.take(slots)


def _cohorts(site: Site, episodes: list[Episode], staff: list[User]) -> list[Cohort]:
    by_kind: dict[str, list[Episode]] = defaultdict(list)
    for episode in episodes:
        by_kind[COHORT_FOR_LEVEL.get(episode.level_of_care, "iop")].append(episode)
    rooms, busy = _Rooms(site), {user.pk: set[str]() for user in staff}
    cohorts = []
    for group in ("day", "iop", "weekend"):
        people = sorted(by_kind.get(group, []), key=lambda e: (e.admission_date, e.pk))
        count = math.ceil(len(people) / COHORT_SIZE)
        for number in range(count):
            kind = KINDS[IOP_ROTATION[number % 3] if group == "iop" else group]
            free = [u for u in staff if not busy[u.pk] & kind.slots]
            lead = free[0] if free else staff[number % len(staff)]
            busy[lead.pk] |= kind.slots
            cohorts.append(Cohort(kind, rooms.take(kind.slots), lead, members=people[number::count]))
    return cohorts


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: a site that already has tracks is left as it is
    (each site is one committed batch)."""
    budget = demo_bulk.StepBudget(progress_steps(size), tick)
    main = {site.pk for site in sites[:3]}
    # Each clinician's booked (weekday, hour)s, kept across sites: the demo
    # logins work at all three named sites and are never in two places at once.
    busy: dict[int, set[tuple[int, dt.time]]] = defaultdict(set)
    for position, site in enumerate(sites, start=1):
        if not Track.objects.filter(site=site).exists():
            seed_site(site, rng=rng, planner=site.pk in main, first_site=position == 1, busy=busy)
        budget.reach(position / len(sites))
    budget.finish()


def seed_site(
    site: Site,
    *,
    rng: random.Random,
    planner: bool,
    first_site: bool = False,
    busy: dict[int, set[tuple[int, dt.time]]] | None = None,
) -> None:
    staff = _facilitators(site)
    if not staff:
        return
    today, now = timezone.localdate(), timezone.now()
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=PAST_WEEKS)
    # Everyone is booked through next week; the planner builds the week after.
    booked_until = this_monday + dt.timedelta(weeks=2)
    episodes = list(
        Episode.objects.filter(site=site, admission_date__lt=booked_until, level_of_care__in=["1", "2.1", "2.5"])
        .exclude(status=Episode.Status.DISCHARGED, discharge_date__lt=first)
        .select_related("patient", "primary_counsellor")
        .order_by("pk")
    )
    with demo_bulk.batch("schedule", site_id=site.pk) as rows:
        cohorts = _cohorts(site, episodes, staff)
        writer = _SiteWriter(site, rows, rng, today, now)
        writer.series_and_sessions(cohorts, first, this_monday + dt.timedelta(weeks=3, days=-1))
        writer.availability(cohorts, staff)
        writer.enrolments(cohorts, booked_until)
        writer.appointments(cohorts, staff, first, booked_until, defaultdict(set) if busy is None else busy)
        writer.notes()
    if planner:
        _showcase(site, staff, this_monday, now, publish=first_site)


def _showcase(site: Site, staff: list[User], this_monday: dt.date, now: dt.datetime, *, publish: bool) -> None:
    """Through the services: one cancelled group, and the week after next
    built by the planner: published at the first site, ready for review at
    the others (publishing books every patient through the services, the
    slowest part of the small demo)."""
    director = next((u for u in staff if RoleCode.CLINICAL_DIRECTOR in u.role_codes()), staff[0])
    with transaction.atomic():
        upcoming = Session.objects.filter(site=site, start__gt=now, status=SessionStatus.SCHEDULED)
        spare = upcoming.filter(title="Saturday support group").order_by("start").last()
        if spare is not None:
            services.session_cancel(actor=director, session=spare, reason="Building closed for maintenance")
        proposal = planning.propose_week(
            actor=director, site=site, week_start=this_monday + dt.timedelta(weeks=2), time_limit=2
        )
        if publish and proposal.status == proposal.Status.DRAFT:
            # A clash the planner missed leaves the proposal waiting for review, as it would for staff.
            with contextlib.suppress(ValidationError):
                planning.publish(actor=director, proposal=proposal)


class _SiteWriter:
    def __init__(self, site: Site, rows: demo_bulk.Batch, rng: random.Random, today: dt.date, now: dt.datetime):
        self.site, self.rows, self.rng, self.today, self.now = site, rows, rng, today, now
        self.zone = zoneinfo.ZoneInfo(site.time_zone)
        self.sessions: dict[int, list[tuple[Series, Session]]] = {}  # cohort index -> its sessions
        self.cohorts: list[Cohort] = []
        self.reliability: dict[int, float] = {}
        self.attended: list[tuple[Session, Enrolment, Attendance]] = []
        self.seen: list[tuple[Appointment, Attendance, Episode]] = []

    def series_and_sessions(self, cohorts: list[Cohort], first: dt.date, last: dt.date) -> None:
        self.cohorts = cohorts
        tracks: dict[str, Track] = {}
        for cohort in cohorts:
            kind = cohort.kind
            if kind.track_name not in tracks:
                tracks[kind.track_name] = Track(site=self.site, kind=kind.track, name=kind.track_name)
        created = self.rows.insert(Track, list(tracks.values()))
        tracks = {track.name: track for track in created}
        series_rows, owners = [], []
        for index, cohort in enumerate(cohorts):
            cohort.track = tracks[cohort.kind.track_name]
            for spec in cohort.kind.series:
                series_rows.append(
                    SessionSeries(site=self.site, track=cohort.track, service=spec.service, title=spec.title,
                                  room=cohort.room, facilitator=cohort.facilitator, capacity_min=3, capacity_max=12,
                                  starts_on=first, start_time=spec.start, end_time=spec.end, rrule=spec.rule)
                )  # fmt: skip
                owners.append((index, spec))
        series = self.rows.insert(SessionSeries, series_rows)
        sessions, session_owners = [], []
        for row, (index, spec) in zip(series, owners, strict=True):
            row.site = self.site
            for start, end in row.occurrences(first, last):
                sessions.append(
                    Session(site=self.site, series=row, track=row.track, service=row.service, title=row.title,
                            room=row.room, facilitator=row.facilitator, start=start, end=end, capacity_min=3,
                            capacity_max=12)
                )  # fmt: skip
                session_owners.append((index, spec))
        saved = self.rows.insert(Session, sessions)
        for session, (index, spec) in zip(saved, session_owners, strict=True):
            self.sessions.setdefault(index, []).append((spec, session))

    def availability(self, cohorts: list[Cohort], staff: list[User]) -> None:
        windows = []
        for cohort in cohorts:
            kind = cohort.kind
            for episode in cohort.members:
                busy = kind.key == "evening"
                for weekday in range(5):
                    windows.append(
                        PatientAvailability(patient=episode.patient, kind="work" if busy else "free", weekday=weekday,
                                            start_time=kind.free_from, end_time=kind.free_until)
                    )  # fmt: skip
        self.rows.insert_leaves(PatientAvailability, windows)
        # Tuesday and Thursday afternoons for individual sessions, where the
        # clinician leads no group then (the planner books into these).
        leading: dict[int, set[int]] = defaultdict(set)
        for cohort in cohorts:
            for spec in cohort.kind.series:
                if spec.start < dt.time(17) and spec.end > dt.time(13):
                    leading[cohort.facilitator.pk] |= set(_weekdays(spec.rule))
        self.rows.insert(
            ClinicianAvailability,
            [ClinicianAvailability(user=clinician, site=self.site, weekday=weekday, start_time=dt.time(13),
                                   end_time=dt.time(17))
             for clinician in staff if len(clinician.site_ids()) == 1 for weekday in (1, 3)
             if weekday not in leading[clinician.pk]],
        )  # fmt: skip

    def _reliability(self, episode: Episode) -> float:
        if episode.pk not in self.reliability:
            self.reliability[episode.pk] = self.rng.choice((0.98, 0.95, 0.93, 0.9, 0.85, 0.7))
        return self.reliability[episode.pk]

    @staticmethod
    def _takes(episode: Episode, spec: Series) -> bool:
        return spec.core or (episode.level_of_care == LevelOfCare.IOP and treatment_bulk.takes_extra_group(episode.pk))

    def enrolments(self, cohorts: list[Cohort], booked_until: dt.date) -> None:
        enrolments, owners = [], []
        for index, cohort in enumerate(cohorts):
            for spec, session in self.sessions.get(index, []):
                day = session.start.astimezone(self.zone).date()
                if day >= booked_until:
                    continue
                for episode in cohort.members:
                    if day < episode.admission_date or (episode.discharge_date and day > episode.discharge_date):
                        continue
                    if self._takes(episode, spec):
                        enrolments.append(Enrolment(session=session, episode=episode, patient_id=episode.patient_id,
                                                    created_by=cohort.facilitator))  # fmt: skip
                        owners.append((session, episode))
        self.rows.insert_leaves(Enrolment, enrolments)
        # Their ids, by session and patient (one enrolment each), without a RETURNING per row.
        ids = {
            (session_id, patient_id): pk
            for pk, session_id, patient_id in Enrolment.objects.filter(session__site=self.site).values_list(
                "pk", "session_id", "patient_id"
            )
        }
        for enrolment in enrolments:
            enrolment.pk = ids[(enrolment.session_id, enrolment.patient_id)]
        marks = []
        for enrolment, (session, episode) in zip(enrolments, owners, strict=True):
            if session.start >= self.now:
                continue
            status, minutes = _attendance(self.rng, self._reliability(episode), session.minutes)
            mark = Attendance(enrolment=enrolment, status=status, minutes_attended=minutes,
                              recorded_by_id=session.facilitator_id,
                              recorded_at=min(session.end + dt.timedelta(minutes=10), self.now))  # fmt: skip
            marks.append(mark)
            self.attended.append((session, enrolment, mark))
        self.rows.insert_leaves(Attendance, marks)

    def appointments(
        self,
        cohorts: list[Cohort],
        staff: list[User],
        first: dt.date,
        booked_until: dt.date,
        busy: dict[int, set[tuple[int, dt.time]]],
    ) -> None:
        """A weekly individual session with the patient's counsellor, at a
        time the counsellor leads no group and sees nobody else."""
        for cohort in cohorts:
            for spec in cohort.kind.series:
                for weekday in _weekdays(spec.rule):
                    for hour in range(spec.start.hour, spec.end.hour + (1 if spec.end.minute else 0)):
                        busy[cohort.facilitator.pk].add((weekday, dt.time(hour)))
        clinicians = [u for u in staff if RoleCode.CLINICIAN in u.role_codes()] or staff
        rows, owners = [], []
        for cohort in cohorts:
            for episode in cohort.members:
                clinician = episode.primary_counsellor or clinicians[episode.pk % len(clinicians)]
                slot = self._slot(busy[clinician.pk], cohort.kind.individual_times)
                if slot is None:
                    continue
                weekday, at = slot
                day = first + dt.timedelta(days=weekday)
                while day < booked_until:
                    if episode.admission_date <= day and not (episode.discharge_date and day > episode.discharge_date):
                        start = dt.datetime.combine(day, at, tzinfo=self.zone)
                        rows.append(Appointment(site=self.site, episode=episode, patient_id=episode.patient_id,
                                                clinician=clinician, service=INDIVIDUAL_SERVICE, start=start,
                                                end=start + dt.timedelta(minutes=INDIVIDUAL_MINUTES),
                                                created_by=clinician))  # fmt: skip
                        owners.append(episode)
                    day += dt.timedelta(weeks=1)
        saved = self.rows.insert(Appointment, rows)
        marks = []
        for appointment, episode in zip(saved, owners, strict=True):
            if appointment.start >= self.now:
                continue
            status, minutes = _attendance(self.rng, self._reliability(episode), INDIVIDUAL_MINUTES)
            mark = Attendance(appointment=appointment, status=status, minutes_attended=minutes,
                              recorded_by_id=appointment.clinician_id,
                              recorded_at=min(appointment.end + dt.timedelta(minutes=5), self.now))  # fmt: skip
            marks.append(mark)
            self.seen.append((appointment, mark, episode))
        self.rows.insert_leaves(Attendance, marks)

    def _slot(self, taken: set[tuple[int, dt.time]], times: tuple[dt.time, ...]) -> tuple[int, dt.time] | None:
        for at in times:
            for weekday in self.rng.sample(range(5), 5):
                if (weekday, at) not in taken:
                    taken.add((weekday, at))
                    return weekday, at
        return None

    def notes(self) -> None:
        """Signed group notes (sections for those who attended) and signed
        individual notes, for sessions that ended over a day ago."""
        episode_ids = sorted({e.pk for cohort in self.cohorts for e in cohort.members})
        objectives = treatment_bulk.ObjectivesInEffect(episode_ids)
        cosigner = treatment_bulk.cosigner_for(self.site)
        users = {u.pk: u for u in User.objects.filter(sites=self.site)}
        by_session: dict[int, list[tuple[Enrolment, Attendance]]] = defaultdict(list)
        sessions: dict[int, Session] = {}
        for session, enrolment, mark in self.attended:
            if hours.counts_as_attended(mark.status) and session.end <= self.now - NOTE_AFTER:
                by_session[session.pk].append((enrolment, mark))
                sessions[session.pk] = session
        groups, signatures = [], []
        for session_id in by_session:
            session = sessions[session_id]
            start, end = session.start.astimezone(self.zone), session.end.astimezone(self.zone)
            signed_at = self._signed_at(session.end)
            groups.append(
                treatment_bulk.group_note(site=self.site, session=session, local_start=start, local_end=end,
                                          curriculum=curriculum_for(session.service), signed_at=signed_at,
                                          rng=self.rng)
            )  # fmt: skip
            session_end = timezone.make_aware(dt.datetime.combine(start.date(), end.time()))
            signatures.append(
                treatment_bulk.signature(users[session.facilitator_id], session_end, signed_at, cosigner, self.now)
            )
        groups = self.rows.insert(GroupSession, groups)
        sections, links = [], []
        for group, signed, attendees in zip(groups, signatures, by_session.values(), strict=True):
            for enrolment, mark in attendees:
                objective = objectives.on(enrolment.episode_id, group.session_date)
                sections.append(
                    treatment_bulk.section_note(group=group, episode_id=enrolment.episode_id,
                                                patient_id=enrolment.patient_id, minutes=mark.minutes_attended,
                                                left_early=mark.status == Attendance.Status.LEFT_EARLY,
                                                objective=objective, signed=signed, rng=self.rng)
                )  # fmt: skip
                links.append(objective)
        for appointment, mark, episode in self.seen:
            if not hours.counts_as_attended(mark.status) or appointment.end > self.now - NOTE_AFTER:
                continue
            start, end = appointment.start.astimezone(self.zone), appointment.end.astimezone(self.zone)
            signed_at = self._signed_at(appointment.end)
            session_end = timezone.make_aware(dt.datetime.combine(start.date(), end.time()))
            author = users[appointment.clinician_id]
            sections.append(
                treatment_bulk.individual_note(
                    episode_id=episode.pk, patient_id=episode.patient_id, admitted=episode.admission_date,
                    author_id=author.pk, local_start=start, local_end=end, rng=self.rng,
                    signed=treatment_bulk.signature(author, session_end, signed_at, cosigner, self.now),
                )
            )  # fmt: skip
            links.append(objectives.on(episode.pk, start.date()))
        before = Note.objects.aggregate(last=Max("pk"))["last"] or 0
        self.rows.insert_leaves(Note, sections)
        # Their ids (for the objective links): sections by group and patient,
        # individual notes by episode, date and time.
        ids = {}
        for pk, group_id, episode_id, day, start in Note.objects.filter(pk__gt=before).values_list(
            "pk", "group_id", "episode_id", "session_date", "start_time"
        ):
            ids[(group_id, episode_id, day, start)] = pk
        for note in sections:
            note.pk = ids[(note.group_id, note.episode_id, note.session_date, note.start_time)]
        self.rows.insert_leaves(NoteObjective, treatment_bulk.objective_links(sections, links))

    def _signed_at(self, end: dt.datetime) -> dt.datetime:
        # Most notes are signed the same day; one in forty days later (a late entry).
        delay = dt.timedelta(days=4) if self.rng.random() < 0.025 else dt.timedelta(hours=self.rng.randint(1, 6))
        return min(end + delay, self.now)


def _weekdays(rule: str) -> list[int]:
    names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    days = rule.split("BYDAY=", 1)[1].split(";")[0].split(",")
    return [names.index(day) for day in days]
