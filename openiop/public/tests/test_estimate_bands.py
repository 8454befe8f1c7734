# SPDX-License-Identifier: AGPL-3.0-or-later
"""The cost estimate places the weekly hours against the IOP band for the
person's population: the same band, from the same table, as the plan page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openiop.public import estimator
from openiop.scheduling import hours
from openiop.sites.models import Site
from openiop.treatment.models import HoursBand

# 3 days a week: 2 hours a day is 6 h/week, 6 hours a day 18 h/week, 7 hours a day 21 h/week.
COST = {
    "weeks": "8",
    "days_per_week": "3",
    "hours_per_day": "3",
    "services": ["group"],
    "insurance": "none",
    "deductible": "unknown",
    "months": "6",
}
RATES = estimator.Rates(*(Decimal(100),) * 6)
FEWER_THAN_9 = "That is fewer than 9 hours a week: most programs would call it outpatient care rather than IOP."


def note(response: Any) -> str:
    found = re.search(r'data-testid="band-note">([^<]*)<', response.content.decode())
    return re.sub(r"\s+", " ", found.group(1)) if found else ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("population", "hours_per_day", "expected"),
    [
        ("adult", "2", FEWER_THAN_9),
        ("adolescent", "2", ""),
        ("", "2.5", FEWER_THAN_9),  # not answered: adult
        ("adult", "6", ""),
        ("adolescent", "7", "That is more than 19 hours a week: most programs would call it partial hospitalization "
                            "rather than IOP."),
    ],
)  # fmt: skip
def test_the_estimate_page_uses_the_iop_band_of_the_persons_population(
    client: Client, north: Site, population: str, hours_per_day: str, expected: str
) -> None:
    response = client.post(reverse("public:cost"), {**COST, "population": population, "hours_per_day": hours_per_day})

    assert response.status_code == 200
    assert note(response) == expected


@pytest.mark.django_db
def test_the_estimate_follows_the_table_an_administrator_changed(client: Client, north: Site) -> None:
    HoursBand.objects.filter(level_of_care="2.1", population="adolescent").update(min_hours=Decimal(8))

    response = client.post(reverse("public:cost"), {**COST, "population": "adolescent", "hours_per_day": "2.5"})

    assert note(response).startswith("That is fewer than 8 hours a week")


def test_an_unknown_population_is_refused_by_name() -> None:
    plan = estimator.Plan(weeks=8, days_per_week=3, hours_per_day=Decimal(3), population="child")
    with pytest.raises(estimator.EstimateInputError) as caught:
        estimator.estimate(plan, RATES, estimator.Coverage())
    assert caught.value.field == "population"


@pytest.mark.parametrize(
    ("weekly", "adult", "adolescent"),
    [("5.5", "below_iop", "below_iop"), ("6", "below_iop", "iop"), ("9", "iop", "iop"), ("19", "iop", "iop"),
     ("19.5", "php", "php"), ("20", "php", "php")],
)  # fmt: skip
def test_without_a_database_the_estimator_uses_the_seeded_bands(weekly: str, adult: str, adolescent: str) -> None:
    for population, expected in ((hours.ADULT, adult), (hours.ADOLESCENT, adolescent)):
        plan = estimator.Plan(weeks=1, days_per_week=3, hours_per_day=Decimal(3), population=population)
        band = estimator.estimate(plan, RATES, estimator.Coverage()).band
        assert band == hours.default_band("2.1", population)
        assert estimator.level_of_care(Decimal(weekly), band) == expected, population
