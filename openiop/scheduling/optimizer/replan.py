# SPDX-License-Identifier: AGPL-3.0-or-later
"""Re-plan one patient (new availability, new band, a new admission) with
everyone else's week left exactly as it is.

The model holds this patient only: the seats left in each running group, the
times their clinician is still free and the caseload room left. Groups that
are not running stay cancelled unless this patient alone could run them (a
minimum size of 1). If the patient leaves a group that then falls below its
minimum, the result says so in ``warnings``: staff decide whether it still
runs; nobody else is moved.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from openiop.scheduling.optimizer.cpsat import build_model
from openiop.scheduling.optimizer.explain import explain
from openiop.scheduling.optimizer.instance import (
    SiteInstance,
    candidate_slots,
    meets_plan,
    patient_options,
    weights_for,
)
from openiop.scheduling.optimizer.model import (
    GroupSession,
    IndividualSlot,
    Patient,
    Problem,
    ProblemError,
    Schedule,
    validate,
)


@dataclass(frozen=True)
class ReplanResult:
    status: str  # "optimal", "feasible" or "infeasible"
    schedule: Schedule | None  # the whole week with this patient re-planned
    patient: str
    meets_plan: bool
    explanation: list[str]
    warnings: list[str]
    seconds: float


def _overlaps(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def replan_patient(
    problem: Problem, schedule: Schedule, patient: Patient, *, time_limit: float = 1.0, workers: int = 2
) -> ReplanResult:
    """``patient`` replaces the patient with the same id in ``problem`` (or is
    added). Returns the whole week with only this patient's sessions changed."""
    started = time.perf_counter()
    # Only the patient's own site matters (sites share nobody), which keeps this fast on a big program.
    site_only = problem.for_site(patient.site)
    others = tuple(p for p in site_only.patients if p.id != patient.id)
    site_problem = validate(replace(site_only, patients=(*others, patient)))
    patient = site_problem.patient(patient.id)
    rest = schedule.without(patient.id)
    members = rest.members()
    clinician_ids = {c.id for c in site_problem.clinicians}
    running = {s.id for s in site_problem.sessions if members.get(s.id, 0) > 0}

    def busy_clinician(clinician_id: str) -> list[tuple[int, int, int]]:
        times = [(s.day, s.start, s.end) for s in rest.individual_with(clinician_id)]
        return times + [
            (s.day, s.start, s.end) for s in site_problem.sessions if s.facilitator == clinician_id and s.id in running
        ]

    def can_open(session: GroupSession) -> bool:
        if session.min_size > 1:
            return False
        window = (session.day, session.start, session.end)
        for other in site_problem.sessions:
            shared = other.room == session.room or other.facilitator == session.facilitator
            if other.id in running and shared and _overlaps(window, (other.day, other.start, other.end)):
                return False
        if session.facilitator not in clinician_ids:
            return True
        return not any(_overlaps(window, busy) for busy in busy_clinician(session.facilitator))

    # Seats left: a one-patient problem whose sessions have the remaining capacity.
    sessions = []
    for session in site_problem.sessions:
        left = session.max_size - members.get(session.id, 0)
        if left <= 0:
            continue
        if session.id in running:
            sessions.append(replace(session, min_size=1, max_size=1, room=f"{session.room}#{session.id}"))
        elif can_open(session):
            sessions.append(replace(session, max_size=1))
    caseload_used: dict[str, set[str]] = defaultdict(set)
    for slot in rest.individual:
        caseload_used[slot.clinician].add(slot.patient)
    clinicians = tuple(
        replace(c, caseload=max(0, c.caseload - len(caseload_used[c.id]))) for c in site_problem.clinicians
    )
    small = Problem(site_problem.sites, tuple(sessions), clinicians, (patient,), problem.slot_step)
    fitting = [s for s in small.sessions if any(w.contains(s.day, s.start, s.end) for w in patient.availability)]
    slots: list[IndividualSlot] = [
        slot
        for slot in candidate_slots(small, patient, clinicians)
        if not any(_overlaps((slot.day, slot.start, slot.end), b) for b in busy_clinician(slot.clinician))
    ]
    instance = SiteInstance(
        small,
        {patient.id: patient_options(patient, fitting, slots)},
        list(small.sessions),
        list(clinicians),
    )
    weights = weights_for([instance])
    site_model = build_model(instance, weights)
    site_model.hint(Schedule({patient.id: schedule.sessions_of(patient.id)}, schedule.individual_of(patient.id)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(site_model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ProblemError([f"Patient {patient.name}: no week could be found within {time_limit:g} s."])
    mine = site_model.extract(solver)
    week = rest.merged(mine)
    new_members = week.members()
    warnings = [
        f"{session} now has {new_members.get(session.id, 0)} members, below its minimum of {session.min_size}."
        for session in site_problem.sessions
        if 0 < new_members.get(session.id, 0) < session.min_size
    ]
    ok = meets_plan(site_problem, week, patient)
    return ReplanResult(
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        schedule=week,
        patient=patient.id,
        meets_plan=ok,
        explanation=[] if ok else explain(site_problem, week, patient),
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )
