# SPDX-License-Identifier: AGPL-3.0-or-later
"""The dashboard: it names the user's sites and their time zones, shows each
session's time in its own site's zone (with the abbreviation once more than
one zone is on the page), pages long lists with a link to the rest, has no
role description card, and costs the same number of queries for thirty
patients as for three."""

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
from openiop.admissions import services as admissions_services
from openiop.admissions.models import SelfCheckShare
from openiop.assessments.models import SafetyAlert
from openiop.core import navigation
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.scheduling import services as scheduling_services
from openiop.scheduling.tests.pages import admitted, group, open_all_week, room
from openiop.sites.models import Site

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)  # Thursday: 10:00 in New York (EST), 09:00 in Chicago (CST)
THURSDAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def dashboard(client: Client, user: User, **query: str) -> str:
    client.force_login(user)
    response = client.get(reverse("core:dashboard"), query)
    assert response.status_code == 200
    return str(response.content.decode())


def todays_groups(site: Site, count: int) -> None:
    open_all_week(site)
    hall = room(site, f"Hall {site.code}", capacity=30)
    for hour in range(count):
        group(site, THURSDAY, (7 + hour, 0), (7 + hour, 50), in_room=hall, capacity_max=30)


def alert(episode: Episode, raised_by: User) -> SafetyAlert:
    return SafetyAlert.objects.create(
        patient=episode.patient,
        episode=episode,
        kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT,
        detail="test",
        raised_by=raised_by,
    )


def test_the_dashboard_names_the_site_and_its_zone_and_has_no_role_card(client: Client, bob: User) -> None:
    body = dashboard(client, bob)

    assert "Site: <strong>North Site</strong> · times in EST" in body
    assert "role-panel" not in body
    assert "Your caseload, today&#x27;s groups" not in body and "Your caseload, today's groups" not in body
    assert not hasattr(navigation, "ROLE_FOCUS")


def test_with_sites_in_two_zones_every_time_carries_its_zone_and_site(
    client: Client, persona: Callable[..., User], north: Site, south: Site
) -> None:
    south.time_zone = "America/Chicago"
    south.save()
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    director.sites.add(south)
    todays_groups(north, 1)  # 07:00 in New York
    todays_groups(south, 1)  # 07:00 in Chicago, an hour later

    body = dashboard(client, director)

    assert "<strong>North Site</strong> (EST), <strong>South Site</strong> (CST)" in body
    assert "own time zone, with its abbreviation" in body
    # Each session in its own site's wall clock, not the server's: both read 07:00.
    assert "07:00 EST" in body and "07:00 CST" in body
    assert body.index("07:00 EST") < body.index("07:00 CST")


def test_shared_risks_read_on_their_sites_clock_when_there_are_two_zones(
    client: Client, persona: Callable[..., User], north: Site, south: Site
) -> None:
    south.time_zone = "America/Chicago"
    south.save()
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR)
    navigator.sites.add(south)
    inquiry = admissions_services.inquiry_create(
        actor=None, site=south, caller_name="Rosa Diaz", first_name="Tom", last_name="Diaz",
        phone="(617) 555-0142", consent_to_contact=True,
    )  # fmt: skip
    SelfCheckShare.objects.create(inquiry=inquiry, outcomes=["crisis"], risk=True, shared_at=NOW)

    body = dashboard(client, navigator)

    assert "2026-03-05 09:00 CST" in body  # 15:00 UTC on Chicago's clock, not New York's 10:00


def test_one_zone_shows_times_without_an_abbreviation(client: Client, bob: User, north: Site) -> None:
    todays_groups(north, 1)

    body = dashboard(client, bob)

    assert "07:00 " in body and "07:00 EST" not in body


def test_a_long_list_shows_its_first_rows_and_links_to_the_rest(
    client: Client, persona: Callable[..., User], north: Site
) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    todays_groups(north, 12)
    for number in range(12):
        alert(admitted(north, "Alert", f"Patient{number}"), director)

    body = dashboard(client, director)

    # Today's groups: ten, and the day's calendar for the other two.
    assert body.count("/30 booked") == 10
    assert "Showing 1–10 of 12." in body
    assert f'href="{reverse("scheduling:calendar")}?span=day">See them all' in body
    # Safety alerts: the heading counts all twelve, the list links to the alert list.
    assert "12 unacknowledged safety alerts" in body
    assert f'href="{reverse("assessments:alerts")}">See them all' in body


def test_plans_due_page_through_on_the_dashboard(client: Client, persona: Callable[..., User], north: Site) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    for number in range(12):
        admitted(north, "Plan", f"Due{number:02d}")

    first = dashboard(client, director)
    second = dashboard(client, director, **{"treatment_plans_due-page": "2"})
    past_the_end = dashboard(client, director, **{"treatment_plans_due-page": "99"})
    nonsense = dashboard(client, director, **{"treatment_plans_due-page": "-1x"})

    assert first.count("no plan yet") == 10 and second.count("no plan yet") == 2
    assert 'href="?treatment_plans_due-page=2#section-treatment_plans_due">Next' in first
    assert "Showing 11–12 of 12." in second
    assert 'href="?treatment_plans_due-page=1#section-treatment_plans_due">Previous' in second
    assert ">Next<" not in second
    assert past_the_end.count("no plan yet") == 10 and nonsense.count("no plan yet") == 10


def test_the_directors_dashboard_queries_do_not_grow_with_the_patients(
    client: Client, persona: Callable[..., User], north: Site, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    open_all_week(north)
    hall = room(north, "Hall", capacity=40)
    session = group(north, THURSDAY, (11, 0), (12, 0), in_room=hall, capacity_max=40)

    def admit(count: int, start: int) -> None:
        for number in range(start, start + count):
            episode = admitted(north, "Many", f"Patients{number:02d}")
            scheduling_services.enrol(actor=None, session=session, episode=episode)
            alert(episode, director)

    admit(3, 0)
    dashboard(client, director)  # warm the per-process caches the way a second visit would
    with CaptureQueriesContext(connection) as three:
        small = dashboard(client, director)
    admit(27, 3)
    with django_assert_max_num_queries(len(three)):
        large = dashboard(client, director)

    assert "3 unacknowledged safety alerts" in small and "30 unacknowledged safety alerts" in large
    assert large.count("no plan yet") == navigation.DASHBOARD_ROWS
