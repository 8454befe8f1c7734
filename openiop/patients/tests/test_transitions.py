# SPDX-License-Identifier: AGPL-3.0-or-later
"""The level-of-care change and discharge rules, without a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openiop.patients import transitions
from openiop.patients.transitions import Problem

TODAY = dt.date(2026, 3, 5)
ADMITTED = dt.date(2026, 1, 10)
LEVELS = ("1", "2.1", "2.5", "3.1", "3.3", "3.5", "3.7", "4")
SUPPORTS = ("mutual_help", "sponsor", "family")


def change(**overrides: Any) -> dict[str, Problem]:
    values: dict[str, Any] = {
        "from_level": "2.1",
        "to_level": "1",
        "effective_date": TODAY,
        "reason": "Abstinent eight weeks; goals met.",
        "admission_date": ADMITTED,
        "today": TODAY,
        "known_levels": LEVELS,
    }
    values.update(overrides)
    return transitions.check_level_change(**values)


def discharge(**overrides: Any) -> dict[str, Problem]:
    values: dict[str, Any] = {
        "discharge_date": TODAY,
        "reason": "1",
        "admission_date": ADMITTED,
        "today": TODAY,
        "next_level_of_care": "1",
        "known_next_levels": (*LEVELS, "none"),
        "known_supports": SUPPORTS,
    }
    values.update(overrides)
    return transitions.check_discharge(**values)


@pytest.mark.parametrize(
    ("from_level", "to_level", "expected"),
    [("2.1", "1", "step_down"), ("2.1", "2.5", "step_up"), ("4", "3.7", "step_down"), ("1", "4", "step_up")],
)
def test_a_higher_level_is_a_step_up_and_a_lower_one_a_step_down(from_level: str, to_level: str, expected: str) -> None:
    assert transitions.direction(from_level, to_level) == expected


def test_levels_rank_numerically_not_alphabetically() -> None:
    assert sorted(LEVELS, key=transitions.level_rank) == list(LEVELS)
    assert transitions.level_rank("2.5") < transitions.level_rank("3.1")


def test_direction_needs_two_different_levels() -> None:
    with pytest.raises(ValueError, match="different"):
        transitions.direction("2.1", "2.1")


def test_an_unknown_level_code_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="Unknown level of care 'IOP'"):
        transitions.level_rank("IOP")


def test_a_change_on_admission_day_or_today_is_allowed() -> None:
    assert change(effective_date=ADMITTED) == {}
    assert change(effective_date=TODAY) == {}


def test_a_change_to_the_same_level_is_refused_beside_the_level() -> None:
    assert change(to_level="2.1") == {"to_level": Problem("same_level", {"level": "2.1"})}


def test_an_unknown_target_level_is_refused() -> None:
    assert change(to_level="9")["to_level"].code == "unknown_level"


def test_a_change_before_the_admission_is_refused() -> None:
    problems = change(effective_date=ADMITTED - dt.timedelta(days=1))
    assert problems == {"effective_date": Problem("change_before_admission", {"date": "2026-01-10"})}


def test_a_change_after_today_is_refused() -> None:
    problems = change(effective_date=TODAY + dt.timedelta(days=1))
    assert problems == {"effective_date": Problem("change_in_future", {"date": "2026-03-05"})}


def test_a_change_before_the_last_change_is_refused_so_the_history_reads_in_order() -> None:
    problems = change(effective_date=dt.date(2026, 2, 1), last_change=dt.date(2026, 2, 10))
    assert problems == {"effective_date": Problem("change_before_last_change", {"date": "2026-02-10"})}
    assert change(effective_date=dt.date(2026, 2, 10), last_change=dt.date(2026, 2, 10)) == {}


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_change_needs_a_reason(reason: str) -> None:
    assert change(reason=reason) == {"reason": Problem("reason_required")}


def test_every_problem_is_reported_at_once() -> None:
    problems = change(to_level="2.1", effective_date=TODAY + dt.timedelta(days=3), reason="")
    assert set(problems) == {"to_level", "effective_date", "reason"}


def test_a_completed_discharge_with_a_next_level_is_allowed() -> None:
    assert discharge() == {}


def test_the_discharge_reason_must_be_a_teds_code() -> None:
    assert discharge(reason="") == {"reason": Problem("teds_reason_required")}
    assert discharge(reason="8") == {"reason": Problem("teds_reason_required")}


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (ADMITTED - dt.timedelta(days=1), "discharge_before_admission"),
        (TODAY + dt.timedelta(days=1), "discharge_in_future"),
    ],
)
def test_the_discharge_date_lies_between_admission_and_today(day: dt.date, code: str) -> None:
    assert discharge(discharge_date=day)["discharge_date"].code == code


def test_the_discharge_cannot_precede_the_last_change_of_level() -> None:
    problems = discharge(discharge_date=dt.date(2026, 2, 1), last_change=dt.date(2026, 2, 20))
    assert problems["discharge_date"].code == "discharge_before_last_change"


@pytest.mark.parametrize("reason", ["1", "2", "3", "4", "5", "7"])
def test_every_discharge_but_a_death_names_the_next_level_of_care(reason: str) -> None:
    problems = discharge(reason=reason, next_level_of_care="", referral_to="Harbor OP")
    assert problems == {"next_level_of_care": Problem("next_level_required")}


def test_no_further_formal_treatment_is_a_valid_next_level() -> None:
    assert discharge(next_level_of_care="none") == {}


def test_a_death_needs_no_plan_and_accepts_none() -> None:
    assert discharge(reason="6", next_level_of_care="") == {}
    assert discharge(reason="6", next_level_of_care="1")["next_level_of_care"].code == "no_plan_after_death"
    assert discharge(reason="6", next_level_of_care="", supports=["family"])["next_level_of_care"].code == (
        "no_plan_after_death"
    )


def test_a_transfer_names_where_to() -> None:
    assert discharge(reason="4", next_level_of_care="3.5") == {"referral_to": Problem("transfer_needs_referral")}
    assert discharge(reason="4", next_level_of_care="3.5", referral_to="Lakeside Residential") == {}


def test_a_first_appointment_says_with_whom_and_has_a_date() -> None:
    assert discharge(first_appointment_date=TODAY)["referral_to"].code == "appointment_needs_referral"
    problems = discharge(referral_to="Harbor OP", first_appointment_time=dt.time(10))
    assert problems == {"first_appointment_date": Problem("appointment_time_without_date")}


def test_the_first_appointment_is_on_or_after_the_discharge() -> None:
    base = {"referral_to": "Harbor OP", "discharge_date": dt.date(2026, 3, 1)}
    assert discharge(**base, first_appointment_date=dt.date(2026, 3, 1), first_appointment_time=dt.time(9, 30)) == {}
    problems = discharge(**base, first_appointment_date=dt.date(2026, 2, 28))
    assert problems == {"first_appointment_date": Problem("appointment_before_discharge")}


def test_supports_come_from_the_known_list() -> None:
    assert discharge(supports=["sponsor", "family"]) == {}
    assert discharge(supports=["sponsor", "astrology"]) == {
        "supports": Problem("unknown_supports", {"codes": "astrology"})
    }


def test_the_teds_discharge_reasons_carry_their_published_codes() -> None:
    # TEDS discharge reason codes (DOMAIN.md "Reporting"): a wrong digit would misreport every discharge.
    from openiop.patients.models import TedsDischargeReason as Reason

    assert {reason: reason.value for reason in Reason} == {
        Reason.COMPLETED: "1",
        Reason.DROPPED_OUT: "2",
        Reason.TERMINATED: "3",
        Reason.TRANSFERRED: "4",
        Reason.INCARCERATED: "5",
        Reason.DEATH: "6",
        Reason.OTHER: "7",
    }
