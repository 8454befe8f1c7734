# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one hours band: the table seeded from the one list, the migration that
corrects adolescent IOP on existing installations, ``band_for`` with its
fallback, and every caller (plan page, hours dashboard, week planner, cost
estimator) seeing the same band."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.patients.models import Episode, LevelOfCare
from openiop.public import estimator
from openiop.scheduling import hours, planning
from openiop.scheduling import selectors as scheduling_selectors
from openiop.scheduling.models import PatientAvailability
from openiop.sites.models import Site
from openiop.treatment import selectors
from openiop.treatment.models import HoursBand, ServiceType
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("openiop.treatment.migrations.0003_hours_bands_from_one_list")
# Seven three-hour groups: 21 h, above any IOP band.
TWENTY_ONE_HOURS = ((ServiceType.GROUP, "7", 180),)


def teen(site: Site, actor: User, **fields: object) -> Episode:
    return factories.episode(site, actor, program=Episode.Program.ADOLESCENT_IOP, **fields)


def test_after_migrating_the_table_holds_exactly_the_one_list() -> None:
    assert {row.as_band() for row in HoursBand.objects.all()} == set(hours.DEFAULT_BANDS)


def test_adolescent_iop_in_force_is_6_to_19_hours(north: Site, bob: User) -> None:
    band = selectors.band_for(teen(north, bob))

    assert band is not None
    assert (band.min_hours, band.max_hours, band.describe()) == (Decimal(6), Decimal(19), "6-19 h/week")
    assert "20 h/week or more is level 2.5" in band.rule


def test_the_migration_corrects_an_old_installation_and_keeps_what_an_administrator_chose() -> None:
    old_rule = MIGRATION.OLD_ADOLESCENT_IOP_RULE
    HoursBand.objects.filter(level_of_care="2.1", population="adolescent").update(max_hours=None, rule=old_rule)
    HoursBand.objects.filter(level_of_care="2.5", population="adult").delete()

    MIGRATION.seed_and_correct(apps, None)

    corrected = HoursBand.objects.get(level_of_care="2.1", population="adolescent")
    assert (corrected.max_hours, corrected.rule) == (Decimal(19), hours.default_band("2.1", "adolescent").rule)  # type: ignore[union-attr]
    assert HoursBand.objects.filter(level_of_care="2.5", population="adult", min_hours=20).exists()

    HoursBand.objects.filter(pk=corrected.pk).update(max_hours=None, rule="Program policy 2024")
    MIGRATION.seed_and_correct(apps, None)
    assert HoursBand.objects.values_list("max_hours", "rule").get(pk=corrected.pk) == (19, "Program policy 2024")

    HoursBand.objects.filter(pk=corrected.pk).update(max_hours=Decimal(17))
    MIGRATION.seed_and_correct(apps, None)
    assert HoursBand.objects.get(pk=corrected.pk).max_hours == Decimal(17)


def test_a_level_without_a_row_falls_back_to_the_seeded_list_with_or_without_the_table(north: Site, bob: User) -> None:
    episode = teen(north, bob)
    HoursBand.objects.filter(level_of_care="2.1", population="adolescent").delete()

    seeded = hours.default_band("2.1", hours.ADOLESCENT)
    assert selectors.band_for(episode) == selectors.band_for(episode, selectors.band_table()) == seeded
    assert selectors.band_for(factories.episode(north, bob, level_of_care=LevelOfCare.RESIDENTIAL_35)) is None


def _bands_seen_by_every_caller(site: Site, episode: Episode) -> dict[str, tuple[int, int | None] | None]:
    """(min, max) minutes of the band each caller works with for EPISODE."""
    check = selectors.hours_check(factories.draft_plan(episode.primary_counsellor, episode))  # type: ignore[arg-type]
    week = hours.IsoWeek.of(dt.date.today())
    row = scheduling_selectors.hours_rows(site, [episode], week, today=dt.date.today(), history_weeks=0)[0]
    PatientAvailability.objects.create(patient=episode.patient, weekday=0, start_time=dt.time(8), end_time=dt.time(20))
    monday = planning.next_monday(dt.date.today())
    planned = {p.id: p for p in planning.build_problem(site, monday).problem.patients}[str(episode.pk)]
    quote = estimator.estimate(
        estimator.Plan(weeks=4, days_per_week=3, hours_per_day=Decimal(3), population=selectors.population(episode)),
        estimator.Rates(*(Decimal(100),) * 6),
        estimator.Coverage(),
        band=selectors.band_of(estimator.IOP_LEVEL, selectors.population(episode)),
    )

    def bounds(band: hours.HoursBand | None) -> tuple[int, int | None] | None:
        return None if band is None else (band.min_minutes, band.max_minutes)

    return {
        "plan page": bounds(check.band),
        "hours dashboard": bounds(row.band),
        # No signed plan: the planner aims for the band.
        "week planner": (planned.min_minutes, planned.max_minutes),
        "cost estimator": bounds(quote.band),
    }


def test_every_caller_sees_the_adolescent_band_as_6_to_19_hours(north: Site, bob: User) -> None:
    seen = _bands_seen_by_every_caller(north, teen(north, bob))

    assert seen == dict.fromkeys(seen, (360, 1140))


def test_the_plan_page_and_the_dashboard_agree_when_a_level_has_no_row(north: Site, bob: User) -> None:
    episode = teen(north, bob)
    HoursBand.objects.filter(level_of_care="2.1", population="adolescent").delete()

    seen = _bands_seen_by_every_caller(north, episode)

    assert seen == dict.fromkeys(seen, (360, 1140))


def test_the_plan_page_dashboard_and_planner_agree_on_a_band_with_no_minimum(north: Site, bob: User) -> None:
    # Level 1 (outpatient) has only a ceiling: under 9 h/week for adults, so
    # 8 h 59 min is the most (no gap below IOP's 9 h).
    episode = factories.episode(north, bob, level_of_care=LevelOfCare.OUTPATIENT)

    seen = _bands_seen_by_every_caller(north, episode)

    assert (seen["plan page"], seen["hours dashboard"], seen["week planner"]) == ((0, 539), (0, 539), (0, 539))


def test_the_plan_and_sign_pages_warn_when_an_adolescent_plan_is_above_19_hours(
    north: Site, bob: User, client: Client
) -> None:
    version = factories.draft_plan(bob, teen(north, bob), sessions=TWENTY_ONE_HOURS)
    client.force_login(bob)

    for url in ("treatment:plan_version", "treatment:plan_sign"):
        page = client.get(reverse(url, args=[version.pk])).content.decode()
        assert "Warning: above the band." in page, url
        assert "6-19 h/week" in page, url
