# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sliding fee arithmetic against the HHS poverty guidelines (plain tests)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openiop.public import poverty
from openiop.public.poverty import (
    ALASKA,
    CONTIGUOUS,
    DEFAULT_GUIDELINES,
    DEFAULT_TIERS,
    HAWAII,
    Guideline,
    PovertyInputError,
    sliding_scale,
)


def guideline(year: int, region: str) -> Guideline:
    found = poverty.guideline_in_force(DEFAULT_GUIDELINES, year=year, region=region)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("year", "region", "size", "amount"),
    [
        (2025, CONTIGUOUS, 1, 15650),
        (2025, CONTIGUOUS, 2, 21150),
        (2025, CONTIGUOUS, 4, 32150),
        (2025, CONTIGUOUS, 8, 54150),
        (2025, ALASKA, 1, 19550),
        (2025, ALASKA, 4, 40190),
        (2025, HAWAII, 1, 17990),
        (2025, HAWAII, 4, 36980),
        (2026, CONTIGUOUS, 1, 15960),
        (2026, CONTIGUOUS, 3, 27320),
        (2026, ALASKA, 1, 19950),
        (2026, ALASKA, 2, 27050),
        (2026, HAWAII, 1, 18360),
        (2026, HAWAII, 5, 44480),
    ],
)
def test_the_guideline_is_the_first_person_plus_each_additional_person(
    year: int, region: str, size: int, amount: int
) -> None:
    assert guideline(year, region).amount(size) == Decimal(amount)


@pytest.mark.parametrize("size", range(1, 12))
def test_each_extra_person_adds_exactly_the_years_increment(size: int) -> None:
    for year, region, step in [(2026, CONTIGUOUS, 5680), (2026, ALASKA, 7100), (2026, HAWAII, 6530)]:
        g = guideline(year, region)
        assert g.amount(size + 1) - g.amount(size) == Decimal(step)


def test_alaska_and_hawaii_have_their_own_figures_and_other_states_the_48_state_ones() -> None:
    assert poverty.region_for_state("AK") == ALASKA
    assert poverty.region_for_state("hi") == HAWAII
    assert poverty.region_for_state("MA") == CONTIGUOUS
    assert poverty.region_for_state("DC") == CONTIGUOUS


def test_the_guideline_in_force_is_the_newest_published_by_that_year() -> None:
    assert guideline(2026, CONTIGUOUS).year == 2026
    assert guideline(2025, ALASKA).year == 2025
    # 2027's figures are not loaded yet: 2026's stay in force.
    assert guideline(2027, HAWAII).year == 2026
    assert poverty.guideline_in_force(DEFAULT_GUIDELINES, year=2024, region=CONTIGUOUS) is None


def scale(income: str, size: int = 1, year: int = 2026, region: str = CONTIGUOUS) -> poverty.SlidingScale:
    return sliding_scale(
        income=Decimal(income), household_size=size, guideline=guideline(year, region), tiers=DEFAULT_TIERS
    )


@pytest.mark.parametrize(
    ("income", "discount", "percent"),
    [
        ("0", 100, "0.0"),
        ("15960", 100, "100.0"),  # exactly 100% of the guideline: full discount
        ("15960.01", 75, "100.0"),  # a cent above: the next tier
        ("23940", 75, "150.0"),  # exactly 150%
        ("23940.01", 50, "150.0"),
        ("31920", 50, "200.0"),  # exactly 200%
        ("31920.01", 25, "200.0"),
        ("39900", 25, "250.0"),  # exactly 250%
        ("39900.01", 0, "250.0"),  # above the last tier: no discount
        ("100000", 0, "626.6"),
    ],
)
def test_the_sliding_scale_at_each_poverty_boundary_for_one_person_2026(
    income: str, discount: int, percent: str
) -> None:
    result = scale(income)
    assert result.discount_percent == Decimal(discount)
    assert result.percent_of_guideline == Decimal(percent)


def test_boundaries_move_with_household_size() -> None:
    # Four people, 2026, 48 states: guideline $33,000; 200% is $66,000.
    assert scale("66000", size=4).discount_percent == 50
    assert scale("66000.01", size=4).discount_percent == 25
    # The same income for one person is far above every tier.
    assert scale("66000", size=1).discount_percent == 0


def test_alaska_and_hawaii_boundaries_use_their_own_guidelines() -> None:
    # 2025 Alaska, 2 people: 19,550 + 6,880 = 26,430; at 100% full discount.
    assert scale("26430", size=2, year=2025, region=ALASKA).discount_percent == 100
    assert scale("26430.01", size=2, year=2025, region=ALASKA).discount_percent == 75
    # The same income in the 48 states (2025, 2 people: 21,150) is 125%.
    assert scale("26430", size=2, year=2025).discount_percent == 75
    # 2026 Hawaii, 3 people: 18,360 + 2 * 6,530 = 31,420; 150% is 47,130.
    assert scale("47130", size=3, year=2026, region=HAWAII).discount_percent == 75
    assert scale("47130.01", size=3, year=2026, region=HAWAII).discount_percent == 50


def test_the_discount_applies_to_the_cent() -> None:
    assert scale("23940").apply(Decimal("1234.55")) == Decimal("308.64")
    assert scale("0").apply(Decimal("1234.55")) == Decimal("0.00")
    assert scale("50000").apply(Decimal("1234.55")) == Decimal("1234.55")


def test_tiers_are_data_in_any_order() -> None:
    tiers = [poverty.Tier(Decimal(300), Decimal(10)), poverty.Tier(Decimal(125), Decimal(90))]
    result = sliding_scale(income=Decimal(19950), household_size=1, guideline=guideline(2026, CONTIGUOUS), tiers=tiers)
    assert result.discount_percent == 90  # exactly 125%
    assert result.tier == poverty.Tier(Decimal(125), Decimal(90))


@pytest.mark.parametrize(
    ("income", "size", "field"),
    [
        ("-1", 1, "income"),
        ("10000000.01", 1, "income"),
        ("20000", 0, "household_size"),
        ("20000", 21, "household_size"),
    ],
)
def test_absurd_inputs_are_refused_naming_the_field(income: str, size: int, field: str) -> None:
    with pytest.raises(PovertyInputError) as caught:
        scale(income, size=size)
    assert caught.value.field == field


@pytest.mark.parametrize("size", [True, 2.5, None, "3"])
def test_a_household_size_that_is_not_a_whole_number_is_refused(size: object) -> None:
    with pytest.raises(PovertyInputError) as caught:
        guideline(2026, CONTIGUOUS).amount(size)  # type: ignore[arg-type]
    assert caught.value.field == "household_size"


@pytest.mark.parametrize("year", sorted({guideline.year for guideline in poverty.DEFAULT_GUIDELINES}))
def test_alaska_and_hawaii_increments_are_hhs_multiples_of_the_48_state_one(year: int) -> None:
    """HHS derives them as 1.25 (Alaska) and 1.15 (Hawaii) times the
    contiguous states' increment, rounded to $10; the 2025 figures, which
    DOMAIN.md leaves out, are held to the same rule as 2026's."""
    by_region = {g.region: g for g in poverty.DEFAULT_GUIDELINES if g.year == year}
    base = by_region[poverty.CONTIGUOUS].each_additional
    for region, factor in ((poverty.ALASKA, Decimal("1.25")), (poverty.HAWAII, Decimal("1.15"))):
        assert abs(by_region[region].each_additional - base * factor) <= 5
        assert by_region[region].each_additional % 10 == 0
