# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hours dashboard reads the whole site in a fixed number of queries:
twelve patients cost no more than three."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.scheduling import selectors, services
from openiop.scheduling.models import Session
from openiop.scheduling.tests.pages import admitted, at, group, open_all_week, room, staff
from openiop.sites.models import Site
from openiop.treatment import selectors as treatment_selectors
from openiop.treatment.models import Intervention, ServiceType
from openiop.treatment.services import plans as plan_services
from openiop.treatment.tests.factories import signed_plan

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)  # Thursday
MON = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


class Clinic:
    def __init__(self, site: Site, director: User) -> None:
        open_all_week(site, dt.time(7), dt.time(22))
        self.site, self.director = site, director
        hall = room(site, "Hall", capacity=30)
        self.groups: list[Session] = [
            group(site, MON + dt.timedelta(days=day), (9, 0), (12, 0), in_room=hall, capacity_max=30)
            for day in range(3)
        ]
        self.clinician = staff(site)
        services.clinician_availability_add(
            actor=self.clinician, user=self.clinician, site=site, weekday=3, start_time=dt.time(8), end_time=dt.time(21)
        )
        self.episodes: list[Episode] = []

    def admit(self, count: int) -> None:
        """COUNT more patients: in groups, with an individual appointment,
        every other one with a signed plan (some revised twice)."""
        for _ in range(count):
            number = len(self.episodes)
            episode = admitted(self.site, f"P{number}", f"Hours{number}")
            for session in self.groups[: 1 + number % 3]:
                services.enrol(actor=None, session=session, episode=episode)
            services.appointment_create(
                actor=None, episode=episode, clinician=self.clinician, service="individual_therapy",
                start=at(self.site, MON + dt.timedelta(days=3), 8 + number),
                end=at(self.site, MON + dt.timedelta(days=3), 8 + number, 50),
            )  # fmt: skip
            if number % 2 == 0:
                signed_plan(self.director, episode, sessions=((ServiceType.GROUP, "3", 180 + 10 * number),))
            self.episodes.append(episode)


@pytest.fixture
def clinic(north: Site, persona: Callable[..., User]) -> Clinic:
    return Clinic(north, persona(RoleCode.CLINICAL_DIRECTOR))


def dashboard(client: Client, clinic: Clinic) -> Any:
    response = client.get(reverse("scheduling:hours"), {"site": clinic.site.pk, "day": MON.isoformat()})
    assert response.status_code == 200
    return response


def test_the_hours_dashboard_query_count_does_not_grow_with_the_patients(
    client: Client, clinic: Clinic, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client.force_login(clinic.director)
    clinic.admit(3)
    dashboard(client, clinic)  # warm caches (session, permissions) the way a second visit would
    with CaptureQueriesContext(connection) as three:
        small = dashboard(client, clinic)
    assert len(small.context["rows"]) == 3

    clinic.admit(9)
    with django_assert_max_num_queries(len(three)):
        large = dashboard(client, clinic)

    rows = large.context["rows"]
    assert len(rows) == 12
    # Same numbers as looking each patient up alone.
    table = treatment_selectors.band_table()
    for row in rows:
        assert (row.week.planned_minutes, row.planned_source) == selectors.planned_minutes(row.episode, table)


def test_signed_plans_picks_each_episodes_latest_signed_version(clinic: Clinic) -> None:
    clinic.admit(3)
    first, second, third = clinic.episodes
    draft = plan_services.plan_revise(actor=clinic.director, plan=first.treatment_plan, reason="30-day review")
    Intervention.objects.filter(version=draft).update(sessions_per_week=4, minutes=180)
    revised = plan_services.plan_sign(actor=clinic.director, version=draft, acknowledgement="signed")

    plans = selectors.signed_plans(clinic.episodes)

    assert plans[first.pk].pk == revised.pk
    assert second.pk not in plans  # no signed plan: the band minimum applies
    assert plans[third.pk].plan.episode_id == third.pk
    assert selectors.planned_minutes(first, plans=plans) == (720, "plan")
    assert selectors.planned_minutes(second, plans=plans) == (540, "band")
