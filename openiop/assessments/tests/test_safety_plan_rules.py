# SPDX-License-Identifier: AGPL-3.0-or-later
"""The safety plan as data and when it is due for review. No database."""

from __future__ import annotations

import datetime as dt

from openiop.assessments import safety_plan

MARCH = [dt.date(2026, 3, day) for day in range(1, 32)]


def test_the_plan_has_stanley_browns_six_steps_and_the_reasons_for_living() -> None:
    assert [step.number for step in safety_plan.STEPS] == ["1", "2", "3", "4", "5", "6", ""]
    assert safety_plan.STEP_KEYS == (
        "warning_signs",
        "coping_strategies",
        "distractions",
        "help_contacts",
        "crisis_contacts",
        "environment_safety",
        "reasons_for_living",
    )


def test_step_5_starts_with_988_and_911() -> None:
    assert "988" in safety_plan.CRISIS_LINES and "911" in safety_plan.CRISIS_LINES


def test_entries_are_the_non_blank_lines_trimmed() -> None:
    assert safety_plan.entries("  Call Ana 617-555-0100 \n\n  Walk the dog\n") == [
        "Call Ana 617-555-0100",
        "Walk the dog",
    ]


def test_every_step_left_blank_is_named() -> None:
    content = dict.fromkeys(safety_plan.STEP_KEYS, "Something")
    content["environment_safety"] = "  \n "
    del content["reasons_for_living"]

    assert [step.key for step in safety_plan.missing_steps(content)] == ["environment_safety", "reasons_for_living"]


def at(day: int, hour: int = 12, *, recorded_days_later: int = 0) -> safety_plan.Moment:
    when = dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC) + dt.timedelta(days=recorded_days_later)
    return safety_plan.Moment(on=MARCH[day - 1], at=when)


def test_no_step_down_means_no_review_due() -> None:
    assert safety_plan.review_due(step_downs=[], reviews=[]) is None


def test_a_step_down_with_no_review_since_is_due_from_the_step_down() -> None:
    assert safety_plan.review_due(step_downs=[at(10)], reviews=[at(3)]) == MARCH[9]
    assert safety_plan.review_due(step_downs=[at(10)], reviews=[]) == MARCH[9]


def test_a_review_on_or_after_the_step_down_clears_it() -> None:
    assert safety_plan.review_due(step_downs=[at(10)], reviews=[at(10, 15)]) is None
    assert safety_plan.review_due(step_downs=[at(10)], reviews=[at(3), at(13)]) is None


def test_a_review_earlier_the_same_day_than_the_step_down_was_recorded_does_not_count() -> None:
    assert safety_plan.review_due(step_downs=[at(10, 15)], reviews=[at(10, 9)]) == MARCH[9]


def test_a_review_recorded_late_counts_only_from_the_day_it_took_place() -> None:
    # Entered on the 12th for a review done on the 8th, before the step-down of the 10th.
    backdated = safety_plan.Moment(on=MARCH[7], at=at(12).at)

    assert safety_plan.review_due(step_downs=[at(10)], reviews=[backdated]) == MARCH[9]


def test_a_second_step_down_needs_a_new_review() -> None:
    assert safety_plan.review_due(step_downs=[at(10), at(21)], reviews=[at(13)]) == MARCH[20]
