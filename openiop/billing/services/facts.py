# SPDX-License-Identifier: AGPL-3.0-or-later
"""What charges are made from, read in bulk for a set of patients and a date
range: a fixed number of queries whatever the number of patients, so a
month for a whole program is seconds, and one saved session is milliseconds.

These reads are the system's own (charges are computed for everyone the
program treats), not a person's: nothing here is restricted to a user, and
nothing here is shown to anyone. What people see goes through selectors.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from openiop.billing.models import ChargeKind, FeeSchedule
from openiop.insurance.models import (
    Authorization,
    AuthorizationStatus,
    Coverage,
    CoveragePriority,
    PayerService,
    SelfPayElection,
)
from openiop.patients.models import Episode
from openiop.scheduling import hours
from openiop.scheduling.models import Attendance, SessionStatus
from openiop.sites.models import Site
from openiop.treatment.models import Note, NoteStatus

ALL_KINDS = frozenset(ChargeKind.values)


@dataclass(frozen=True)
class Attended:
    """One attendance row as billing needs it."""

    attendance_id: int
    patient_id: int
    episode_id: int
    site_id: int
    start: dt.datetime
    end: dt.datetime
    minutes: int
    attended: bool
    # The scheduled group session (enrolments) or None (appointments).
    session_id: int | None


@dataclass
class NoteFacts:
    """Per patient and day: which scheduled group sessions have a signed
    section, whether a signed group note without a scheduled session exists,
    and how many signed non-group notes there are."""

    signed_group_sessions: set[int] = field(default_factory=set)
    signed_unlinked_group: bool = False
    signed_other: int = 0


@dataclass
class Facts:
    start: dt.date
    end: dt.date
    attended: dict[int, list[Attended]] = field(default_factory=lambda: defaultdict(list))
    notes_by_day: dict[tuple[int, dt.date], NoteFacts] = field(default_factory=lambda: defaultdict(NoteFacts))
    billable_notes: dict[int, list[Note]] = field(default_factory=lambda: defaultdict(list))
    specimens: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    placements: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    episodes: dict[int, list[Episode]] = field(default_factory=lambda: defaultdict(list))
    coverages: dict[int, list[Coverage]] = field(default_factory=lambda: defaultdict(list))
    has_coverage_on_file: set[int] = field(default_factory=set)
    self_pay_elections: dict[int, list[SelfPayElection]] = field(default_factory=lambda: defaultdict(list))
    authorizations: dict[int, list[Authorization]] = field(default_factory=lambda: defaultdict(list))
    services: dict[tuple[int, str], PayerService] = field(default_factory=dict)
    sites: dict[int, Site] = field(default_factory=dict)
    fees: list[FeeSchedule] = field(default_factory=list)

    def zone(self, site_id: int) -> ZoneInfo:
        return self.sites[site_id].zone

    def episode_on(self, patient_id: int, day: dt.date) -> Episode | None:
        for episode in self.episodes.get(patient_id, ()):
            if episode.admission_date <= day and (episode.discharge_date is None or day <= episode.discharge_date):
                return episode
        return None

    def self_pay_by_choice(self, patient_id: int, day: dt.date) -> bool:
        """The patient asked us not to bill their insurance for that day."""
        return any(election.in_force_on(day) for election in self.self_pay_elections.get(patient_id, ()))

    def coverage_on(self, patient_id: int, day: dt.date) -> Coverage | None:
        """The primary coverage in force that day (the most recent start
        wins), unless the patient chose to pay for that day themselves."""
        if self.self_pay_by_choice(patient_id, day):
            return None
        for coverage in self.coverages.get(patient_id, ()):
            if coverage.in_force_on(day):
                return coverage
        return None

    def fee_for(self, organization_id: int, payer_id: int | None, site_id: int, code: str, day: dt.date) -> Any:
        """The fee schedule row pricing CODE on DAY: the payer's own row for
        the site, then for all sites, then the default (self-pay) list."""
        best: FeeSchedule | None = None
        best_rank = 99
        for row in self.fees:
            if row.code != code or row.organization_id != organization_id or not row.in_force_on(day):
                continue
            if row.site_id not in (None, site_id) or row.payer_id not in (None, payer_id):
                continue
            rank = (0 if row.payer_id is not None else 2) + (0 if row.site_id is not None else 1)
            if rank < best_rank:
                best, best_rank = row, rank
        return best


def gather(patient_ids: Iterable[int], start: dt.date, end: dt.date, kinds: frozenset[str] = ALL_KINDS) -> Facts:
    """Everything the charges of PATIENT_IDS between START and END (whole
    ISO weeks, since the per-diem rule looks at the week) are made from;
    only what charges of KINDS need."""
    ids = sorted(set(patient_ids))
    facts = Facts(start=start, end=end)
    # A session's local day can be a day off its UTC date; read a day wider.
    lower = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    upper = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(0), tzinfo=dt.UTC)
    _gather_attendance(facts, ids, lower, upper)
    _gather_notes(facts, ids, start, end, professional=ChargeKind.PROFESSIONAL in kinds)
    _gather_episodes_and_money(facts, ids, start, end)
    facts.sites = {site.pk: site for site in Site.objects.all()}
    if ChargeKind.DRUG_TEST in kinds:
        _gather_drug_tests(facts, ids, start, end)
    if ChargeKind.INTAKE in kinds:
        from openiop.assessments.models import PlacementAssessment

        for placement in PlacementAssessment.objects.filter(
            patient_id__in=ids, decided_at__isnull=False, episode__isnull=False
        ).order_by("decided_at", "pk"):
            facts.placements[placement.patient_id].append(placement)
    return facts


def _gather_drug_tests(facts: Facts, ids: list[int], start: dt.date, end: dt.date) -> None:
    from openiop.medications.models import Specimen

    # A presumptive test is billed when one was read (a specimen only sent
    # to the lab is the lab's claim).
    tested = Specimen.objects.filter(
        patient_id__in=ids, collected_on__gte=start, collected_on__lte=end, results__method="presumptive"
    )
    for specimen in tested.distinct().order_by("collected_at", "pk"):
        facts.specimens[specimen.patient_id].append(specimen)


def _gather_attendance(facts: Facts, ids: list[int], lower: dt.datetime, upper: dt.datetime) -> None:
    group_rows = Attendance.objects.filter(
        enrolment__patient_id__in=ids,
        enrolment__session__start__gte=lower,
        enrolment__session__start__lt=upper,
    ).exclude(enrolment__session__status=SessionStatus.CANCELLED)
    for row in group_rows.values_list(
        "pk",
        "status",
        "minutes_attended",
        "enrolment__patient_id",
        "enrolment__episode_id",
        "enrolment__session__site_id",
        "enrolment__session__start",
        "enrolment__session__end",
        "enrolment__session_id",
    ):
        pk, status, minutes, patient_id, episode_id, site_id, start, end, session_id = row
        facts.attended[patient_id].append(
            Attended(
                pk, patient_id, episode_id, site_id, start, end, minutes, hours.counts_as_attended(status), session_id
            )
        )
    appointment_rows = Attendance.objects.filter(
        appointment__patient_id__in=ids, appointment__start__gte=lower, appointment__start__lt=upper
    ).exclude(appointment__status=SessionStatus.CANCELLED)
    for appointment_row in appointment_rows.values_list(
        "pk",
        "status",
        "minutes_attended",
        "appointment__patient_id",
        "appointment__episode_id",
        "appointment__site_id",
        "appointment__start",
        "appointment__end",
    ):
        pk, status, minutes, patient_id, episode_id, site_id, start, end = appointment_row
        facts.attended[patient_id].append(
            Attended(pk, patient_id, episode_id, site_id, start, end, minutes, hours.counts_as_attended(status), None)
        )


def _gather_notes(facts: Facts, ids: list[int], start: dt.date, end: dt.date, *, professional: bool) -> None:
    # Plain rows for the many group sections; model instances only for the
    # few notes that become professional charges.
    rows = Note.objects.filter(
        patient_id__in=ids, session_date__gte=start, session_date__lte=end, status=NoteStatus.SIGNED
    ).values_list("pk", "patient_id", "session_date", "group_id", "group__scheduled_session_id", "kind")
    billable: list[int] = []
    for pk, patient_id, session_date, group_id, scheduled_session_id, kind in rows:
        day = facts.notes_by_day[(patient_id, session_date)]
        if group_id is not None:
            if scheduled_session_id is None:
                day.signed_unlinked_group = True
            else:
                day.signed_group_sessions.add(int(scheduled_session_id))
        else:
            day.signed_other += 1
            if kind in (Note.Kind.INDIVIDUAL, Note.Kind.FAMILY):
                billable.append(pk)
    if billable and professional:
        for note in Note.objects.filter(pk__in=billable).order_by("session_date", "start_time", "pk"):
            facts.billable_notes[note.patient_id].append(note)


def _gather_episodes_and_money(facts: Facts, ids: list[int], start: dt.date, end: dt.date) -> None:
    for episode in Episode.objects.filter(patient_id__in=ids).order_by("-admission_date", "-pk"):
        facts.episodes[episode.patient_id].append(episode)
    coverages = Coverage.objects.filter(patient_id__in=ids).select_related("payer").order_by("-effective_date", "-pk")
    for coverage in coverages:
        facts.has_coverage_on_file.add(coverage.patient_id)
        if coverage.priority != CoveragePriority.PRIMARY:
            continue
        if coverage.effective_date <= end and (coverage.end_date is None or coverage.end_date >= start):
            facts.coverages[coverage.patient_id].append(coverage)
    elections = SelfPayElection.objects.filter(patient_id__in=ids, start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    for election in elections:
        facts.self_pay_elections[election.patient_id].append(election)
    authorizations = Authorization.objects.filter(
        Q(patient_id__in=ids), status=AuthorizationStatus.APPROVED, start_date__lte=end, end_date__gte=start
    ).order_by("start_date", "pk")
    for authorization in authorizations:
        facts.authorizations[authorization.patient_id].append(authorization)
    payer_ids = {coverage.payer_id for rows in facts.coverages.values() for coverage in rows}
    for service in PayerService.objects.filter(payer_id__in=payer_ids):
        facts.services[(service.payer_id, service.level_of_care)] = service
    facts.fees = list(
        FeeSchedule.objects.filter(effective_from__lte=end).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=start)
        )
    )
