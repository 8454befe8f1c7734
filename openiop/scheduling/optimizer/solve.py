# SPDX-License-Identifier: AGPL-3.0-or-later
"""Build next week: validate, check seats against demand, then solve each site
on its own (sites share no patients, rooms or clinicians, so the work grows
linearly with the number of sites) and explain who cannot reach their band.

An infeasible week (only possible with ``require_all_in_band``) returns a
result that says so and carries no schedule: nothing partial.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from openiop.scheduling.optimizer.cpsat import build_model
from openiop.scheduling.optimizer.explain import explain
from openiop.scheduling.optimizer.greedy import greedy
from openiop.scheduling.optimizer.instance import (
    SiteInstance,
    Weights,
    build_site,
    partial_ceiling,
    score,
    weights_for,
)
from openiop.scheduling.optimizer.model import Problem, Schedule, combine, validate
from openiop.scheduling.optimizer.precheck import Shortfall, seat_check

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SolveOptions:
    """``time_limit``: seconds for the whole problem, shared among sites by
    size. ``relative_gap_limit``: stop a site once proven this close to its
    bound. ``require_all_in_band``: every patient must meet their plan, or the
    week is reported infeasible."""

    time_limit: float = 30.0
    workers: int = 2
    relative_gap_limit: float = 0.0
    require_all_in_band: bool = False
    seed: int = 0
    hint: Schedule | None = None  # e.g. last week's published solution; default: last week's cohorts


@dataclass(frozen=True)
class SiteResult:
    site: str
    status: str
    objective: int
    bound: int
    seconds: float
    greedy_objective: int
    used_greedy: bool  # the solver found nothing better within its time


@dataclass(frozen=True)
class Result:
    status: str
    schedule: Schedule | None
    objective: int
    bound: int
    weights: Weights
    sites: tuple[SiteResult, ...]
    meeting: frozenset[str]
    explanations: dict[str, list[str]]
    shortfalls: tuple[Shortfall, ...]
    solve_seconds: float
    message: str = ""
    problem: Problem | None = field(default=None, repr=False)

    @property
    def gap(self) -> float:
        """Relative distance to the proven bound (0 = proven optimal)."""
        if self.schedule is None:
            return 1.0
        return max(0.0, (self.bound - self.objective) / max(1, abs(self.bound)))


def solve(problem: Problem, options: SolveOptions | None = None) -> Result:
    options = options or SolveOptions()
    started = time.perf_counter()
    problem = validate(problem)
    shortfalls = tuple(seat_check(problem))
    instances = [build_site(problem.for_site(site.id)) for site in problem.sites]
    weights = weights_for(instances)
    remaining_size = sum(_size(i) for i in instances) or 1
    parts: list[Schedule] = []
    site_results: list[SiteResult] = []
    for instance in instances:
        elapsed = time.perf_counter() - started
        share = _size(instance) / remaining_size if remaining_size else 1.0
        budget = max(0.05, (options.time_limit - elapsed) * share)
        remaining_size -= _size(instance)
        site_schedule, site_result = _solve_site(instance, weights, options, budget)
        site_results.append(site_result)
        if site_schedule is None:
            # Nothing partial: no schedule at all, and reasons only for those
            # who could not meet their plan even with every seat to themselves.
            alone = [o.patient for o in instance.options.values() if not o.can_meet]
            name = instance.problem.sites[0].name
            if site_result.status != INFEASIBLE:
                message = f"No week for {name} was found within the time limit."
            elif alone:
                message = (
                    f"No week exists for {name} in which every patient meets their plan: {len(alone)} cannot "
                    "meet it whatever the others do."
                )
            else:
                message = (
                    f"No week exists for {name} in which every patient meets their plan: seats, clinician time "
                    "or group minimums do not allow everyone at once."
                )
            return Result(
                status=site_result.status,
                schedule=None,
                objective=0,
                bound=0,
                weights=weights,
                sites=tuple(site_results),
                meeting=frozenset(),
                explanations={p.id: explain(problem, Schedule({}), p) for p in alone},
                shortfalls=shortfalls,
                solve_seconds=time.perf_counter() - started,
                message=message,
                problem=problem,
            )
        parts.append(site_schedule)
    schedule = combine(parts)
    final = score(problem, schedule)
    status = OPTIMAL if all(r.status == OPTIMAL for r in site_results) else FEASIBLE
    return Result(
        status=status,
        schedule=schedule,
        objective=final.objective(weights),
        bound=sum(r.bound for r in site_results),
        weights=weights,
        sites=tuple(site_results),
        meeting=final.meeting,
        explanations=_explanations(problem, schedule, final.meeting),
        shortfalls=shortfalls,
        solve_seconds=time.perf_counter() - started,
        problem=problem,
    )


def _size(instance: SiteInstance) -> int:
    return sum(len(o.sessions) + len(o.slots) for o in instance.options.values()) + 1


def _explanations(problem: Problem, schedule: Schedule, meeting: frozenset[str]) -> dict[str, list[str]]:
    return {p.id: explain(problem, schedule, p) for p in problem.patients if p.id not in meeting}


def _solve_site(
    instance: SiteInstance, weights: Weights, options: SolveOptions, budget: float
) -> tuple[Schedule | None, SiteResult]:
    started = time.perf_counter()
    site_id = instance.problem.sites[0].id
    baseline = greedy(instance, start_from=options.hint)
    baseline_objective = score(instance.problem, baseline).objective(weights)
    site_model = build_model(instance, weights, require_all=options.require_all_in_band)
    baseline_score = score(instance.problem, baseline)

    # Lexicographic in two solves: first the most patients meeting their plan,
    # then, with that many guaranteed, continuity and the penalties. Each solve
    # is small enough to prove; one weighted solve was not.
    solver = _solver(options, 0.6 * budget - (time.perf_counter() - started))
    site_model.model.maximize(site_model.primary)
    site_model.hint(baseline)
    status = solver.solve(site_model.model)
    if status == cp_model.INFEASIBLE:
        seconds = time.perf_counter() - started
        return None, SiteResult(site_id, INFEASIBLE, 0, 0, seconds, baseline_objective, False)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        seconds = time.perf_counter() - started
        if options.require_all_in_band:
            return None, SiteResult(site_id, UNKNOWN, 0, 0, seconds, baseline_objective, False)
        # No solution within the time: the greedy week is valid, with no proof of quality.
        upper = _trivial_bound(instance, weights)
        return baseline, SiteResult(site_id, FEASIBLE, baseline_objective, upper, seconds, baseline_objective, True)
    first = site_model.extract(solver)
    first_score = score(instance.problem, first)
    meets_bound = int(solver.best_objective_bound)
    proven = status == cp_model.OPTIMAL
    best = first if first_score.objective(weights) >= baseline_objective else baseline
    reached = max(first_score.primary, baseline_score.primary)

    site_model.model.add(site_model.primary >= reached)
    site_model.model.maximize(site_model.secondary)
    site_model.model.clear_hints()  # type: ignore[no-untyped-call]
    site_model.hint(best)
    solver = _solver(options, budget - (time.perf_counter() - started))
    if options.relative_gap_limit > 0:
        # The gap that matters is the whole objective's, most of which phase one already fixed.
        solver.parameters.relative_gap_limit = 0
        solver.parameters.absolute_gap_limit = options.relative_gap_limit * abs(_objective(best, instance, weights))
    status = solver.solve(site_model.model)
    seconds = time.perf_counter() - started
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        second = site_model.extract(solver)
        if score(instance.problem, second).objective(weights) > score(instance.problem, best).objective(weights):
            best = second
    best_objective = score(instance.problem, best).objective(weights)
    if proven and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = weights.meets * meets_bound + int(solver.best_objective_bound)
    else:
        bound = weights.meets * meets_bound + _secondary_ceiling(instance, weights)
    bound = max(bound, best_objective)
    # CP-SAT says OPTIMAL when it stops at the gap limit too; only a closed gap is called optimal here.
    label = OPTIMAL if bound == best_objective else FEASIBLE
    return best, SiteResult(site_id, label, best_objective, bound, seconds, baseline_objective, best is baseline)


def _objective(schedule: Schedule, instance: SiteInstance, weights: Weights) -> int:
    return score(instance.problem, schedule).objective(weights)


def _solver(options: SolveOptions, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    solver.parameters.relative_gap_limit = options.relative_gap_limit
    if options.workers >= 2:
        # With few workers the default portfolio keeps the clique-strengthened
        # LP (max_lp) out, and that LP is what proves these models optimal.
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"][: options.workers])
    return solver


def _secondary_ceiling(instance: SiteInstance, weights: Weights) -> int:
    options = instance.options.values()
    return weights.continuity * sum(len(o.continuity) for o in options) + weights.partial_minute * sum(
        partial_ceiling(o) for o in options
    )


def _trivial_bound(instance: SiteInstance, weights: Weights) -> int:
    """Everyone who could meet their plan does, every kept group, nothing lost."""
    options = instance.options.values()
    return weights.meets * sum(o.can_meet + o.can_band for o in options) + _secondary_ceiling(instance, weights)
