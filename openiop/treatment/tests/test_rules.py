# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pure rules: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from openiop.treatment import plan_diff, rules


def services(*pairs: tuple[str, int]) -> list[rules.PlannedService]:
    return [rules.PlannedService(Decimal(per_week), minutes) for per_week, minutes in pairs]


def test_planned_hours_add_sessions_times_minutes() -> None:
    # Three 3-hour groups and one 50-minute individual session.
    assert rules.planned_hours_per_week(services(("3", 180), ("1", 50))) == Decimal("9.83")


def test_every_other_week_counts_half() -> None:
    assert rules.planned_hours_per_week(services(("0.5", 60))) == Decimal("0.50")


def test_no_interventions_means_no_hours() -> None:
    assert rules.planned_hours_per_week([]) == Decimal("0.00")


def test_two_three_hour_groups_and_an_hour_make_seven_hours() -> None:
    # Placed against the bands in scheduling/tests/test_hours_bands.py.
    assert rules.planned_hours_per_week(services(("2", 180), ("1", 60))) == Decimal(7)


@given(st.lists(st.tuples(st.integers(1, 28), st.integers(5, 480)), max_size=10))
def test_hours_are_minutes_over_sixty_whatever_the_mix(pairs: list[tuple[int, int]]) -> None:
    halves = [rules.PlannedService(Decimal(n) / 2, minutes) for n, minutes in pairs]
    exact = sum((Decimal(n) / 2 * minutes for n, minutes in pairs), Decimal(0)) / 60
    assert abs(rules.planned_hours_per_week(halves) - exact) <= Decimal("0.005")


def test_icd10_cm_codes_are_recognised_and_typos_refused() -> None:
    for code in ("F10.20", "F11.20", "F15.10", "Z63.8", "F10", "U07.1", "F10.239"):
        assert rules.is_icd10_cm(code), code
    for code in ("F1.20", "10.20", "F10.", "F10.20000", "f10.20", "F10-20", ""):
        assert not rules.is_icd10_cm(code), code
    assert rules.normalise_icd10(" f1020 ") == "F10.20"


def test_a_note_signed_more_than_72_hours_after_the_session_is_late() -> None:
    end = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    assert not rules.is_late_entry(end, end + dt.timedelta(hours=72), 72)
    assert rules.is_late_entry(end, end + dt.timedelta(hours=72, minutes=1), 72)


def test_review_is_due_thirty_days_after_signing() -> None:
    assert rules.review_due(dt.date(2026, 3, 5), 30) == dt.date(2026, 4, 4)


def test_names_are_found_as_capitalised_whole_words_only() -> None:
    people = [rules.PersonName(1, ("Grace", "Lee")), rules.PersonName(2, ("Tom", "Diaz"))]
    assert rules.names_mentioned("Grace shared a relapse story.", people) == [(1, "Grace")]
    assert rules.names_mentioned("By the grace of practice; Leeds; Tomorrow.", people) == []
    assert rules.names_mentioned("Members supported Mr. Diaz.", people) == [(2, "Diaz")]


def test_plan_versions_compare_item_by_item() -> None:
    old = [plan_diff.Entry("objectives", "a", "Attend 2 meetings"), plan_diff.Entry("objectives", "b", "Journal")]
    new = [plan_diff.Entry("objectives", "a", "Attend 3 meetings"), plan_diff.Entry("objectives", "c", "Exercise")]
    rows = plan_diff.compare(old, new)
    assert [(r.left, r.right, r.change) for r in rows] == [
        ("Attend 2 meetings", "Attend 3 meetings", plan_diff.CHANGED),
        (None, "Exercise", plan_diff.ADDED),
        ("Journal", None, plan_diff.REMOVED),
    ]
    assert plan_diff.summary(rows) == {"same": 0, "changed": 1, "added": 1, "removed": 1}
