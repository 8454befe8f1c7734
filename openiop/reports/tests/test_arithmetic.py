# SPDX-License-Identifier: AGPL-3.0-or-later
"""The reports' arithmetic and chart geometry, without the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openiop.reports import arithmetic, charts
from openiop.reports.arithmetic import BUCKET_KEYS

AS_OF = dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "over 90"),
        (-3, "0-30"),
    ],
)
def test_each_bucket_ends_on_its_day_and_the_next_day_starts_the_next(age: int, bucket: str) -> None:
    assert arithmetic.bucket_for(age) == bucket


def test_amounts_are_aged_from_their_own_dates_at_the_boundaries() -> None:
    days = [30, 31, 60, 61, 90, 91]
    aged = arithmetic.age_amounts(AS_OF, [(AS_OF - dt.timedelta(days=n), Decimal(n)) for n in days])
    assert aged == {"0-30": Decimal(30), "31-60": Decimal(91), "61-90": Decimal(151), "over 90": Decimal(91)}


def test_bucket_edges_are_the_earliest_day_of_each_bucket() -> None:
    edges = dict(arithmetic.bucket_edges(AS_OF))
    assert edges["0-30"] == AS_OF - dt.timedelta(days=30)
    assert edges["61-90"] == AS_OF - dt.timedelta(days=90)
    assert edges["over 90"] is None
    for key, edge in arithmetic.bucket_edges(AS_OF):
        if edge is not None:
            assert arithmetic.bucket_for((AS_OF - edge).days) == key


def test_a_patient_balance_is_aged_newest_first_and_a_credit_ages_nothing() -> None:
    asked = {"0-30": Decimal(40), "31-60": Decimal(100), "over 90": Decimal(500)}
    assert arithmetic.age_balance_newest_first(Decimal(120), asked) == {
        "0-30": Decimal(40),
        "31-60": Decimal(80),
        "61-90": Decimal(0),
        "over 90": Decimal(0),
    }
    # More owed than the dated amounts explain: the rest is the oldest.
    assert arithmetic.age_balance_newest_first(Decimal(700), asked)["over 90"] == Decimal(560)
    assert sum(arithmetic.age_balance_newest_first(Decimal(-25), asked).values()) == 0


def test_days_in_ar_is_total_ar_over_average_daily_charges() -> None:
    result = arithmetic.days_in_ar(Decimal("9000"), Decimal("18000"))
    assert result.average_daily_charges == Decimal("200.00")
    assert result.days == Decimal("45.0")
    assert "45.0 days" in result.explanation


def test_days_in_ar_explains_itself_in_dollars_and_cents() -> None:
    result = arithmetic.days_in_ar(Decimal("819552.660000000000"), Decimal("822990"))
    assert result.explanation.startswith("$819,552.66 outstanding / $9,144.33 average daily charges")


def test_days_in_ar_with_no_charges_says_so_instead_of_dividing_by_zero() -> None:
    result = arithmetic.days_in_ar(Decimal("5000"), Decimal(0))
    assert result.days is None
    assert result.explanation.startswith("No charges in the period")


def test_denial_rates_by_key_highest_first_and_none_without_adjudications() -> None:
    rates = arithmetic.denial_rates({"197": 2, "16": 1}, {"197": 8, "16": 8}, {"197": "Authorization absent."})
    assert [(rate.label, rate.percent) for rate in rates] == [("197", Decimal("25.0")), ("16", Decimal("12.5"))]
    assert rates[0].description == "Authorization absent."
    assert arithmetic.Rate("Quiet Plan", 0, 0).percent is None


def test_payments_by_month_run_across_the_year_boundary_with_empty_months_kept() -> None:
    months = arithmetic.payments_by_month(
        dt.date(2025, 11, 15),
        dt.date(2026, 2, 3),
        insurance=[(dt.date(2025, 12, 31), Decimal("100")), (dt.date(2026, 1, 1), Decimal("50"))],
        patient=[(dt.date(2026, 1, 20), Decimal("20")), (dt.date(2024, 1, 1), Decimal("999"))],
    )
    assert [(m.label, m.insurance, m.patient) for m in months] == [
        ("2025-11", Decimal(0), Decimal(0)),
        ("2025-12", Decimal(100), Decimal(0)),
        ("2026-01", Decimal(50), Decimal(20)),
        ("2026-02", Decimal(0), Decimal(0)),
    ]
    assert months[2].total == Decimal(70)


def test_stacked_bars_are_proportional_and_say_their_numbers_in_tooltips() -> None:
    chart = charts.horizontal_stacked(
        "aging",
        "A/R by age",
        "Bars per payer.",
        [(key, f"{key} days") for key in BUCKET_KEYS],
        [("Plan A", [Decimal(100), Decimal(0), Decimal(0), Decimal(100)]), ("Plan B", [Decimal(50)] * 4)],
    )
    first, second = chart.bars
    assert [s.series.key for s in first.segments] == ["0-30", "over 90"]  # an empty bucket draws nothing
    assert first.segments[0].width == pytest.approx(first.segments[1].width)
    assert sum(s.width for s in first.segments) == pytest.approx(sum(s.width for s in second.segments))
    assert first.segments[1].tooltip == "Plan A, over 90 days: $100.00"
    assert len({(s.fill, s.pattern) for s in chart.series}) == 4  # each series differs by more than color
    assert len({s.pattern for s in chart.series}) == 4


def test_columns_stack_upwards_and_an_all_zero_chart_is_empty() -> None:
    chart = charts.vertical_stacked(
        "payments",
        "Payments",
        "Months.",
        [("insurance", "Insurance"), ("patient", "Patients")],
        [("2026-01", [Decimal(300), Decimal(100)]), ("2026-02", [Decimal(0), Decimal(0)])],
    )
    insurance, patient = chart.bars[0].segments
    assert patient.y + patient.height == pytest.approx(insurance.y)
    assert not chart.bars[1].segments and not chart.is_empty
    empty = charts.vertical_stacked("p", "P", "M.", [("i", "I")], [("2026-01", [Decimal(0)])])
    assert empty.is_empty
