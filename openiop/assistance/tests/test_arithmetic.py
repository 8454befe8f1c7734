# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ways to pay's arithmetic, without a database: the sliding fee at the
guideline boundaries (the public estimator's scale on the default 2026
guidelines and tiers), installment schedules, payment allocation, a year of
validity."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.assistance import arithmetic
from openiop.public import poverty

CENT = Decimal("0.01")
TIERS = poverty.DEFAULT_TIERS


def guideline(region: str, year: int = 2026) -> poverty.Guideline:
    found = poverty.guideline_in_force(poverty.DEFAULT_GUIDELINES, year=year, region=region)
    assert found is not None
    return found


def discount_on(charge: Decimal, *, income: Decimal, household: int, region: str = poverty.CONTIGUOUS) -> Decimal:
    scale = poverty.sliding_scale(income=income, household_size=household, guideline=guideline(region), tiers=TIERS)
    return arithmetic.sliding_fee_discount(charge, scale)


# 2026: 48 states $15,960 + $5,680 a person; Alaska $19,950 + $7,100; Hawaii $18,360 + $6,530.
GUIDELINE_2026 = {
    (poverty.CONTIGUOUS, 1): Decimal(15960),
    (poverty.CONTIGUOUS, 8): Decimal(15960 + 7 * 5680),
    (poverty.ALASKA, 1): Decimal(19950),
    (poverty.ALASKA, 8): Decimal(19950 + 7 * 7100),
    (poverty.HAWAII, 1): Decimal(18360),
    (poverty.HAWAII, 8): Decimal(18360 + 7 * 6530),
}
# (percent of the guideline, discount exactly there, discount a cent above)
BOUNDARIES = [(100, 100, 75), (150, 75, 50), (200, 50, 25), (250, 25, 0)]


@pytest.mark.parametrize(("region", "household"), sorted(GUIDELINE_2026))
@pytest.mark.parametrize(("percent", "at", "above"), BOUNDARIES)
def test_a_boundary_income_gets_its_tier_and_a_cent_more_the_next(
    region: str, household: int, percent: int, at: int, above: int
) -> None:
    boundary = GUIDELINE_2026[(region, household)] * percent / 100
    charge = Decimal("200.00")
    assert discount_on(charge, income=boundary, household=household, region=region) == charge * at / 100
    assert discount_on(charge, income=boundary + CENT, household=household, region=region) == charge * above / 100


def test_alaska_and_hawaii_incomes_that_are_over_the_line_in_the_48_states_still_get_the_full_discount() -> None:
    income = Decimal(18000)  # above 100% of 15,960; below Hawaii's 18,360 and Alaska's 19,950
    charge = Decimal("140.00")
    assert discount_on(charge, income=income, household=1) == Decimal("105.00")
    assert discount_on(charge, income=income, household=1, region=poverty.HAWAII) == charge
    assert discount_on(charge, income=income, household=1, region=poverty.ALASKA) == charge


def test_a_discount_rounds_to_the_cent_as_the_public_estimator_does() -> None:
    # 75% off $0.15 leaves $0.0375 -> $0.04 to pay, so $0.11 off.
    assert discount_on(Decimal("0.15"), income=Decimal(20000), household=1) == Decimal("0.11")


@given(
    cents=st.integers(min_value=1, max_value=10_000_000),
    months=st.integers(min_value=1, max_value=60),
    first_due=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_an_installment_schedule_sums_exactly_to_the_amount(cents: int, months: int, first_due: dt.date) -> None:
    amount = Decimal(cents) / 100
    schedule = arithmetic.installment_schedule(amount, months, first_due)
    assert len(schedule) == months
    assert sum(item.amount for item in schedule) == amount
    assert max(item.amount for item in schedule) - min(item.amount for item in schedule) <= CENT
    assert all(item.amount == item.amount.quantize(CENT) for item in schedule)
    assert [item.number for item in schedule] == list(range(1, months + 1))
    assert all(later.due_on > earlier.due_on for earlier, later in itertools.pairwise(schedule))


def test_the_left_over_cents_go_to_the_first_installments_and_a_month_end_stays_a_month_end() -> None:
    schedule = arithmetic.installment_schedule(Decimal("100.00"), 3, dt.date(2026, 1, 31))
    assert [item.amount for item in schedule] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert [item.due_on for item in schedule] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


@pytest.mark.parametrize("months", [0, 600, -1, 61])
def test_a_plan_of_0_or_600_months_is_refused_with_a_clear_message(months: int) -> None:
    with pytest.raises(arithmetic.PlanInputError) as refused:
        arithmetic.installment_schedule(Decimal("500.00"), months, dt.date(2026, 4, 1))
    assert refused.value.field == "months"
    assert refused.value.message == f"A payment plan runs from 1 to 60 months; {months} is outside that."


def test_payments_fill_the_earliest_installments_first() -> None:
    amounts = [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert arithmetic.allocate_payments(amounts, Decimal("50.00")) == [Decimal("33.34"), Decimal("16.66"), 0]
    assert arithmetic.allocate_payments(amounts, Decimal("500.00")) == amounts
    assert arithmetic.allocate_payments(amounts, Decimal("-5.00")) == [0, 0, 0]


def test_an_attestation_holds_one_year_and_its_reverification_is_flagged_a_month_ahead() -> None:
    assert arithmetic.valid_until(dt.date(2026, 3, 5)) == dt.date(2027, 3, 5)
    assert arithmetic.valid_until(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    until = dt.date(2027, 3, 5)
    assert not arithmetic.reverification_due(until, dt.date(2027, 2, 1))
    assert arithmetic.reverification_due(until, dt.date(2027, 2, 20))
    assert arithmetic.reverification_due(until, dt.date(2027, 3, 6))
