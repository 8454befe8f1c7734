# SPDX-License-Identifier: AGPL-3.0-or-later
"""The CP-SAT model for one site's week.

Variables: x[p, s] patient p joins group session s; run[s] session s runs;
y[p, k] patient p gets candidate individual slot k; u[p, c] patient p sees
clinician c; band[p] patient p's hours reach the band; meets[p] patient p's
week satisfies the whole plan; excess[p] minutes above the band minimum;
partial[p] minutes up to the band minimum.

Hard rules: sessions fit the patient's availability (only those x exist); no
patient, clinician, room or facilitator in two places at once (one AtMostOne
per maximal set of overlapping items, which is also the tightest linear
form); a session runs with min..max members or not at all; at most one
individual session a day, never more than planned, one clinician per patient
and at most ``caseload`` patients per clinician; never above the band maximum.

Objective (see ``Weights``): patients in band and patients meeting their whole
plan first, then sessions kept from last week, then fewest minutes above the
minimum, fewest cancelled sessions and most minutes up to the minimum. ``solve`` optimizes the first part,
then the rest with the first held (two smaller proofs instead of one large).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from openiop.scheduling.optimizer.instance import (
    SiteInstance,
    Weights,
    max_clique_sets,
    meets_plan,
    partial_ceiling,
    patient_minutes,
)
from openiop.scheduling.optimizer.model import IndividualSlot, Schedule


@dataclass
class SiteModel:
    model: cp_model.CpModel
    instance: SiteInstance
    x: dict[tuple[str, str], cp_model.IntVar]
    run: dict[str, cp_model.IntVar]
    y: dict[tuple[str, int], cp_model.IntVar]
    slots: dict[str, list[IndividualSlot]]
    meets: dict[str, cp_model.IntVar]
    bands: dict[str, cp_model.IntVar]
    constant: int
    excess: dict[str, cp_model.IntVar]
    sees: dict[tuple[str, str], cp_model.IntVar]
    primary: cp_model.LinearExpr
    secondary: cp_model.LinearExpr
    partial: dict[str, cp_model.IntVar] = field(default_factory=dict)

    def hint(self, schedule: Schedule) -> None:
        chosen: set[tuple[str, str]] = set()
        for patient_id, sessions in schedule.groups.items():
            chosen.update((patient_id, s) for s in sessions)
        for key, var in self.x.items():
            self.model.add_hint(var, key in chosen)
        members = schedule.members()
        for session_id, var in self.run.items():
            self.model.add_hint(var, members.get(session_id, 0) > 0)
        booked = set(schedule.individual)
        for (patient_id, index), var in self.y.items():
            self.model.add_hint(var, self.slots[patient_id][index] in booked)
        seen = {(slot.patient, slot.clinician) for slot in booked}
        for key, var in self.sees.items():
            self.model.add_hint(var, key in seen)
        problem = self.instance.problem
        for patient_id, var in self.meets.items():
            self.model.add_hint(var, meets_plan(problem, schedule, problem.patient(patient_id)))
        for patient_id, var in self.bands.items():
            minutes = patient_minutes(problem, schedule, patient_id)
            self.model.add_hint(var, minutes >= problem.patient(patient_id).min_minutes)
        for patient_id, var in self.excess.items():
            minutes = patient_minutes(problem, schedule, patient_id)
            self.model.add_hint(var, max(0, minutes - problem.patient(patient_id).min_minutes))
        for patient_id, var in self.partial.items():
            minutes = patient_minutes(problem, schedule, patient_id)
            self.model.add_hint(var, min(minutes, partial_ceiling(self.instance.options[patient_id])))

    def extract(self, solver: cp_model.CpSolver) -> Schedule:
        groups: dict[str, set[str]] = defaultdict(set)
        for (patient_id, session_id), var in self.x.items():
            if solver.boolean_value(var):
                groups[patient_id].add(session_id)
        individual = [
            self.slots[patient_id][index] for (patient_id, index), var in self.y.items() if solver.boolean_value(var)
        ]
        return Schedule({p: frozenset(s) for p, s in groups.items()}, tuple(sorted(individual)))


def build_model(instance: SiteInstance, weights: Weights, *, require_all: bool = False) -> SiteModel:
    model = cp_model.CpModel()
    x: dict[tuple[str, str], cp_model.IntVar] = {}
    y: dict[tuple[str, int], cp_model.IntVar] = {}
    slots: dict[str, list[IndividualSlot]] = {}
    meets: dict[str, cp_model.IntVar] = {}
    bands: dict[str, cp_model.IntVar] = {}
    excesses: dict[str, cp_model.IntVar] = {}
    partials: dict[str, cp_model.IntVar] = {}
    sees_vars: dict[tuple[str, str], cp_model.IntVar] = {}
    by_session: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    clinician_items: dict[str, list[tuple[tuple[int, int, int], cp_model.IntVar]]] = defaultdict(list)
    # Patients meeting their plan (primary), and everything else (secondary).
    primary: list[cp_model.IntVar] = []
    objective: list[cp_model.LinearExprT] = []
    constant = 0

    for option in instance.options.values():
        patient = option.patient
        items: list[tuple[int, int, int]] = []
        variables: list[cp_model.IntVar] = []
        minutes: list[cp_model.LinearExprT] = []
        topics: dict[object, list[cp_model.IntVar]] = defaultdict(list)
        for session in option.sessions:
            var = model.new_bool_var(f"x[{patient.id},{session.id}]")
            x[patient.id, session.id] = var
            by_session[session.id].append(var)
            items.append((session.day, session.start, session.end))
            variables.append(var)
            minutes.append(session.minutes * var)
            topics[session.topic].append(var)
        slots[patient.id] = option.slots
        per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        per_clinician: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for index, slot in enumerate(option.slots):
            var = model.new_bool_var(f"y[{patient.id},{index}]")
            y[patient.id, index] = var
            items.append((slot.day, slot.start, slot.end))
            variables.append(var)
            minutes.append(slot.minutes * var)
            per_day[slot.day].append(var)
            per_clinician[slot.clinician].append(var)
            clinician_items[slot.clinician].append(((slot.day, slot.start, slot.end), var))
        for clique in max_clique_sets(items):
            model.add_at_most_one(variables[i] for i in clique)
        for day_vars in per_day.values():
            if len(day_vars) > 1:
                model.add_at_most_one(day_vars)
        individual_count = cp_model.LinearExpr.sum([var for day_vars in per_day.values() for var in day_vars])
        if option.slots:
            model.add(individual_count <= patient.individual_sessions)
        if len(per_clinician) > 1:
            sees = []
            for clinician_id, clinician_vars in per_clinician.items():
                seen = model.new_bool_var(f"u[{patient.id},{clinician_id}]")
                sees_vars[patient.id, clinician_id] = seen
                for var in clinician_vars:
                    model.add_implication(var, seen)
                sees.append(seen)
                clinician_items[f"caseload:{clinician_id}"].append(((0, 0, 0), seen))
            model.add_at_most_one(sees)
        elif per_clinician:
            ((clinician_id, clinician_vars),) = per_clinician.items()
            seen = model.new_bool_var(f"u[{patient.id},{clinician_id}]")
            sees_vars[patient.id, clinician_id] = seen
            for var in clinician_vars:
                model.add_implication(var, seen)
            clinician_items[f"caseload:{clinician_id}"].append(((0, 0, 0), seen))

        total = cp_model.LinearExpr.sum(minutes)
        if minutes:
            model.add(total <= patient.max_minutes)
        if option.can_band:
            reached = model.new_bool_var(f"band[{patient.id}]")
            bands[patient.id] = reached
            model.add(total >= patient.min_minutes).only_enforce_if(reached)
            primary.append(reached)
        if option.can_meet:
            met = model.new_bool_var(f"meets[{patient.id}]")
            meets[patient.id] = met
            model.add_implication(met, bands[patient.id])
            if patient.individual_sessions:
                model.add(individual_count >= patient.individual_sessions).only_enforce_if(met)
            for topic, count in patient.matrix_topics.items():
                model.add(cp_model.LinearExpr.sum(topics[topic]) >= count).only_enforce_if(met)
            primary.append(met)
            if require_all:
                model.add(met == 1)
        elif require_all:
            model.add_bool_or([])  # this patient cannot meet the plan: the week is infeasible
        spread = patient.max_minutes - patient.min_minutes
        if minutes and spread > 0:
            excess = model.new_int_var(0, spread, f"excess[{patient.id}]")
            excesses[patient.id] = excess
            model.add(excess >= total - patient.min_minutes)
            objective.append(-weights.excess_minute * excess)
        ceiling = partial_ceiling(option)
        if minutes and ceiling > 0 and weights.partial_minute:
            # At the optimum partial = min(total, band minimum): credit for hours short of the band.
            partial = model.new_int_var(0, ceiling, f"partial[{patient.id}]")
            partials[patient.id] = partial
            model.add(partial <= total)
            objective.append(weights.partial_minute * partial)
        keep = [x[patient.id, s] for s in option.continuity]
        if keep:
            objective.append(weights.continuity * sum(keep))

    run: dict[str, cp_model.IntVar] = {}
    for session in instance.sessions:
        members = by_session.get(session.id, [])
        if not members:
            constant -= weights.cancellation
            continue
        running = model.new_bool_var(f"run[{session.id}]")
        run[session.id] = running
        for var in members:
            model.add_implication(var, running)
        size = cp_model.LinearExpr.sum(members)
        model.add(size >= session.min_size * running)
        model.add(size <= session.max_size * running)
        if len(members) < session.min_size:
            model.add(running == 0)
        objective.append(weights.cancellation * running)
        constant -= weights.cancellation
        if session.facilitator in {c.id for c in instance.clinicians}:
            clinician_items[session.facilitator].append(((session.day, session.start, session.end), running))

    for conflict in instance.session_conflicts():
        running_vars = [run[s] for s in conflict if s in run]
        if len(running_vars) > 1:
            model.add_at_most_one(running_vars)

    for clinician in instance.clinicians:
        timed = clinician_items.get(clinician.id, [])
        for clique in max_clique_sets([item for item, _ in timed]):
            model.add_at_most_one(timed[i][1] for i in clique)
        seen_vars = [var for _, var in clinician_items.get(f"caseload:{clinician.id}", [])]
        if len(seen_vars) > clinician.caseload:
            model.add(sum(seen_vars) <= clinician.caseload)

    site_model = SiteModel(
        model,
        instance,
        x,
        run,
        y,
        slots,
        meets,
        bands,
        constant,
        excesses,
        sees_vars,
        cp_model.LinearExpr.sum(primary),
        cp_model.LinearExpr.sum([*objective, constant]),
        partials,
    )
    model.maximize(weights.meets * site_model.primary + site_model.secondary)
    return site_model
