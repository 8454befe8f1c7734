# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sites solved in parallel processes, and the warm start from last week's
published week. Small models, no database."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from openiop.scheduling.optimizer import (
    ERROR,
    INFEASIBLE,
    IndividualSlot,
    Patient,
    Problem,
    Schedule,
    SolveOptions,
    build_site,
    carry_over,
    greedy,
    solve,
    solve_each,
    validate,
)
from openiop.scheduling.optimizer.instance import weights_for
from openiop.scheduling.optimizer.parallel import (
    SiteOutcome,
    SiteTask,
    default_processes,
    run_tasks,
    solve_site_task,
    workers_per_site,
)
from openiop.scheduling.tests.instances import brute_force, tiny_problem

# One worker and a fixed seed: CP-SAT is then deterministic, so serial and parallel must agree exactly.
EXACT = SolveOptions(time_limit=10, workers=1, seed=7)


def _as_site(problem: Problem, site_id: str) -> Problem:
    """TINY_PROBLEM's single site renamed, with every id prefixed, to build a program of several."""

    def name(value: str) -> str:
        return f"{site_id}:{value}"

    return Problem(
        sites=tuple(dataclasses.replace(s, id=site_id, name=site_id.title()) for s in problem.sites),
        sessions=tuple(
            dataclasses.replace(s, id=name(s.id), site=site_id, room=name(s.room), facilitator=name(s.facilitator))
            for s in problem.sessions
        ),
        clinicians=tuple(dataclasses.replace(c, id=name(c.id), site=site_id) for c in problem.clinicians),
        patients=tuple(
            dataclasses.replace(
                p,
                id=name(p.id),
                site=site_id,
                clinician=name(p.clinician) if p.clinician else None,
                last_week=frozenset(name(s) for s in p.last_week),
            )
            for p in problem.patients
        ),
    )


def program(*sites: tuple[str, int]) -> Problem:
    parts = [_as_site(tiny_problem(seed, patients=3, sessions=4), site_id) for site_id, seed in sites]
    return Problem(
        tuple(s for p in parts for s in p.sites),
        tuple(s for p in parts for s in p.sessions),
        tuple(c for p in parts for c in p.clinicians),
        tuple(x for p in parts for x in p.patients),
    )


def test_parallel_processes_give_exactly_the_serial_week() -> None:
    problem = program(("north", 3), ("south", 4), ("east", 5))
    serial = solve(problem, EXACT)
    parallel = solve(problem, dataclasses.replace(EXACT, processes=2))

    assert serial.schedule is not None and parallel.schedule is not None
    assert dict(parallel.schedule.groups) == dict(serial.schedule.groups)
    assert parallel.schedule.individual == serial.schedule.individual
    assert (parallel.objective, parallel.bound, parallel.status) == (serial.objective, serial.bound, serial.status)
    assert [(s.site, s.status, s.objective, s.bound) for s in parallel.sites] == [
        (s.site, s.status, s.objective, s.bound) for s in serial.sites
    ]
    assert [s.site for s in parallel.sites] == ["north", "south", "east"]


def _fails_at_south(task: SiteTask) -> SiteOutcome:
    """A worker entry point that crashes for one site (module level, so a spawned process can import it)."""
    if task.instance.problem.sites[0].id == "south":
        raise RuntimeError("solver crashed")
    return solve_site_task(task)


def _tasks(problem: Problem) -> list[SiteTask]:
    instances = [build_site(problem.for_site(site.id)) for site in problem.sites]
    weights = weights_for(instances)
    return [SiteTask(i, weights, 1, 0.0, False, 7, 5.0) for i in instances]


def test_a_site_whose_worker_fails_is_reported_and_the_others_stand() -> None:
    tasks = _tasks(validate(program(("north", 3), ("south", 4), ("east", 5))))
    for processes in (1, 2):
        # Fork here keeps the test fast; the spawn path (the default) is the one the test above runs.
        outcomes = run_tasks(tasks, processes, entry=_fails_at_south, start_method="fork")
        assert [o.site for o in outcomes] == ["north", "south", "east"]
        assert outcomes[1].status == ERROR and outcomes[1].schedule is None
        assert "South" in outcomes[1].message and "RuntimeError: solver crashed" in outcomes[1].message
        assert all(o.schedule is not None and o.status != ERROR for o in (outcomes[0], outcomes[2]))


def test_every_site_keeps_its_status_when_one_has_no_week() -> None:
    problem = program(("north", 3), ("south", 4))
    # With everyone required to meet their plan: North's plans ask for nothing, South's for 40 hours a week.
    patients = tuple(
        dataclasses.replace(p, min_minutes=40 * 60, max_minutes=40 * 60)
        if p.site == "south"
        else dataclasses.replace(p, min_minutes=0, individual_sessions=0, matrix_week=None)
        for p in problem.patients
    )
    result = solve(
        dataclasses.replace(problem, patients=patients), dataclasses.replace(EXACT, require_all_in_band=True)
    )
    assert result.schedule is None and result.status == INFEASIBLE and "South" in result.message
    assert [s.site for s in result.sites] == ["north", "south"]  # the site solved before it is not lost
    assert result.sites[0].status != INFEASIBLE and result.sites[1].status == INFEASIBLE


def test_bad_input_in_one_problem_leaves_the_others_solved() -> None:
    good = program(("north", 3))
    bad = dataclasses.replace(good, patients=(*good.patients, dataclasses.replace(good.patients[0], site="nowhere")))
    outcomes = solve_each([bad, good], EXACT)
    assert not hasattr(outcomes[0], "schedule") and "nowhere" in str(outcomes[0])
    assert getattr(outcomes[1], "schedule", None) is not None


def test_the_pool_never_oversubscribes_the_cores() -> None:
    # By default a pair of CP-SAT workers per site (measured faster than two single-worker processes on 2 cores).
    assert [default_processes(cores) for cores in (1, 2, 3, 8)] == [1, 1, 1, 4]
    assert workers_per_site(default_processes(2), 2) == 2 and workers_per_site(default_processes(8), 8) == 2
    # An explicit number of processes shares the cores among them.
    assert workers_per_site(2, 2) == 1 and workers_per_site(4, 2) == 1 and workers_per_site(3, 8) == 2


# --- Warm start ---------------------------------------------------------------------------------------------------


def test_last_weeks_week_is_carried_over_where_it_still_holds() -> None:
    problem = validate(program(("north", 5)))
    last = solve(problem, EXACT).schedule
    assert last is not None and last.groups and last.individual
    instance = build_site(problem)

    assert carry_over(instance, last) == last  # nothing changed: all of it is the hint

    leaver, *_ = sorted(last.groups)
    booked = sorted(last.sessions_of(leaver))
    someone_new = Patient("someone", "north", (), 0, 60)  # never planned last week
    moved = [p for p in problem.patients if p.id != leaver]
    changed = dataclasses.replace(
        problem,
        patients=(*moved, someone_new),
        sessions=tuple(s for s in problem.sessions if s.id != booked[0]),  # one of last week's groups stopped
    )
    carried = carry_over(build_site(validate(changed)), last)
    assert leaver not in carried.groups and "someone" not in carried.groups
    assert all(booked[0] not in sessions for sessions in carried.groups.values())
    for patient_id, sessions in carried.groups.items():
        assert sessions == last.sessions_of(patient_id) - {booked[0]}


def test_an_appointment_whose_time_changed_is_not_carried_over() -> None:
    problem = validate(program(("north", 5)))
    instance = build_site(problem)
    option = next(o for o in instance.options.values() if o.slots)
    slot = option.slots[0]
    moved = IndividualSlot(slot.patient, slot.clinician, slot.day, slot.start + 7, slot.end + 7)  # off the grid
    other_clinician = dataclasses.replace(slot, clinician="north:nobody")
    last = Schedule({}, (moved, other_clinician))
    assert carry_over(instance, last).individual == ()
    assert carry_over(instance, Schedule({}, (slot,))).individual == (slot,)


def test_the_greedy_start_keeps_every_carried_over_seat() -> None:
    problem = validate(program(("north", 5), ("south", 16)))
    last = solve(problem, EXACT).schedule
    assert last is not None
    for site in problem.sites:
        instance = build_site(problem.for_site(site.id))
        hint = carry_over(instance, last)
        start = greedy(instance, start_from=hint)
        for patient_id, sessions in hint.groups.items():
            assert sessions <= start.sessions_of(patient_id)
        assert set(hint.individual) <= set(start.individual)


def test_a_hinted_solve_is_never_worse_and_says_it_was_hinted() -> None:
    hinted_any = False
    for seed in (3, 4, 5, 6):
        problem = program(("north", seed))
        last = solve(problem, EXACT).schedule
        assert last is not None
        # Next week: one patient has lost an evening, so part of last week's week no longer fits.
        first = problem.patients[0]
        next_week = dataclasses.replace(
            problem,
            patients=(
                dataclasses.replace(first, availability=tuple(w for w in first.availability if w.day != 1)),
                *problem.patients[1:],
            ),
        )
        short = dataclasses.replace(EXACT, time_limit=0.5)
        cold = solve(next_week, short)
        warm = solve(next_week, dataclasses.replace(short, hint=last))
        assert warm.objective >= cold.objective
        carried = carry_over(build_site(validate(next_week)), last)
        assert not cold.sites[0].hinted and warm.sites[0].hinted == bool(carried.groups or carried.individual)
        hinted_any = hinted_any or warm.sites[0].hinted
    assert hinted_any


def test_a_site_already_within_the_gap_limit_skips_the_second_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    solve_module = importlib.import_module("openiop.scheduling.optimizer.solve")
    make_solver = solve_module._solver
    phases: list[float] = []

    def counting(task: SiteTask, seconds: float) -> object:
        phases.append(seconds)
        return make_solver(task, seconds)

    monkeypatch.setattr(solve_module, "_solver", counting)
    for seed in (3, 5, 8):
        problem = validate(program(("north", seed)))
        best, _ = brute_force(problem, weights_for([build_site(problem)]))
        assert best is not None
        phases.clear()
        loose = solve(problem, dataclasses.replace(EXACT, relative_gap_limit=0.5))
        # One phase: the trivial ceiling over the first phase's week is already within 50%; the bound still holds.
        assert len(phases) == 1 and loose.objective <= best <= loose.bound
        assert loose.bound - loose.objective <= 0.5 * loose.objective
        phases.clear()
        exact = solve(problem, EXACT)
        assert len(phases) == 2 and exact.objective == best
