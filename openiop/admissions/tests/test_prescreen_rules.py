# SPDX-License-Identifier: AGPL-3.0-or-later
"""The pre-screen escalation and overdue rules, without the database."""

from __future__ import annotations

import datetime as dt

from openiop.admissions import prescreen

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def levels(**answers: object) -> list[str]:
    base: dict[str, object] = {"suicidal_thoughts": False, "medical_emergency": False, "severe_withdrawal": False}
    base.update(answers)
    return [escalation.level for escalation in prescreen.escalations(**base)]  # type: ignore[arg-type]


def test_all_no_answers_escalate_nothing() -> None:
    assert levels() == []


def test_unanswered_questions_escalate_nothing_by_themselves() -> None:
    assert levels(suicidal_thoughts=None, medical_emergency=None, severe_withdrawal=None) == []


def test_suicidal_thoughts_send_to_988_and_911_in_danger() -> None:
    [escalation] = prescreen.escalations(suicidal_thoughts=True, medical_emergency=False, severe_withdrawal=False)
    assert escalation.level == prescreen.CRISIS
    assert "988" in escalation.message and "911" in escalation.message


def test_a_medical_emergency_comes_first_and_says_911() -> None:
    found = prescreen.escalations(suicidal_thoughts=True, medical_emergency=True, severe_withdrawal=True)
    assert [escalation.level for escalation in found] == [prescreen.EMERGENCY, prescreen.CRISIS, prescreen.SAME_DAY]
    assert "911" in found[0].message


def test_severe_withdrawal_asks_for_a_same_day_clinical_review() -> None:
    [escalation] = prescreen.escalations(suicidal_thoughts=False, medical_emergency=False, severe_withdrawal=True)
    assert escalation.level == prescreen.SAME_DAY
    assert "today" in escalation.message


def test_pregnancy_escalates_only_with_substances_that_harm_on_stopping() -> None:
    assert levels(pregnant="yes", substances=["opioids"]) == [prescreen.SAME_DAY]
    assert levels(pregnant="yes", substances=["cannabis"]) == []
    assert levels(pregnant="unknown", substances=["alcohol"]) == []


def test_urgent_inquiries_are_due_four_hours_after_entering_their_stage() -> None:
    since = NOW - dt.timedelta(hours=4)
    assert prescreen.due_at("urgent", since) == NOW
    assert not prescreen.is_overdue("urgent", since, NOW)
    assert prescreen.is_overdue("urgent", since, NOW + dt.timedelta(minutes=1))


def test_soon_inquiries_have_three_days_and_routine_ones_no_due_time() -> None:
    assert prescreen.is_overdue("soon", NOW - dt.timedelta(days=3, minutes=1), NOW)
    assert prescreen.due_at("routine", NOW) is None
    assert not prescreen.is_overdue("routine", NOW - dt.timedelta(days=90), NOW)
