# SPDX-License-Identifier: AGPL-3.0-or-later
"""A simple greedy baseline, the kind of week a coordinator builds by hand:
most constrained patients first, place the individual sessions where they
block the fewest groups, keep last week's groups, place the Matrix groups, then fill up to the band minimum with the
groups that already have people; finally cancel groups left below their
minimum and try to re-seat their members once.

It always returns a valid week (the tests check it with ``violations``); it
is the yardstick for the optimizer and its starting point (the hint).
"""

from __future__ import annotations

from collections import defaultdict

from openiop.scheduling.optimizer.instance import PatientOptions, SiteInstance
from openiop.scheduling.optimizer.model import GroupSession, IndividualSlot, Schedule

Interval = tuple[int, int, int]


def _overlaps(a: Interval, b: Interval) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


class _State:
    def __init__(self, instance: SiteInstance) -> None:
        self.instance = instance
        self.count: dict[str, int] = defaultdict(int)
        self.members: dict[str, set[str]] = defaultdict(set)
        self.groups: dict[str, set[str]] = defaultdict(set)
        self.individual: dict[str, list[IndividualSlot]] = defaultdict(list)
        # Kept up to date on every change: the checks below run millions of times on a big program.
        self.minutes_of: dict[str, int] = defaultdict(int)
        self.busy_of: dict[str, list[Interval]] = defaultdict(list)
        self.clinician_busy: dict[str, list[Interval]] = defaultdict(list)
        self.caseload: dict[str, set[str]] = defaultdict(set)
        self.clinician_ids = {c.id for c in instance.clinicians}
        self.caseload_limit = {c.id: c.caseload for c in instance.clinicians}
        self.sessions = {s.id: s for s in instance.sessions}
        self.conflicts: dict[str, set[str]] = defaultdict(set)
        for clique in instance.session_conflicts():
            for session_id in clique:
                self.conflicts[session_id].update(other for other in clique if other != session_id)

    @staticmethod
    def _interval(session: GroupSession) -> Interval:
        return (session.day, session.start, session.end)

    def minutes(self, patient_id: str) -> int:
        return self.minutes_of[patient_id]

    def can_start(self, session: GroupSession) -> bool:
        if any(self.count[other] for other in self.conflicts.get(session.id, ())):
            return False
        leader_busy = self.clinician_busy.get(session.facilitator, [])
        interval = self._interval(session)
        return not any(_overlaps(interval, busy) for busy in leader_busy)

    def can_take(self, option: PatientOptions, session: GroupSession, *, allow_start: bool = True) -> bool:
        patient = option.patient
        if self.count[session.id] >= session.max_size or session.id in self.groups[patient.id]:
            return False
        if self.minutes_of[patient.id] + session.minutes > patient.max_minutes:
            return False
        interval = self._interval(session)
        if any(_overlaps(interval, busy) for busy in self.busy_of[patient.id]):
            return False
        if self.count[session.id] == 0:
            return allow_start and self.can_start(session)
        return True

    def take(self, patient_id: str, session: GroupSession) -> None:
        if self.count[session.id] == 0 and session.facilitator in self.clinician_ids:
            self.clinician_busy[session.facilitator].append(self._interval(session))
        self.count[session.id] += 1
        self.members[session.id].add(patient_id)
        self.groups[patient_id].add(session.id)
        self.minutes_of[patient_id] += session.minutes
        self.busy_of[patient_id].append(self._interval(session))

    def cancel(self, session: GroupSession) -> list[str]:
        removed = sorted(self.members.pop(session.id, set()))
        for patient_id in removed:
            self.groups[patient_id].discard(session.id)
            self.minutes_of[patient_id] -= session.minutes
            self.busy_of[patient_id].remove(self._interval(session))
        self.count[session.id] = 0
        if session.facilitator in self.clinician_ids:
            self.clinician_busy[session.facilitator].remove(self._interval(session))
        return removed

    def can_book(self, option: PatientOptions, slot: IndividualSlot) -> bool:
        patient = option.patient
        mine = self.individual[patient.id]
        if len(mine) >= patient.individual_sessions or any(s.day == slot.day for s in mine):
            return False
        if mine and mine[0].clinician != slot.clinician:
            return False
        if self.minutes_of[patient.id] + slot.minutes > patient.max_minutes:
            return False
        interval = (slot.day, slot.start, slot.end)
        if any(_overlaps(interval, busy) for busy in self.busy_of[patient.id]):
            return False
        if any(_overlaps(interval, busy) for busy in self.clinician_busy[slot.clinician]):
            return False
        seen = self.caseload[slot.clinician]
        return patient.id in seen or len(seen) < self.caseload_limit.get(slot.clinician, 0)

    def book(self, slot: IndividualSlot) -> None:
        self.individual[slot.patient].append(slot)
        self.clinician_busy[slot.clinician].append((slot.day, slot.start, slot.end))
        self.caseload[slot.clinician].add(slot.patient)
        self.minutes_of[slot.patient] += slot.minutes
        self.busy_of[slot.patient].append((slot.day, slot.start, slot.end))

    def fill(self, option: PatientOptions, *, allow_start: bool) -> None:
        patient = option.patient
        while self.minutes(patient.id) < patient.min_minutes:
            choices = [s for s in option.sessions if self.can_take(option, s, allow_start=allow_start)]
            if not choices:
                return
            # Groups that still need members first, then the fullest, then the earliest.
            choices.sort(
                key=lambda s: (
                    not (0 < self.count[s.id] < s.min_size),
                    -self.count[s.id],
                    s.day,
                    s.start,
                )
            )
            self.take(patient.id, choices[0])

    def schedule(self) -> Schedule:
        return Schedule(
            {p: frozenset(s) for p, s in self.groups.items() if s},
            tuple(sorted(slot for slots in self.individual.values() for slot in slots)),
        )


def _blocking(option: PatientOptions) -> dict[IndividualSlot, int]:
    """For each candidate slot, how many of the groups this patient could join it overlaps."""
    by_day: dict[int, list[GroupSession]] = defaultdict(list)
    for session in option.sessions:
        by_day[session.day].append(session)
    return {
        slot: sum(1 for s in by_day.get(slot.day, ()) if s.start < slot.end and slot.start < s.end)
        for slot in option.slots
    }


def greedy(instance: SiteInstance, *, start_from: Schedule | None = None) -> Schedule:
    """A valid week for one site. ``start_from`` (last week's published week
    carried over, see ``warmstart``) first books everyone's appointments and
    seats in it, where they still fit, before anyone is filled up."""
    state = _State(instance)
    order = sorted(
        instance.options.values(),
        key=lambda o: (not o.can_meet, o.upper_minutes - o.patient.min_minutes, len(o.sessions), o.patient.id),
    )
    if start_from is not None:
        # One pass for the whole site first, so filling one patient never takes a seat another had last week.
        for option in order:
            for slot in start_from.individual_of(option.patient.id):
                if slot in option.slots and state.can_book(option, slot):
                    state.book(slot)
            for session_id in sorted(start_from.sessions_of(option.patient.id)):
                session = state.sessions.get(session_id)
                if session is not None and session in option.sessions and state.can_take(option, session):
                    state.take(option.patient.id, session)
    for option in order:
        patient = option.patient
        # Individual sessions first, where they block the fewest groups this patient could join.
        blocking = _blocking(option)
        for slot in sorted(option.slots, key=lambda slot: (blocking[slot], slot)):
            if state.can_book(option, slot):
                state.book(slot)
        preferred = list(option.continuity)
        if start_from is not None:
            preferred += sorted(start_from.sessions_of(patient.id) - set(preferred))
        for session_id in preferred:
            session = state.sessions.get(session_id)
            if session is not None and session in option.sessions and state.can_take(option, session):
                state.take(patient.id, session)
        for topic, needed in patient.matrix_topics.items():
            have = sum(1 for s in state.groups[patient.id] if state.sessions[s].topic is topic)
            for session in sorted(
                (s for s in option.sessions if s.topic is topic), key=lambda s: (-state.count[s.id], s.day, s.start)
            ):
                if have >= needed:
                    break
                if state.can_take(option, session):
                    state.take(patient.id, session)
                    have += 1
        state.fill(option, allow_start=True)

    for session in instance.sessions:
        if 0 < state.count[session.id] < session.min_size:
            state.cancel(session)
    for option in order:
        state.fill(option, allow_start=False)
    return state.schedule()
