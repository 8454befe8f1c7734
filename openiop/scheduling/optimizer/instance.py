# SPDX-License-Identifier: AGPL-3.0-or-later
"""What each solver needs to know about one site: which sessions fit each
patient, where individual appointments could go, which things clash; plus the
objective, the score of a schedule and a checker that lists every broken rule.

The CP-SAT model, the greedy baseline, the brute force in the tests and the
explanations all read this, so they agree on what is allowed and what is good.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openiop.scheduling.catalog import Topic
from openiop.scheduling.optimizer.model import (
    DAY_NAMES,
    Clinician,
    GroupSession,
    IndividualSlot,
    Patient,
    Problem,
    Schedule,
    fits,
    hours_text,
)

# A cancelled session costs as much as this many minutes of over-hours.
CANCELLATION_MINUTES = 60


def _ceil_to(value: int, step: int) -> int:
    return -(-value // step) * step


def candidate_slots(problem: Problem, patient: Patient, clinicians: Sequence[Clinician]) -> list[IndividualSlot]:
    """Every place an individual appointment for ``patient`` could go: on the
    grid, inside the patient's, the clinician's and the site's hours."""
    if patient.individual_sessions == 0:
        return []
    site = problem.site(patient.site)
    length = patient.individual_minutes
    step = problem.slot_step
    slots: list[IndividualSlot] = []
    for clinician in clinicians:
        if patient.clinician is not None and clinician.id != patient.clinician:
            continue
        for mine in patient.availability:
            for theirs in clinician.availability:
                if mine.day != theirs.day:
                    continue
                low, high = max(mine.start, theirs.start), min(mine.end, theirs.end)
                for start in range(_ceil_to(low, step), high - length + 1, step):
                    if fits(site.opening, mine.day, start, start + length):
                        slots.append(IndividualSlot(patient.id, clinician.id, mine.day, start, start + length))
    return sorted(set(slots))


def max_clique_sets(items: Sequence[tuple[int, int, int]]) -> list[list[int]]:
    """Maximal sets of mutually overlapping intervals (day, start, end), as
    indexes into ``items``; only sets of two or more. Intervals are half-open."""
    by_day: dict[int, list[int]] = defaultdict(list)
    for index, (day, _, _) in enumerate(items):
        by_day[day].append(index)
    cliques: list[list[int]] = []
    for indexes in by_day.values():
        # Ends sort before starts at the same minute: back-to-back is no clash.
        events = sorted(
            [(items[i][1], 1, i) for i in indexes] + [(items[i][2], 0, i) for i in indexes],
        )
        active: set[int] = set()
        grew = False
        for _, is_start, index in events:
            if is_start:
                active.add(index)
                grew = True
            else:
                if grew and len(active) >= 2:
                    cliques.append(sorted(active))
                grew = False
                active.discard(index)
    return cliques


def best_disjoint_minutes(items: Iterable[tuple[int, int, int]]) -> int:
    """Most minutes a set of non-overlapping intervals can add up to
    (weighted interval scheduling)."""
    ordered = sorted(set(items), key=lambda item: (item[0], item[2]))
    best: list[int] = []
    ends: list[tuple[int, int]] = []
    for day, start, end in ordered:
        # The best total among earlier intervals that end by this one's start.
        previous = 0
        for position in range(len(ends) - 1, -1, -1):
            if ends[position] <= (day, start):
                previous = best[position]
                break
        take = previous + end - start
        best.append(max(take, best[-1] if best else 0))
        ends.append((day, end))
    return best[-1] if best else 0


@dataclass
class PatientOptions:
    patient: Patient
    sessions: list[GroupSession]
    slots: list[IndividualSlot]
    upper_minutes: int  # most minutes reachable with every seat free
    can_meet: bool  # False when the band, an individual session or a Matrix topic is out of reach whatever happens
    can_band: bool  # False when the hours band is out of reach whatever happens
    continuity: list[str] = field(default_factory=list)


@dataclass
class SiteInstance:
    problem: Problem  # this site only
    options: dict[str, PatientOptions]
    sessions: list[GroupSession]
    clinicians: list[Clinician]

    @property
    def patients(self) -> list[Patient]:
        return [option.patient for option in self.options.values()]

    def session_conflicts(self) -> list[list[str]]:
        """Sets of sessions that overlap in time and share a room or a facilitator: one may run."""
        cliques: list[list[str]] = []
        for attribute in ("room", "facilitator"):
            grouped: dict[str, list[GroupSession]] = defaultdict(list)
            for session in self.sessions:
                grouped[getattr(session, attribute)].append(session)
            for group in grouped.values():
                items = [(s.day, s.start, s.end) for s in group]
                cliques.extend([group[i].id for i in clique] for clique in max_clique_sets(items))
        return cliques


def build_site(problem: Problem) -> SiteInstance:
    """``problem`` must hold a single, validated site."""
    clinicians = list(problem.clinicians)
    options: dict[str, PatientOptions] = {}
    for patient in problem.patients:
        sessions = [s for s in problem.sessions if fits(patient.availability, s.day, s.start, s.end)]
        slots = candidate_slots(problem, patient, clinicians)
        options[patient.id] = patient_options(patient, sessions, slots)
    return SiteInstance(problem, options, list(problem.sessions), clinicians)


def patient_options(patient: Patient, sessions: list[GroupSession], slots: list[IndividualSlot]) -> PatientOptions:
    group_best = best_disjoint_minutes((s.day, s.start, s.end) for s in sessions)
    slot_days = {slot.day for slot in slots}
    individual = min(patient.individual_sessions, len(slot_days)) * patient.individual_minutes
    upper = group_best + individual
    topics_ok = all(
        _max_disjoint_count([s for s in sessions if s.topic is topic]) >= count
        for topic, count in patient.matrix_topics.items()
    )
    can_band = min(upper, patient.max_minutes) >= patient.min_minutes
    can_meet = can_band and len(slot_days) >= patient.individual_sessions and topics_ok
    continuity = [s.id for s in sessions if s.id in patient.last_week]
    return PatientOptions(patient, sessions, slots, upper, can_meet, can_band, continuity)


def _max_disjoint_count(sessions: Sequence[GroupSession]) -> int:
    count, last = 0, (-1, -1)
    for session in sorted(sessions, key=lambda s: (s.day, s.end)):
        if (session.day, session.start) >= last:
            count += 1
            last = (session.day, session.end)
    return count


# --- Objective -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """Lexicographic priorities as integer weights. First the primary count:
    each patient whose hours reach their band scores ``meets``, and scores it
    again when their whole plan is met (individual sessions and Matrix groups
    too). One more point there outweighs any amount of continuity, which
    outweighs any amount of over-hours, cancellations and partial credit.

    Partial credit: each minute scheduled up to the band minimum earns
    ``partial_minute``, so a patient who cannot reach the band still gets as
    many hours as the week allows rather than whatever is left over."""

    meets: int
    continuity: int
    excess_minute: int = 1
    cancellation: int = CANCELLATION_MINUTES
    partial_minute: int = 1


def partial_ceiling(option: PatientOptions) -> int:
    """Most minutes below the band minimum that can earn partial credit."""
    return max(0, min(option.patient.min_minutes, option.patient.max_minutes, option.upper_minutes))


def weights_for(sites: Iterable[SiteInstance]) -> Weights:
    penalty, continuity = 0, 0
    for site in sites:
        site_penalty = (
            CANCELLATION_MINUTES * len(site.sessions)
            + sum(max(0, o.patient.max_minutes - o.patient.min_minutes) for o in site.options.values())
            + sum(partial_ceiling(o) for o in site.options.values())
        )
        site_continuity = sum(len(o.continuity) for o in site.options.values())
        penalty, continuity = max(penalty, site_penalty), max(continuity, site_continuity)
    continuity_weight = penalty + 1
    return Weights(meets=continuity_weight * continuity + penalty + 1, continuity=continuity_weight)


@dataclass(frozen=True)
class Score:
    meeting: frozenset[str]  # patients whose week satisfies their plan
    in_band: frozenset[str]  # patients whose hours are within their band
    continuity: int
    excess_minutes: int
    cancellations: int
    partial_minutes: int = 0  # minutes scheduled up to each patient's band minimum

    @property
    def primary(self) -> int:
        return len(self.in_band) + len(self.meeting)

    def objective(self, weights: Weights) -> int:
        return (
            weights.meets * self.primary
            + weights.continuity * self.continuity
            - weights.excess_minute * self.excess_minutes
            - weights.cancellation * self.cancellations
            + weights.partial_minute * self.partial_minutes
        )


def patient_minutes(problem: Problem, schedule: Schedule, patient_id: str) -> int:
    groups = sum(problem.session(s).minutes for s in schedule.sessions_of(patient_id))
    return groups + sum(slot.minutes for slot in schedule.individual_of(patient_id))


def meets_plan(problem: Problem, schedule: Schedule, patient: Patient) -> bool:
    minutes = patient_minutes(problem, schedule, patient.id)
    if not patient.min_minutes <= minutes <= patient.max_minutes:
        return False
    if len(schedule.individual_of(patient.id)) < patient.individual_sessions:
        return False
    topics: dict[Topic, int] = defaultdict(int)
    for session_id in schedule.sessions_of(patient.id):
        topics[problem.session(session_id).topic] += 1
    return all(topics[topic] >= count for topic, count in patient.matrix_topics.items())


def score(problem: Problem, schedule: Schedule) -> Score:
    meeting = frozenset(p.id for p in problem.patients if meets_plan(problem, schedule, p))
    in_band = frozenset(
        p.id for p in problem.patients if p.min_minutes <= patient_minutes(problem, schedule, p.id) <= p.max_minutes
    )
    continuity = sum(len(schedule.sessions_of(p.id) & p.last_week) for p in problem.patients)
    excess = sum(max(0, patient_minutes(problem, schedule, p.id) - p.min_minutes) for p in problem.patients)
    members = schedule.members()
    cancellations = sum(1 for s in problem.sessions if members.get(s.id, 0) == 0)
    partial = sum(min(patient_minutes(problem, schedule, p.id), p.min_minutes) for p in problem.patients)
    return Score(meeting, in_band, continuity, excess, cancellations, partial)


# --- Checker ---------------------------------------------------------------------------------------------------------


def _overlap(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def _clashes(label: str, items: list[tuple[str, tuple[int, int, int]]]) -> list[str]:
    found = []
    for i, (name_a, a) in enumerate(items):
        for name_b, b in items[i + 1 :]:
            if _overlap(a, b):
                found.append(f"{label}: {name_a} overlaps {name_b}")
    return found


def violations(problem: Problem, schedule: Schedule) -> list[str]:
    """Every hard rule ``schedule`` breaks (empty when it is a valid week)."""
    found: list[str] = []
    members = schedule.members()
    running = {s.id for s in problem.sessions if members.get(s.id, 0) > 0}
    patient_ids = {p.id for p in problem.patients}
    for patient_id in set(schedule.groups) | {slot.patient for slot in schedule.individual}:
        if patient_id not in patient_ids:
            found.append(f"unknown patient {patient_id}")
    for patient in problem.patients:
        items: list[tuple[str, tuple[int, int, int]]] = []
        for session_id in sorted(schedule.sessions_of(patient.id)):
            session = problem.session(session_id)
            if session.site != patient.site:
                found.append(f"{patient.id}: session {session_id} is at another site")
            if not fits(patient.availability, session.day, session.start, session.end):
                found.append(f"{patient.id}: session {session_id} is outside their availability")
            items.append((session_id, (session.day, session.start, session.end)))
        slots = schedule.individual_of(patient.id)
        for slot in slots:
            if not fits(patient.availability, slot.day, slot.start, slot.end):
                found.append(f"{patient.id}: individual {slot.window} is outside their availability")
            if slot.minutes != patient.individual_minutes:
                found.append(f"{patient.id}: individual {slot.window} has the wrong length")
            if patient.clinician is not None and slot.clinician != patient.clinician:
                found.append(f"{patient.id}: individual with {slot.clinician} instead of {patient.clinician}")
            items.append((f"individual {slot.window}", (slot.day, slot.start, slot.end)))
        found.extend(_clashes(f"patient {patient.id} double-booked", items))
        if len(slots) > patient.individual_sessions:
            found.append(f"{patient.id}: more individual sessions than planned")
        if len({slot.day for slot in slots}) < len(slots):
            found.append(f"{patient.id}: two individual sessions on one day")
        if len({slot.clinician for slot in slots}) > 1:
            found.append(f"{patient.id}: individual sessions with more than one clinician")
        minutes = patient_minutes(problem, schedule, patient.id)
        if minutes > patient.max_minutes:
            found.append(f"{patient.id}: {hours_text(minutes)} is above the band maximum")
    for session in problem.sessions:
        count = members.get(session.id, 0)
        if count > session.max_size:
            found.append(f"session {session.id}: {count} members, capacity {session.max_size}")
        if 0 < count < session.min_size:
            found.append(f"session {session.id}: runs with {count} members, minimum {session.min_size}")
    for attribute in ("room", "facilitator"):
        grouped: dict[str, list[tuple[str, tuple[int, int, int]]]] = defaultdict(list)
        for session in problem.sessions:
            if session.id in running:
                grouped[getattr(session, attribute)].append((session.id, (session.day, session.start, session.end)))
        for key, items in grouped.items():
            found.extend(_clashes(f"{attribute} {key} double-booked", items))
    for clinician in problem.clinicians:
        booked = [slot for slot in schedule.individual if slot.clinician == clinician.id]
        items = [(f"individual with {slot.patient}", (slot.day, slot.start, slot.end)) for slot in booked]
        items += [
            (f"group {s.id}", (s.day, s.start, s.end))
            for s in problem.sessions
            if s.facilitator == clinician.id and s.id in running
        ]
        found.extend(_clashes(f"clinician {clinician.id} double-booked", items))
        for slot in booked:
            if not fits(clinician.availability, slot.day, slot.start, slot.end):
                found.append(f"clinician {clinician.id}: {slot.window} is outside their availability")
        seen = {slot.patient for slot in booked}
        if len(seen) > clinician.caseload:
            found.append(f"clinician {clinician.id}: {len(seen)} patients, caseload {clinician.caseload}")
    for slot in schedule.individual:
        site = problem.site(problem.patient(slot.patient).site) if slot.patient in patient_ids else None
        if site is not None and not fits(site.opening, slot.day, slot.start, slot.end):
            found.append(f"individual {slot.patient} {DAY_NAMES[slot.day]}: outside opening hours")
        if slot.clinician not in {c.id for c in problem.clinicians}:
            found.append(f"individual {slot.patient}: unknown clinician {slot.clinician}")
    return found
