# SPDX-License-Identifier: AGPL-3.0-or-later
"""Partial credit below the band: a patient who cannot reach their band
still gets every hour the week allows, but never at the cost of someone
else reaching theirs or of last week's cohort. No database."""

from __future__ import annotations

import pytest

from openiop.scheduling.optimizer import OPTIMAL, Schedule, build_site, score, solve, validate
from openiop.scheduling.optimizer.instance import patient_minutes, weights_for
from openiop.scheduling.tests.instances import brute_force, tiny_problem
from openiop.scheduling.tests.test_optimizer import OPTIONS, H, evenings, group, person, week

MON, TUE, WED = 0, 1, 2


def test_a_patient_who_cannot_reach_the_band_gets_every_hour_that_fits() -> None:
    # Three evening groups others keep running anyway; Pat fits only Mon and Tue: 6 h of a 9 h minimum.
    sessions = [group("mon", MON, 18), group("tue", TUE, 18), group("wed", WED, 18)]
    regulars = [person(f"r{i}", *evenings(MON, TUE, WED), low=9, high=9) for i in range(3)]
    pat = person("pat", *evenings(MON, TUE), low=9, high=19)
    problem = validate(week(sessions, [*regulars, pat]))

    result = solve(problem, OPTIONS)

    assert result.schedule is not None and result.status == OPTIMAL
    assert patient_minutes(problem, result.schedule, "pat") == 6 * H
    assert all(patient_minutes(problem, result.schedule, r.id) == 9 * H for r in regulars)


def test_of_two_clashing_groups_below_the_band_the_longer_one_wins() -> None:
    # Both groups run for their regulars; Pat can join one. Before partial credit the two were a tie.
    sessions = [group("short", MON, 18, hours=2), group("long", MON, 18, hours=3)]
    regulars = [person("r2", *evenings(MON), low=2, high=2), person("r3", *evenings(MON), low=3, high=3)]
    pat = person("pat", *evenings(MON), low=9, high=19)
    problem = validate(week(sessions, [*regulars, pat]))
    weights = weights_for([build_site(problem)])
    rest = {"r2": frozenset({"short"}), "r3": frozenset({"long"})}
    shorter = score(problem, Schedule({**rest, "pat": frozenset({"short"})}))
    longer = score(problem, Schedule({**rest, "pat": frozenset({"long"})}))

    result = solve(problem, OPTIONS)

    assert longer.objective(weights) > shorter.objective(weights)
    assert longer.objective(weights) - shorter.objective(weights) == 60 * weights.partial_minute
    assert result.schedule is not None and result.schedule.sessions_of("pat") == {"long"}


def test_partial_credit_never_takes_a_seat_someone_needs_to_reach_the_band() -> None:
    # One seat on Tuesday: Ann reaches her 6 h only with it; Pat could have 3 more hours below his band.
    sessions = [group("mon", MON, 18, high=2), group("tue", TUE, 18, high=1)]
    ann = person("ann", *evenings(MON, TUE), low=6, high=6)
    pat = person("pat", *evenings(MON, TUE), low=9, high=19)
    problem = validate(week(sessions, [ann, pat]))

    result = solve(problem, OPTIONS)

    assert result.schedule is not None
    assert result.schedule.sessions_of("ann") == {"mon", "tue"}
    assert result.schedule.sessions_of("pat") == {"mon"}


def test_partial_credit_never_outweighs_keeping_last_weeks_group() -> None:
    # Pat was in the 2 h Monday group last week; a 3 h group clashes with it. Continuity comes first.
    sessions = [group("mon-short", MON, 18, hours=2), group("mon-long", MON, 18, hours=3)]
    pat = person("pat", *evenings(MON), low=9, high=19, last_week=frozenset({"mon-short"}))
    problem = validate(week(sessions, [pat]))

    result = solve(problem, OPTIONS)

    assert result.schedule is not None
    assert result.schedule.sessions_of("pat") == {"mon-short"}


def test_the_score_counts_minutes_up_to_the_minimum_only() -> None:
    sessions = [group("mon", MON, 18), group("tue", TUE, 18), group("wed", WED, 18)]
    low = person("low", *evenings(MON, TUE, WED), low=9, high=19)
    short = person("short", *evenings(MON, TUE, WED), low=9, high=19)
    problem = validate(week(sessions, [low, short]))
    schedule = Schedule({"low": frozenset({"mon", "tue", "wed"}), "short": frozenset({"mon"})})

    assert score(problem, schedule).partial_minutes == 9 * H + 3 * H


@pytest.mark.parametrize("seed", range(16, 24))
def test_it_still_matches_brute_force_with_the_credit(seed: int) -> None:
    problem = validate(tiny_problem(seed, patients=3, sessions=5))
    weights = weights_for([build_site(problem)])
    best, _ = brute_force(problem, weights)

    result = solve(problem, OPTIONS)

    assert result.objective == best and result.bound == best
