# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tiny random weeks for the optimizer tests, and a brute force that tries
every possible schedule of one. Kept apart from the solver code on purpose:
the brute force builds its own candidate appointments and only borrows the
referee (``violations`` and ``score``), which has its own tests."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

from openiop.scheduling.catalog import Topic
from openiop.scheduling.optimizer import (
    Clinician,
    GroupSession,
    IndividualSlot,
    Patient,
    Problem,
    Schedule,
    Site,
    Track,
    Window,
    score,
    violations,
)
from openiop.scheduling.optimizer.instance import Weights

H = 60
SITE = Site("north", "North", tuple(Window(day, 8 * H, 22 * H) for day in range(7)))
TOPICS = (Topic.RELAPSE_PREVENTION, Topic.EARLY_RECOVERY_SKILLS, Topic.COPING_SKILLS, Topic.FAMILY_EDUCATION)


def tiny_problem(seed: int, *, patients: int = 3, sessions: int = 4) -> Problem:
    """A week small enough to enumerate: two days, a few sessions, one clinician
    who also facilitates groups (so individual times and groups interact)."""
    rng = random.Random(seed)
    rows: list[GroupSession] = []
    for index in range(sessions):
        day = rng.choice((0, 1))
        start = rng.choice((9, 10, 11, 13, 18)) * H
        length = rng.choice((60, 90, 120))
        low = rng.choice((1, 1, 2))
        rows.append(
            GroupSession(
                id=f"g{index}",
                site="north",
                day=day,
                start=start,
                end=start + length,
                topic=rng.choice(TOPICS),
                track=Track.EVENING if start >= 17 * H else Track.MORNING,
                min_size=low,
                max_size=low + rng.choice((0, 1, 2)),
                room=rng.choice(("r1", "r2")),
                facilitator=rng.choice(("f1", "c1")),
            )
        )
    clinician = Clinician(
        "c1",
        "north",
        "Casey",
        (Window(0, 9 * H, 12 * H), Window(1, rng.choice((9, 12)) * H, 14 * H)),
        rng.choice((1, 2)),
    )
    people: list[Patient] = []
    for index in range(patients):
        windows = []
        for day in (0, 1):
            if rng.random() < 0.8:
                start = rng.choice((8, 9, 10, 12)) * H
                windows.append(Window(day, start, start + rng.choice((3, 4, 6, 11)) * H))
        low = rng.choice((60, 90, 120, 180, 240))
        people.append(
            Patient(
                id=f"p{index}",
                site="north",
                availability=tuple(windows),
                min_minutes=low,
                max_minutes=low + rng.choice((0, 60, 120)),
                individual_sessions=rng.choice((0, 0, 1)),
                individual_minutes=60,
                clinician=rng.choice(("c1", None)),
                matrix_week=rng.choice((None, None, None, 13)),
                last_week=frozenset(r.id for r in rows if rng.random() < 0.4),
            )
        )
    return Problem((SITE,), tuple(rows), (clinician,), tuple(people), slot_step=60)


def _slots(problem: Problem, patient: Patient) -> list[IndividualSlot]:
    found = []
    if patient.individual_sessions == 0:
        return found
    for clinician in problem.clinicians:
        if patient.clinician not in (None, clinician.id):
            continue
        for day in range(7):
            for start in range(0, 24 * H - patient.individual_minutes + 1, problem.slot_step):
                end = start + patient.individual_minutes
                if all(
                    any(w.contains(day, start, end) for w in windows)
                    for windows in (patient.availability, clinician.availability, SITE.opening)
                ):
                    found.append(IndividualSlot(patient.id, clinician.id, day, start, end))
    return found


def _options(problem: Problem, patient: Patient) -> Iterator[tuple[frozenset[str], tuple[IndividualSlot, ...]]]:
    sessions = [s.id for s in problem.sessions]
    slots = _slots(problem, patient)
    for size in range(len(sessions) + 1):
        for groups in itertools.combinations(sessions, size):
            for count in range(patient.individual_sessions + 1):
                for chosen in itertools.combinations(slots, count):
                    one = Problem(problem.sites, problem.sessions, problem.clinicians, (patient,), problem.slot_step)
                    week = Schedule({patient.id: frozenset(groups)}, chosen)
                    # Only the rules about this patient alone; capacity is checked on the whole week.
                    if not [v for v in violations(one, week) if v.startswith((patient.id, f"patient {patient.id}"))]:
                        yield frozenset(groups), chosen


def brute_force(problem: Problem, weights: Weights) -> tuple[int | None, Schedule | None]:
    """The best objective over every valid week, by enumeration."""
    per_patient = [list(_options(problem, p)) for p in problem.patients]
    best: tuple[int | None, Schedule | None] = (None, None)
    for combination in itertools.product(*per_patient):
        week = Schedule(
            {p.id: groups for p, (groups, _) in zip(problem.patients, combination, strict=True)},
            tuple(slot for _, slots in combination for slot in slots),
        )
        if violations(problem, week):
            continue
        value = score(problem, week).objective(weights)
        if best[0] is None or value > best[0]:
            best = (value, week)
    return best


def brute_force_all_meet(problem: Problem) -> bool:
    """Whether some valid week has every patient meeting their plan."""
    per_patient = [list(_options(problem, p)) for p in problem.patients]
    for combination in itertools.product(*per_patient):
        week = Schedule(
            {p.id: groups for p, (groups, _) in zip(problem.patients, combination, strict=True)},
            tuple(slot for _, slots in combination for slot in slots),
        )
        if not violations(problem, week) and len(score(problem, week).meeting) == len(problem.patients):
            return True
    return False
