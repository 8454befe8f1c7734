# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week optimizer: proven optimal against brute force, validation with
clear messages, seat checks, explanations in words, one-patient re-planning.
No database."""

from __future__ import annotations

import dataclasses

import pytest

from openiop.scheduling.catalog import Topic
from openiop.scheduling.optimizer import (
    INFEASIBLE,
    OPTIMAL,
    Clinician,
    GroupSession,
    IndividualSlot,
    Patient,
    Problem,
    ProblemError,
    Schedule,
    Site,
    SolveOptions,
    Track,
    Window,
    build_site,
    describe_availability,
    greedy,
    replan_patient,
    score,
    seat_check,
    solve,
    validate,
    violations,
)
from openiop.scheduling.optimizer.instance import best_disjoint_minutes, max_clique_sets, weights_for
from openiop.scheduling.tests.instances import brute_force, brute_force_all_meet, tiny_problem

H = 60
TUE, THU = 1, 3
NORTH = Site("north", "North", tuple(Window(day, 8 * H, 22 * H) for day in range(7)))
OPTIONS = SolveOptions(time_limit=10)


def group(
    session_id: str,
    day: int,
    start: int,
    hours: float = 3,
    *,
    low: int = 1,
    high: int = 10,
    topic: Topic = Topic.COPING_SKILLS,
    room: str | None = None,
    facilitator: str | None = None,
) -> GroupSession:
    return GroupSession(
        id=session_id,
        site="north",
        day=day,
        start=start * H,
        end=start * H + round(hours * H),
        topic=topic,
        track=Track.EVENING if start >= 17 else Track.WEEKEND if day >= 5 else Track.MORNING,
        min_size=low,
        max_size=high,
        room=room or f"room-{session_id}",
        facilitator=facilitator or f"lead-{session_id}",
    )


def person(patient_id: str, *windows: Window, low: float = 6, high: float = 19, **extra: object) -> Patient:
    return Patient(
        id=patient_id,
        site="north",
        availability=windows,
        min_minutes=round(low * H),
        max_minutes=round(high * H),
        **extra,  # type: ignore[arg-type]
    )


def evenings(*days: int) -> tuple[Window, ...]:
    return tuple(Window(day, 17 * H, 21 * H + 30) for day in days)


def week(sessions: list[GroupSession], patients: list[Patient], clinicians: tuple[Clinician, ...] = ()) -> Problem:
    return Problem((NORTH,), tuple(sessions), clinicians, tuple(patients))


# --- Proven optimal ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_it_matches_brute_force_on_tiny_random_weeks(seed: int) -> None:
    problem = validate(tiny_problem(seed, patients=3, sessions=4 + seed % 2))
    weights = weights_for([build_site(problem)])
    best, _ = brute_force(problem, weights)
    result = solve(problem, OPTIONS)
    assert result.status == OPTIMAL
    assert result.schedule is not None and violations(problem, result.schedule) == []
    assert result.objective == best
    assert result.bound == best and result.gap == 0


@pytest.mark.parametrize("seed", range(10, 16))
def test_greedy_is_valid_and_never_beats_the_optimizer(seed: int) -> None:
    problem = validate(tiny_problem(seed, patients=4, sessions=5))
    instance = build_site(problem)
    baseline = greedy(instance)
    assert violations(problem, baseline) == []
    result = solve(problem, OPTIONS)
    assert score(problem, baseline).objective(result.weights) <= result.objective


def test_more_patients_in_band_beat_any_amount_of_continuity() -> None:
    # Ann kept "old" last week, but only giving "new" to Bob lets both reach 3 h.
    sessions = [group("old", TUE, 18, high=1), group("new", THU, 18, high=1), group("other", TUE, 18, high=1)]
    ann = person("ann", *evenings(TUE, THU), low=3, high=3, last_week=frozenset({"new"}))
    bob = person("bob", *evenings(THU), low=3, high=3)
    result = solve(week(sessions, [ann, bob]), OPTIONS)
    assert result.meeting == {"ann", "bob"}
    assert result.schedule is not None and result.schedule.sessions_of("bob") == {"new"}


def test_last_weeks_cohort_is_kept_when_it_costs_nobody_anything() -> None:
    sessions = [group("a", TUE, 18), group("b", TUE, 18), group("c", THU, 18)]
    ann = person("ann", *evenings(TUE, THU), low=6, high=6, last_week=frozenset({"b", "c"}))
    result = solve(week(sessions, [ann]), OPTIONS)
    assert result.schedule is not None and result.schedule.sessions_of("ann") == {"b", "c"}


def test_a_group_runs_with_its_minimum_or_is_cancelled() -> None:
    sessions = [group("big", TUE, 18, low=3), group("small", THU, 18, low=1)]
    patients = [person(f"p{i}", *evenings(TUE, THU), low=3, high=6) for i in range(2)]
    result = solve(week(sessions, patients), OPTIONS)
    assert result.schedule is not None
    assert result.schedule.members() == {"small": 2}
    assert result.meeting == {"p0", "p1"}


def test_individual_sessions_respect_clinician_time_and_caseload() -> None:
    casey = Clinician("casey", "north", "Casey", (Window(TUE, 17 * H, 19 * H),), caseload=1)
    sessions = [group("g", THU, 18)]
    ann = person(
        "ann", *evenings(TUE, THU), low=3, high=6, individual_sessions=1, individual_minutes=60, clinician="casey"
    )
    bob = person(
        "bob", *evenings(TUE, THU), low=3, high=6, individual_sessions=1, individual_minutes=60, clinician="casey"
    )
    problem = week(sessions, [ann, bob], (casey,))
    result = solve(problem, OPTIONS)
    assert result.schedule is not None and violations(validate(problem), result.schedule) == []
    assert len(result.schedule.individual) == 1
    assert len(result.meeting) == 1
    missing = next(pid for pid in ("ann", "bob") if pid not in result.meeting)
    assert "Casey: caseload full" in result.explanations[missing]


def test_a_clinician_who_leads_a_group_is_not_booked_for_an_individual_session_during_it() -> None:
    casey = Clinician("casey", "north", "Casey", (Window(TUE, 17 * H, 21 * H),), caseload=5)
    sessions = [group("g", TUE, 18, hours=3, facilitator="casey")]
    ann = person("ann", *evenings(TUE), low=3, high=3)
    bob = person("bob", *evenings(TUE), low=1, high=2, individual_sessions=1, individual_minutes=60, clinician="casey")
    result = solve(week(sessions, [ann, bob], (casey,)), OPTIONS)
    assert result.schedule is not None
    assert result.meeting == {"ann", "bob"}
    (slot,) = result.schedule.individual
    assert slot.end <= 18 * H  # before the group Casey leads


def test_matrix_patients_get_the_topics_their_week_requires() -> None:
    topics = [Topic.RELAPSE_PREVENTION, Topic.RELAPSE_PREVENTION, Topic.SOCIAL_SUPPORT, Topic.COPING_SKILLS]
    sessions = [group(f"s{i}", i, 9, hours=2, topic=topic) for i, topic in enumerate(topics)]
    sessions.append(group("extra", 4, 9, hours=2, topic=Topic.COPING_SKILLS))
    mornings = tuple(Window(day, 8 * H, 12 * H) for day in range(5))
    matrix = person("mia", *mornings, low=6, high=6, matrix_week=14)
    result = solve(week(sessions, [matrix]), OPTIONS)
    assert result.schedule is not None and result.meeting == {"mia"}
    assert {"s0", "s1", "s2"} <= result.schedule.sessions_of("mia")


def test_require_all_in_band_reports_an_infeasible_week_and_no_partial_schedule() -> None:
    sessions = [group("g", TUE, 18, high=1)]
    patients = [person("ann", *evenings(TUE), low=3), person("bob", *evenings(TUE), low=3)]
    result = solve(week(sessions, patients), dataclasses.replace(OPTIONS, require_all_in_band=True))
    assert result.status == INFEASIBLE
    assert result.schedule is None and result.meeting == frozenset()
    assert result.message == (
        "No week exists for North in which every patient meets their plan: seats, clinician time or group minimums "
        "do not allow everyone at once."
    )
    assert result.explanations == {}
    alone = week(sessions, [*patients, person("cy", *evenings(TUE), low=9)])
    impossible = solve(alone, dataclasses.replace(OPTIONS, require_all_in_band=True))
    assert impossible.status == INFEASIBLE and "1 cannot meet it whatever the others do" in impossible.message
    assert impossible.explanations["cy"][-1] == "every group that fits adds up to at most 3 h, below the 9 h minimum"
    relaxed = solve(week(sessions, patients), OPTIONS)
    assert relaxed.schedule is not None and len(relaxed.meeting) == 1


@pytest.mark.parametrize("seed", range(20, 26))
def test_require_all_in_band_is_feasible_exactly_when_brute_force_finds_such_a_week(seed: int) -> None:
    problem = validate(tiny_problem(seed, patients=2, sessions=4))
    result = solve(problem, dataclasses.replace(OPTIONS, require_all_in_band=True))
    assert (result.status != INFEASIBLE) == brute_force_all_meet(problem)
    if result.schedule is not None:
        assert result.meeting == {p.id for p in problem.patients}


def test_sites_are_solved_separately_and_merged() -> None:
    south = Site("south", "South", NORTH.opening)
    sessions = [group("n", TUE, 18), dataclasses.replace(group("s", TUE, 18), site="south")]
    patients = [
        person("ann", *evenings(TUE), low=3),
        dataclasses.replace(person("sam", *evenings(TUE), low=3), site="south"),
    ]
    result = solve(Problem((NORTH, south), tuple(sessions), (), tuple(patients)), OPTIONS)
    assert result.schedule is not None
    assert dict(result.schedule.groups) == {"ann": {"n"}, "sam": {"s"}}
    assert [site.site for site in result.sites] == ["north", "south"]


# --- Validation -------------------------------------------------------------------------------------------------------


def test_overlapping_availability_windows_are_merged() -> None:
    ann = person("ann", Window(TUE, 9 * H, 13 * H), Window(TUE, 12 * H, 17 * H), Window(TUE, 17 * H, 18 * H))
    checked = validate(week([group("g", TUE, 10, hours=6)], [ann]))
    assert checked.patients[0].availability == (Window(TUE, 9 * H, 18 * H),)
    result = solve(week([group("g", TUE, 10, hours=6)], [ann]), OPTIONS)
    assert result.schedule is not None and result.schedule.sessions_of("ann") == {"g"}


def test_bad_input_is_refused_with_every_problem_named() -> None:
    night = group("late", TUE, 21, hours=2)  # ends 23:00, North closes at 22:00
    small = group("small", THU, 18, low=6, high=4)
    bad_window = person("ann", Window(TUE, 20 * H, 19 * H))
    with pytest.raises(ProblemError) as raised:
        validate(
            week([night, small, dataclasses.replace(small, id="late")], [bad_window, person("ann", low=9, high=8)])
        )
    text = "\n".join(raised.value.messages)
    assert (
        "Session late (Coping skills Tue 21:00-23:00) is outside North's opening hours on Tue (Tue 08:00-22:00)" in text
    )
    assert "capacity 4 is below the minimum group size 6" in text
    assert "The session id 'late' is used more than once." in text
    assert "The patient id 'ann' is used more than once." in text
    assert "Patient ann: availability" in text
    assert "band 9 h-8 h is not a valid range" in text


def test_references_to_unknown_sites_and_clinicians_are_refused() -> None:
    stray = dataclasses.replace(person("ann", *evenings(TUE), clinician="nobody", matrix_week=20), site="west")
    with pytest.raises(ProblemError) as raised:
        validate(week([], [stray]))
    assert {"Patient ann: unknown site 'west'.", "Patient ann: unknown clinician 'nobody'."} <= set(
        raised.value.messages
    )
    assert "Patient ann: Matrix Model week must be between 1 and 16." in raised.value.messages


# --- Seat check and explanations --------------------------------------------------------------------------------------


def evening_crowd() -> Problem:
    sessions = [group("tue", TUE, 18, high=2), group("thu", THU, 18, high=2), group("sat", 5, 9, high=10)]
    patients = [person(f"p{i}", *evenings(TUE, THU)) for i in range(3)]
    return week(sessions, patients)


def test_seat_check_names_the_site_track_and_shortfall_in_hours() -> None:
    (shortfall,) = seat_check(validate(evening_crowd()))
    assert shortfall.track is Track.EVENING
    assert shortfall.text == (
        "North, evening track: 3 patients who can only come to evening groups need 18 h of group time; "
        "evening groups offer 12 h of seats (6 h short)."
    )


def test_a_patient_who_cannot_reach_the_band_is_told_why_in_words() -> None:
    result = solve(evening_crowd(), OPTIONS)
    assert len(result.meeting) == 2
    (reasons,) = result.explanations.values()
    assert reasons == ["scheduled 0 h of the 6 h-19 h band", "available only Tue/Thu evenings", "evening groups full"]
    assert result.shortfalls and result.shortfalls[0].site == "north"


def test_explanation_when_no_combination_of_groups_could_reach_the_minimum() -> None:
    result = solve(week([group("tue", TUE, 18)], [person("ann", *evenings(TUE, THU), low=9)]), OPTIONS)
    assert result.explanations["ann"][-1] == "every group that fits adds up to at most 3 h, below the 9 h minimum"


def test_explanations_for_matrix_topics_and_individual_time() -> None:
    casey = Clinician("casey", "north", "Casey", (Window(0, 9 * H, 12 * H),), caseload=5)
    sessions = [group("g1", TUE, 18), group("g2", THU, 18)]
    mia = person("mia", *evenings(TUE, THU), matrix_week=2, individual_sessions=1, clinician="casey")
    result = solve(week(sessions, [mia], (casey,)), OPTIONS)
    reasons = result.explanations["mia"]
    assert "no Early recovery skills group fits their availability (Matrix week 2 needs 2)" in reasons
    assert "no time with Casey fits their availability" in reasons


def test_availability_is_described_by_days_and_parts_of_the_day() -> None:
    windows = (*evenings(TUE, THU), Window(5, 9 * H, 16 * H), Window(0, 8 * H, 22 * H))
    assert describe_availability(windows) == "Mon all day, Tue/Thu evenings, Sat mornings and afternoons"
    assert describe_availability(()) == "no availability"


# --- Referee ----------------------------------------------------------------------------------------------------------


def test_the_checker_finds_double_booking_capacity_and_minimum_breaches() -> None:
    casey = Clinician("casey", "north", "Casey", (Window(TUE, 9 * H, 12 * H),), caseload=1)
    sessions = [group("a", TUE, 18, low=2, high=2), group("b", TUE, 19, room="room-a")]
    patients = [person(f"p{i}", *evenings(TUE), Window(TUE, 9 * H, 12 * H)) for i in range(3)]
    problem = validate(week(sessions, patients, (casey,)))
    bad = Schedule(
        {"p0": frozenset({"a", "b"}), "p1": frozenset({"a"}), "p2": frozenset({"a"})},
        (
            IndividualSlot("p0", "casey", TUE, 9 * H, 10 * H),
            IndividualSlot("p1", "casey", TUE, 9 * H + 30, 10 * H + 30),
        ),
    )
    found = "\n".join(violations(problem, bad))
    assert "patient p0 double-booked: a overlaps b" in found
    assert "session a: 3 members, capacity 2" in found
    assert "room room-a double-booked" in found
    assert "clinician casey double-booked" in found
    assert "clinician casey: 2 patients, caseload 1" in found
    assert "p0: more individual sessions than planned" in found
    lonely = Schedule({"p0": frozenset({"a"})})
    assert violations(problem, lonely) == ["session a: runs with 1 members, minimum 2"]


def test_interval_helpers() -> None:
    items = [(0, 0, 10), (0, 5, 15), (0, 10, 20), (1, 0, 10)]
    assert sorted(max_clique_sets(items)) == [[0, 1], [1, 2]]
    assert best_disjoint_minutes([(0, 0, 10), (0, 5, 25), (0, 10, 20), (1, 0, 10)]) == 30


# --- Re-planning one patient ------------------------------------------------------------------------------------------


def test_replanning_one_patient_leaves_everyone_else_exactly_as_they_were() -> None:
    from bench.schedule import build_program

    problem = validate(build_program(40, 1, seed=7))
    result = solve(problem, SolveOptions(time_limit=2))
    assert result.schedule is not None
    mover = problem.patients[5]
    changed = dataclasses.replace(mover, availability=evenings(0, 1, 2, 3, 4), clinician=None)
    replanned = replan_patient(problem, result.schedule, changed)
    assert replanned.schedule is not None
    assert replanned.seconds < 5  # about 0.05 s on an idle machine; generous for a shared one
    for patient in problem.patients:
        if patient.id != mover.id:
            assert replanned.schedule.sessions_of(patient.id) == result.schedule.sessions_of(patient.id)
            assert replanned.schedule.individual_of(patient.id) == result.schedule.individual_of(patient.id)
    updated = validate(
        dataclasses.replace(problem, patients=tuple(changed if p.id == mover.id else p for p in problem.patients))
    )
    problems = [
        v for v in violations(updated, replanned.schedule) if "below its minimum" not in v and "runs with" not in v
    ]
    assert problems == []
    for session_id in replanned.schedule.sessions_of(mover.id):
        session = updated.session(session_id)
        assert session.start >= 17 * H and session.day < 5
    assert replanned.meets_plan or replanned.explanation


def test_replanning_fills_the_seat_left_and_warns_when_a_group_falls_below_its_minimum() -> None:
    sessions = [group("tue", TUE, 18, low=2, high=2), group("thu", THU, 18, low=1, high=3)]
    ann, bob = person("ann", *evenings(TUE, THU), low=3, high=6), person("bob", *evenings(TUE, THU), low=3, high=6)
    problem = week(sessions, [ann, bob])
    result = solve(problem, OPTIONS)
    assert result.schedule is not None and result.schedule.members()["tue"] == 2
    moved = dataclasses.replace(ann, availability=evenings(THU))
    replanned = replan_patient(problem, result.schedule, moved)
    assert replanned.schedule is not None
    assert replanned.schedule.sessions_of("ann") == {"thu"}
    assert replanned.schedule.sessions_of("bob") == result.schedule.sessions_of("bob")
    assert replanned.warnings == ["Coping skills Tue 18:00-21:00 now has 1 members, below its minimum of 2."]


def test_explanation_when_the_clinician_is_booked_at_every_time_that_fits() -> None:
    casey = Clinician("casey", "north", "Casey", (Window(TUE, 17 * H, 19 * H),), caseload=5)
    patients = [
        person(
            name, *evenings(TUE, THU), low=3, high=6, individual_sessions=1, individual_minutes=60, clinician="casey"
        )
        for name in ("ann", "bob", "cy")
    ]
    result = solve(week([group("g", THU, 18)], patients, (casey,)), OPTIONS)
    assert len(result.meeting) == 2
    (reasons,) = result.explanations.values()
    assert reasons == ["available only Tue/Thu evenings", "Casey's free times that match theirs are all booked"]
