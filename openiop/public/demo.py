# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo rate cards: one per state of the demo's named sites and one for the
first site, on top of the default card the migration creates. Every figure
is illustrative, not anyone's real price list."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from openiop.public import poverty
from openiop.public.models import PovertyGuideline, RateCard, SlidingFeeTier
from openiop.sites.models import Site

DEFAULT_CARD = {
    "intake_assessment": Decimal("250.00"),
    "group_hour": Decimal("95.00"),
    "individual_session": Decimal("150.00"),
    "family_session": Decimal("160.00"),
    "drug_test": Decimal("45.00"),
    "medication_visit": Decimal("180.00"),
    "scholarship_max": Decimal("1000.00"),
}
# Regional price levels relative to the default card (illustrative).
STATE_FACTORS = {"MA": Decimal("1.20"), "IL": Decimal("1.05"), "CO": Decimal("1.00"), "AK": Decimal("1.35")}


def ensure_reference_data() -> None:
    """The poverty guidelines, sliding fee tiers and default card, as the
    migration seeds them (a flushed test database loses them)."""
    for guideline in poverty.DEFAULT_GUIDELINES:
        PovertyGuideline.objects.get_or_create(
            year=guideline.year,
            region=guideline.region,
            defaults={"first_person": guideline.first_person, "each_additional": guideline.each_additional},
        )
    for tier in poverty.DEFAULT_TIERS:
        SlidingFeeTier.objects.get_or_create(
            max_percent=tier.max_percent, defaults={"discount_percent": tier.discount_percent}
        )
    if not RateCard.objects.filter(is_default=True).exists():
        RateCard.objects.create(name="Default (illustrative national rates)", is_default=True, **DEFAULT_CARD)


def _scaled(factor: Decimal) -> dict[str, Decimal]:
    return {
        key: (value * factor).quantize(Decimal("1.00")) if key != "scholarship_max" else value
        for key, value in DEFAULT_CARD.items()
    }


def progress_steps(size: str) -> int:
    return 1


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    ensure_reference_data()
    for state in sorted({site.state for site in sites[:3]} | {"AK"}):
        factor = STATE_FACTORS.get(state, Decimal(1))
        RateCard.objects.get_or_create(
            state=state, defaults={"name": f"{state} (illustrative regional rates)", **_scaled(factor)}
        )
    if sites:
        first = sites[0]
        RateCard.objects.get_or_create(
            site=first, defaults={"name": f"{first.name} (illustrative site rates)", **_scaled(Decimal("1.25"))}
        )
    tick(1)
