# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reference data: what the migration seeds, the demo cards, and how a card is chosen."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from openiop.public import demo, poverty, selectors
from openiop.public.models import PovertyGuideline, RateCard, SlidingFeeTier
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_guidelines_tiers_and_a_default_card() -> None:
    seeded = {row.guideline() for row in PovertyGuideline.objects.all()}
    assert seeded == set(poverty.DEFAULT_GUIDELINES)
    assert [row.tier() for row in SlidingFeeTier.objects.all()] == list(poverty.DEFAULT_TIERS)
    assert RateCard.objects.filter(is_default=True).count() == 1


def test_the_demo_adds_state_and_site_cards_and_is_safe_to_run_twice(north: Site, south: Site) -> None:
    ticks: list[int] = []
    for _ in range(2):
        demo.seed_app(size="small", sites=[north, south], rng=random.Random(1), tick=ticks.append)
    # Both test sites are in Massachusetts; the demo adds an Alaska card to show the AK figures.
    assert sorted(RateCard.objects.exclude(state="").values_list("state", flat=True)) == ["AK", "MA"]
    assert RateCard.objects.filter(site=north).count() == 1
    assert RateCard.objects.count() == 4
    assert ticks == [1, 1]


def test_a_card_is_chosen_site_first_then_state_then_default(north: Site, south: Site) -> None:
    demo.seed_app(size="small", sites=[north, south], rng=random.Random(1), tick=lambda n: None)
    assert selectors.rate_card_for(site=north) == RateCard.objects.get(site=north)
    assert selectors.rate_card_for(site=south) == RateCard.objects.get(state="MA")
    assert selectors.rate_card_for(state="ak") == RateCard.objects.get(state="AK")
    assert selectors.rate_card_for(state="TX") == RateCard.objects.get(is_default=True)


def test_a_card_is_for_exactly_one_scope(north: Site) -> None:
    rates = {"intake_assessment": 1, "group_hour": 1, "individual_session": 1, "family_session": 1,
             "drug_test": 1, "medication_visit": 1}  # fmt: skip
    with pytest.raises(ValidationError):
        RateCard(name="both", site=north, state="MA", **rates).full_clean()
    with pytest.raises(ValidationError):
        RateCard(name="neither", **rates).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        RateCard.objects.create(name="second default", is_default=True, **rates)
    with pytest.raises(IntegrityError), transaction.atomic():
        RateCard.objects.create(name="nowhere", **rates)


def test_the_guideline_in_force_follows_the_year_and_the_state() -> None:
    assert selectors.guideline_for(year=2026, state="HI") == poverty.Guideline(
        2026, poverty.HAWAII, Decimal(18360), Decimal(6530)
    )
    assert selectors.guideline_for(year=2025, state="MA").year == 2025  # type: ignore[union-attr]
    assert selectors.guideline_for(year=2020, state="MA") is None
