# SPDX-License-Identifier: AGPL-3.0-or-later
"""Property tests: whatever the week looks like, the optimizer's schedule
double-books nobody, respects capacity and group minimums, never exceeds a
band, and puts everyone in band whenever that is possible."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openiop.scheduling.optimizer import (
    INFEASIBLE,
    SolveOptions,
    build_site,
    greedy,
    score,
    solve,
    validate,
    violations,
)
from openiop.scheduling.optimizer.instance import patient_minutes
from openiop.scheduling.tests.instances import brute_force_all_meet, tiny_problem

OPTIONS = SolveOptions(time_limit=10)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(seed=st.integers(0, 10**6), patients=st.integers(1, 5), sessions=st.integers(1, 7))
def test_no_patient_double_booked_and_capacity_respected(seed: int, patients: int, sessions: int) -> None:
    problem = validate(tiny_problem(seed, patients=patients, sessions=sessions))
    result = solve(problem, OPTIONS)
    assert result.schedule is not None
    assert violations(problem, result.schedule) == []
    members = result.schedule.members()
    for session in problem.sessions:
        assert members.get(session.id, 0) == 0 or session.min_size <= members[session.id] <= session.max_size
    for patient in problem.patients:
        assert patient_minutes(problem, result.schedule, patient.id) <= patient.max_minutes
    assert result.gap == 0


@PROPERTY
@given(seed=st.integers(0, 10**6), patients=st.integers(1, 3))
def test_everyone_is_in_band_whenever_that_is_feasible(seed: int, patients: int) -> None:
    problem = validate(tiny_problem(seed, patients=patients, sessions=4))
    strict = solve(problem, dataclasses.replace(OPTIONS, require_all_in_band=True))
    possible = brute_force_all_meet(problem)
    assert (strict.status != INFEASIBLE) == possible
    if possible:
        assert strict.schedule is not None
        for patient in problem.patients:
            assert patient.min_minutes <= patient_minutes(problem, strict.schedule, patient.id) <= patient.max_minutes
        # Without the requirement the optimizer finds such a week on its own.
        assert len(solve(problem, OPTIONS).meeting) == len(problem.patients)


@PROPERTY
@given(seed=st.integers(0, 10**6), patients=st.integers(1, 6), sessions=st.integers(1, 8))
def test_greedy_is_valid_and_never_better_than_cp_sat(seed: int, patients: int, sessions: int) -> None:
    problem = validate(tiny_problem(seed, patients=patients, sessions=sessions))
    baseline = greedy(build_site(problem))
    assert violations(problem, baseline) == []
    result = solve(problem, OPTIONS)
    assert score(problem, baseline).objective(result.weights) <= result.objective
