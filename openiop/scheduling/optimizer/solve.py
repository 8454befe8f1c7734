# SPDX-License-Identifier: AGPL-3.0-or-later
"""Build next week: validate, check seats against demand, then solve each site
on its own (sites share no patients, rooms or clinicians, so the work grows
linearly with the number of sites) and explain who cannot reach their band.

An infeasible week (only possible with ``require_all_in_band``) returns a
result that says so and carries no schedule: nothing partial.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
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
from openiop.scheduling.optimizer.model import Problem, ProblemError, Schedule, combine, validate
from openiop.scheduling.optimizer.parallel import ERROR, SiteOutcome, SiteTask, run_tasks, workers_per_site
from openiop.scheduling.optimizer.precheck import Shortfall, seat_check
from openiop.scheduling.optimizer.warmstart import carry_over

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SolveOptions:
    """``time_limit``: seconds for the whole problem, shared among its sites
    by size (with ``processes`` > 1 each site gets its share times the
    processes, since that many sites run at once). ``relative_gap_limit``:
    stop a site once proven this close to its bound. ``require_all_in_band``:
    every patient must meet their plan, or the week is reported infeasible.
    ``processes``: sites solved at once in worker processes (1: one after
    another in this process). ``workers``: CP-SAT search workers per site
    (0: the cores shared among the processes, ``parallel.workers_per_site``)."""

    time_limit: float = 30.0
    workers: int = 0
    relative_gap_limit: float = 0.0
    require_all_in_band: bool = False
    seed: int = 0
    hint: Schedule | None = None  # last week's published week (warm start); default: last week's cohorts
    processes: int = 1


@dataclass(frozen=True)
class SiteResult:
    site: str
    status: str
    objective: int
    bound: int
    seconds: float
    greedy_objective: int
    used_greedy: bool  # the solver found nothing better within its time
    hinted: bool = False  # started from last week's published week
    message: str = ""

    @property
    def gap(self) -> float:
        """This site's relative distance to its proven bound."""
        if self.status in (INFEASIBLE, UNKNOWN, ERROR):
            return 1.0
        return max(0.0, (self.bound - self.objective) / max(1, abs(self.bound)))


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
    """Solve PROBLEM (one or more sites); raises ProblemError on bad input."""
    (outcome,) = solve_each([problem], options)
    if isinstance(outcome, ProblemError):
        raise outcome
    return outcome


@dataclass
class _Prepared:
    problem: Problem
    shortfalls: tuple[Shortfall, ...]
    instances: list[SiteInstance]
    weights: Weights
    tasks: list[SiteTask]
    started: float = 0.0  # when its time limit started counting (0: at its first site)
    remaining_size: int = 0


def solve_each(problems: Sequence[Problem], options: SolveOptions | None = None) -> list[Result | ProblemError]:
    """Solve several problems at once (the week builder's one per site), each
    exactly as ``solve`` would, with every site of every problem in the same
    pool of ``options.processes``. A problem with bad input gets its
    ProblemError in its place; the others are still solved."""
    options = options or SolveOptions()
    started = time.perf_counter()
    processes = max(1, options.processes)
    workers = options.workers or workers_per_site(processes)
    prepared: list[_Prepared | ProblemError] = []
    tasks: list[SiteTask] = []
    owner: list[_Prepared] = []
    for raw in problems:
        try:
            problem = validate(raw)
        except ProblemError as error:
            prepared.append(error)
            continue
        instances = [build_site(problem.for_site(site.id)) for site in problem.sites]
        weights = weights_for(instances)
        total = sum(_size(i) for i in instances) or 1
        running = min(processes, len(instances)) if len(instances) else 1
        # The first problem's time counts from now, as it always has (checks and instances included); a
        # later problem's from when its first site starts, so each keeps its whole time limit.
        begun = 0.0 if any(isinstance(p, _Prepared) for p in prepared) else started
        entry = _Prepared(problem, tuple(seat_check(problem)), instances, weights, [], begun, total)
        for instance in instances:
            # In parallel each site's time is fixed up front; one after another, ``_serial_budget`` hands
            # on what a fast site left over.
            budget = max(0.05, min(options.time_limit, options.time_limit * running * _size(instance) / total))
            hint = carry_over(instance, options.hint) if options.hint is not None else None
            task = SiteTask(
                instance,
                weights,
                workers,
                options.relative_gap_limit,
                options.require_all_in_band,
                options.seed,
                budget,
                hint,
            )
            entry.tasks.append(task)
            tasks.append(task)
            owner.append(entry)
        prepared.append(entry)

    by_task = {id(task): owner[i] for i, task in enumerate(tasks)}

    def serial_budget(task: SiteTask) -> SiteTask:
        entry = by_task[id(task)]
        if not entry.started:
            entry.started = time.perf_counter()
        size = _size(task.instance)
        share = size / entry.remaining_size if entry.remaining_size else 1.0
        entry.remaining_size -= size
        budget = max(0.05, (options.time_limit - (time.perf_counter() - entry.started)) * share)
        return dataclasses.replace(task, budget=budget)

    outcomes = run_tasks(tasks, processes, prepare=serial_budget)
    by_prepared: dict[int, list[SiteOutcome]] = {}
    for task_owner, outcome in zip(owner, outcomes, strict=True):
        by_prepared.setdefault(id(task_owner), []).append(outcome)
    return [
        item if isinstance(item, ProblemError) else _assemble(item, by_prepared.get(id(item), []), started)
        for item in prepared
    ]


def _assemble(prepared: _Prepared, outcomes: list[SiteOutcome], started: float) -> Result:
    problem, weights, shortfalls = prepared.problem, prepared.weights, prepared.shortfalls
    site_results = tuple(
        SiteResult(
            o.site, o.status, o.objective, o.bound, o.seconds, o.greedy_objective, o.used_greedy, o.hinted, o.message
        )
        for o in outcomes
    )
    failed = next(((i, o) for i, o in enumerate(outcomes) if o.schedule is None), None)
    if failed is not None:
        # Nothing partial: no schedule at all, and reasons only for those
        # who could not meet their plan even with every seat to themselves.
        instance, outcome = prepared.instances[failed[0]], failed[1]
        alone = [o.patient for o in instance.options.values() if not o.can_meet]
        name = instance.problem.sites[0].name
        if outcome.status == ERROR:
            message = outcome.message
        elif outcome.status != INFEASIBLE:
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
            status=outcome.status,
            schedule=None,
            objective=0,
            bound=0,
            weights=weights,
            sites=site_results,
            meeting=frozenset(),
            explanations={p.id: explain(problem, Schedule({}), p) for p in alone},
            shortfalls=shortfalls,
            solve_seconds=time.perf_counter() - started,
            message=message,
            problem=problem,
        )
    schedule = combine(o.schedule for o in outcomes if o.schedule is not None)
    final = score(problem, schedule)
    status = OPTIMAL if all(r.status == OPTIMAL for r in site_results) else FEASIBLE
    return Result(
        status=status,
        schedule=schedule,
        objective=final.objective(weights),
        bound=sum(r.bound for r in site_results),
        weights=weights,
        sites=site_results,
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


def solve_site(task: SiteTask) -> SiteOutcome:
    """One site's week from plain data (the pool's work; no database)."""
    instance, weights, budget = task.instance, task.weights, task.budget
    started = time.perf_counter()
    site_id = instance.problem.sites[0].id
    # Last week's published week, where it still holds, completed into a valid week: the solver's first hint.
    hinted = task.hint is not None and bool(task.hint.groups or task.hint.individual)
    baseline = greedy(instance)
    baseline_score = score(instance.problem, baseline)
    if hinted:
        # Whichever start is better, so a warm start is never worse than a cold one (the greedy weeks are cheap).
        carried = greedy(instance, start_from=task.hint)
        carried_score = score(instance.problem, carried)
        if carried_score.objective(weights) >= baseline_score.objective(weights):
            baseline, baseline_score = carried, carried_score
    baseline_objective = baseline_score.objective(weights)
    site_model = build_model(instance, weights, require_all=task.require_all_in_band)

    def outcome(schedule: Schedule | None, status: str, objective: int, bound: int, used: bool) -> SiteOutcome:
        seconds = time.perf_counter() - started
        return SiteOutcome(site_id, status, schedule, objective, bound, seconds, baseline_objective, used, hinted)

    # Lexicographic in two solves: first the most patients meeting their plan,
    # then, with that many guaranteed, continuity and the penalties. Each solve
    # is small enough to prove; one weighted solve was not.
    solver = _solver(task, 0.6 * budget - (time.perf_counter() - started))
    site_model.model.maximize(site_model.primary)
    site_model.hint(baseline)
    status = solver.solve(site_model.model)
    if status == cp_model.INFEASIBLE:
        return outcome(None, INFEASIBLE, 0, 0, False)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if task.require_all_in_band:
            return outcome(None, UNKNOWN, 0, 0, False)
        # No solution within the time: the greedy week is valid, with no proof of quality.
        upper = _trivial_bound(instance, weights)
        return outcome(baseline, FEASIBLE, baseline_objective, upper, True)
    first = site_model.extract(solver)
    first_score = score(instance.problem, first)
    meets_bound = int(solver.best_objective_bound)
    best = first if first_score.objective(weights) >= baseline_objective else baseline
    reached = max(first_score.primary, baseline_score.primary)
    best_objective = _objective(best, instance, weights)
    ceiling = weights.meets * meets_bound + _secondary_ceiling(instance, weights)
    if task.relative_gap_limit > 0 and ceiling - best_objective <= task.relative_gap_limit * abs(best_objective):
        # Already proven within the gap limit (typical of a warm start, which keeps last week's cohorts): phase
        # two could only polish what the limit says is close enough.
        label = OPTIMAL if ceiling <= best_objective else FEASIBLE
        return outcome(best, label, best_objective, max(ceiling, best_objective), best is baseline)

    site_model.model.add(site_model.primary >= reached)
    site_model.model.maximize(site_model.secondary)
    site_model.model.clear_hints()  # type: ignore[no-untyped-call]
    site_model.hint(best)
    solver = _solver(task, budget - (time.perf_counter() - started))
    if task.relative_gap_limit > 0:
        # The gap that matters is the whole objective's, most of which phase one already fixed.
        solver.parameters.relative_gap_limit = 0
        solver.parameters.absolute_gap_limit = task.relative_gap_limit * abs(_objective(best, instance, weights))
    status = solver.solve(site_model.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        second = site_model.extract(solver)
        if score(instance.problem, second).objective(weights) > score(instance.problem, best).objective(weights):
            best = second
    best_objective = score(instance.problem, best).objective(weights)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Valid even when phase one was cut short: a week with primary >= reached has at most meets_bound
        # primary and at most phase two's bound otherwise; a week with less primary scores below ``best``
        # (one ``meets`` outweighs the whole secondary range, see ``Weights``).
        bound = weights.meets * meets_bound + int(solver.best_objective_bound)
    else:
        bound = weights.meets * meets_bound + _secondary_ceiling(instance, weights)
    bound = max(bound, best_objective)
    # CP-SAT says OPTIMAL when it stops at the gap limit too; only a closed gap is called optimal here.
    label = OPTIMAL if bound == best_objective else FEASIBLE
    return outcome(best, label, best_objective, bound, best is baseline)


def _objective(schedule: Schedule, instance: SiteInstance, weights: Weights) -> int:
    return score(instance.problem, schedule).objective(weights)


def _solver(task: SiteTask, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = task.workers
    solver.parameters.random_seed = task.seed
    solver.parameters.relative_gap_limit = task.relative_gap_limit
    if task.workers >= 2:
        # With few workers the default portfolio keeps the clique-strengthened
        # LP (max_lp) out, and that LP is what proves these models optimal.
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"][: task.workers])
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
