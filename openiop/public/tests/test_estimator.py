# SPDX-License-Identifier: AGPL-3.0-or-later
"""Cost estimate arithmetic (plain tests)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.public import estimator
from openiop.public.estimator import Coverage, EstimateInputError, Plan, Rates

RATES = Rates(
    intake_assessment=Decimal("250"),
    group_hour=Decimal("95"),
    individual_session=Decimal("150"),
    family_session=Decimal("160"),
    drug_test=Decimal("45"),
    medication_visit=Decimal("180"),
    variation_percent=Decimal("15"),
)
EIGHT_WEEKS = Plan(weeks=8, days_per_week=3, hours_per_day=Decimal(3))


def test_a_plain_eight_week_program_is_intake_plus_group_hours() -> None:
    result = estimator.estimate(EIGHT_WEEKS, RATES, Coverage())
    assert [(line.code, line.quantity, line.amount) for line in result.lines] == [
        ("intake", 1, Decimal("250.00")),
        ("group", 72, Decimal("6840.00")),
    ]
    assert result.total == Decimal("7090.00")
    assert (result.total_low, result.total_high) == (Decimal("6026.50"), Decimal("8153.50"))
    # Self-pay: the share is the total.
    assert (result.share_low, result.share_high) == (result.total_low, result.total_high)


def test_every_service_is_itemized_at_its_weekly_frequency() -> None:
    plan = Plan(
        weeks=5, days_per_week=4, hours_per_day=Decimal("2.5"),
        individual=True, family=True, drug_testing=True, medication=True,
    )  # fmt: skip
    lines = {line.code: line for line in estimator.estimate(plan, RATES, Coverage()).lines}
    assert lines["group"].quantity == Decimal(50)  # 2.5 h x 4 days x 5 weeks
    assert lines["individual"].amount == Decimal("750.00")
    assert lines["family"].amount == Decimal("800.00")
    assert lines["drug_testing"].amount == Decimal("225.00")
    assert lines["medication"].quantity == 3  # every other week over 5 weeks: weeks 1, 3, 5
    assert lines["medication"].amount == Decimal("540.00")


def test_a_deductible_then_coinsurance_then_the_out_of_pocket_cap() -> None:
    coverage = Coverage(insured=True, deductible_remaining=Decimal(1000), coinsurance_percent=Decimal(20))
    assert estimator.person_share(Decimal(7090), coverage, program_days=24, worst_case=False) == Decimal("2218.00")
    capped = Coverage(
        insured=True, deductible_remaining=Decimal(1000), coinsurance_percent=Decimal(20),
        oop_max_remaining=Decimal(1500),
    )  # fmt: skip
    assert estimator.person_share(Decimal(7090), capped, program_days=24, worst_case=False) == Decimal("1500.00")


def test_a_copay_per_program_day_adds_up_and_never_exceeds_the_total() -> None:
    coverage = Coverage(insured=True, deductible_remaining=Decimal(0), coinsurance_percent=Decimal(0),
                        copay_per_day=Decimal(40))  # fmt: skip
    assert estimator.person_share(Decimal(7090), coverage, program_days=24, worst_case=False) == Decimal("960.00")
    assert estimator.person_share(Decimal(500), coverage, program_days=24, worst_case=False) == Decimal("500.00")


def test_unknown_insurance_figures_widen_the_range() -> None:
    unknown = Coverage(insured=True)
    result = estimator.estimate(EIGHT_WEEKS, RATES, unknown)
    # Best case: deductible met, no coinsurance. Worst case: all of it goes to the deductible.
    assert result.share_low == Decimal("0.00")
    assert result.share_high == result.total_high
    known_oop = Coverage(insured=True, oop_max_remaining=Decimal(2000))
    assert estimator.estimate(EIGHT_WEEKS, RATES, known_oop).share_high == Decimal("2000.00")
    only_deductible = Coverage(insured=True, deductible_remaining=Decimal(500))
    result = estimator.estimate(EIGHT_WEEKS, RATES, only_deductible)
    assert result.share_low == Decimal("500.00")
    # 500 + 30% of (8153.50 - 500)
    assert result.share_high == Decimal("2796.05")


def test_met_deductible_with_coinsurance_gives_a_range_from_the_total_range() -> None:
    coverage = Coverage(insured=True, deductible_remaining=Decimal(0), coinsurance_percent=Decimal(20))
    result = estimator.estimate(EIGHT_WEEKS, RATES, coverage)
    assert (result.share_low, result.share_high) == (Decimal("1205.30"), Decimal("1630.70"))


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (Plan(weeks=-1, days_per_week=3, hours_per_day=Decimal(3)), "weeks"),
        (Plan(weeks=0, days_per_week=3, hours_per_day=Decimal(3)), "weeks"),
        (Plan(weeks=53, days_per_week=3, hours_per_day=Decimal(3)), "weeks"),
        (Plan(weeks=8, days_per_week=8, hours_per_day=Decimal(3)), "days_per_week"),
        (Plan(weeks=8, days_per_week=0, hours_per_day=Decimal(3)), "days_per_week"),
        (Plan(weeks=8, days_per_week=3, hours_per_day=Decimal(30)), "hours_per_day"),
        (Plan(weeks=8, days_per_week=3, hours_per_day=Decimal("12.5")), "hours_per_day"),
        (Plan(weeks=8, days_per_week=3, hours_per_day=Decimal(0)), "hours_per_day"),
        (Plan(weeks=8, days_per_week=3, hours_per_day=Decimal(3), group=False), "services"),
    ],
)
def test_absurd_plans_are_refused_naming_the_field(plan: Plan, field: str) -> None:
    with pytest.raises(EstimateInputError) as caught:
        estimator.estimate(plan, RATES, Coverage())
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("coverage", "field"),
    [
        (Coverage(insured=True, deductible_remaining=Decimal(-5)), "deductible_remaining"),
        (Coverage(insured=True, coinsurance_percent=Decimal(101)), "coinsurance_percent"),
        (Coverage(insured=True, copay_per_day=Decimal(-1)), "copay_per_day"),
        (Coverage(insured=True, oop_max_remaining=Decimal(2000000)), "oop_max_remaining"),
    ],
)
def test_absurd_insurance_figures_are_refused_naming_the_field(coverage: Coverage, field: str) -> None:
    with pytest.raises(EstimateInputError) as caught:
        estimator.estimate(EIGHT_WEEKS, RATES, coverage)
    assert caught.value.field == field


@pytest.mark.parametrize(("hours", "level"), [("8.5", "below_iop"), ("9", "iop"), ("19", "iop"), ("19.5", "php")])
def test_hours_per_week_place_the_plan_against_the_adult_iop_band(hours: str, level: str) -> None:
    # Above 19 h/week is above the IOP band (Medicare IOP 9-19 h/week; 20 and more is partial hospitalization).
    assert estimator.level_of_care(Decimal(hours), estimator.estimate(EIGHT_WEEKS, RATES, Coverage()).band) == level


def test_a_payment_plan_covers_the_amount_in_equal_months() -> None:
    assert estimator.payment_plan_monthly(Decimal("1000.00"), 3) == Decimal("333.34")
    assert estimator.payment_plan_monthly(Decimal("1200.00"), 12) == Decimal("100.00")
    with pytest.raises(EstimateInputError):
        estimator.payment_plan_monthly(Decimal(100), 0)
    with pytest.raises(EstimateInputError):
        estimator.payment_plan_monthly(Decimal(100), 61)


def test_financing_uses_the_annuity_formula() -> None:
    # 10,000 at 12% a year over 12 months: the textbook 888.49 (rounded up to the cent).
    assert estimator.financing_monthly(Decimal(10000), apr_percent=Decimal(12), months=12) == Decimal("888.49")
    assert estimator.financing_monthly(Decimal(1200), apr_percent=Decimal(0), months=12) == Decimal("100.00")
    assert estimator.financing_monthly(Decimal(0), apr_percent=Decimal(10), months=12) == Decimal(0)


@given(
    total=st.decimals(min_value=0, max_value=100000, places=2),
    deductible=st.none() | st.decimals(min_value=0, max_value=20000, places=2),
    coinsurance=st.none() | st.decimals(min_value=0, max_value=100, places=1),
    copay=st.none() | st.decimals(min_value=0, max_value=200, places=2),
    oop=st.none() | st.decimals(min_value=0, max_value=20000, places=2),
    days=st.integers(min_value=1, max_value=364),
)
def test_the_share_is_never_negative_never_above_the_total_and_best_case_is_never_worse(
    total: Decimal, deductible: Decimal | None, coinsurance: Decimal | None, copay: Decimal | None,
    oop: Decimal | None, days: int,
) -> None:  # fmt: skip
    coverage = Coverage(True, deductible, coinsurance, copay, oop)
    best = estimator.person_share(total, coverage, program_days=days, worst_case=False)
    worst = estimator.person_share(total, coverage, program_days=days, worst_case=True)
    assert Decimal(0) <= best <= worst <= total
    if oop is not None:
        assert worst <= oop
