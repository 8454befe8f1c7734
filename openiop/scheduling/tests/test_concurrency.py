# SPDX-License-Identifier: AGPL-3.0-or-later
"""Capacity and double booking hold when bookings arrive at the same moment.

Threads each take their own database connection and start together at a
barrier. Only PostgreSQL has row locks to prove this on: SQLite runs one
writer at a time whatever the code does, so there is nothing to prove there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from openiop.core.roles import RoleCode
from openiop.scheduling import services
from openiop.scheduling.models import Enrolment
from openiop.scheduling.tests.pages import admitted, group, open_all_week, room, staff
from openiop.sites.models import Site

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises all writes",
    ),
]

DAY = dt.date(2030, 3, 4)  # a Monday, in the future


def run_together(jobs: list[Callable[[], None]]) -> list[BaseException | None]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[BaseException | None] = [None] * len(jobs)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            jobs[index]()
        except BaseException as error:  # recorded and checked by the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_eight_people_enrolling_at_once_fill_three_seats_and_no_more(north: Site) -> None:
    open_all_week(north)
    session = group(north, DAY, capacity_min=1, capacity_max=3)
    people = [admitted(north, f"P{index}", "Rush") for index in range(8)]

    outcomes = run_together(
        [lambda episode=episode: services.enrol(actor=None, session=session, episode=episode) for episode in people]  # type: ignore[misc]
    )

    refused = [o for o in outcomes if o is not None]
    assert Enrolment.objects.filter(session=session).count() == 3
    assert len(refused) == 5
    assert all(isinstance(o, ValidationError) and "is full" in " ".join(o.messages) for o in refused)


def test_one_person_booked_into_two_overlapping_groups_at_once_gets_one(north: Site) -> None:
    open_all_week(north)
    first = group(north, DAY, (9, 0), (10, 30))
    second = group(north, DAY, (10, 0), (11, 0), in_room=room(north))
    episode = admitted(north)

    outcomes = run_together(
        [lambda: services.enrol(actor=None, session=first, episode=episode) for _ in range(3)]
        + [lambda: services.enrol(actor=None, session=second, episode=episode) for _ in range(3)]
    )

    assert Enrolment.objects.filter(patient=episode.patient).count() == 1
    assert sum(o is None for o in outcomes) == 1


def test_parallel_requests_to_the_enrol_page_never_overfill_a_session(north: Site) -> None:
    open_all_week(north)
    session = group(north, DAY, capacity_min=1, capacity_max=2)
    people = [admitted(north, f"Q{index}", "Request") for index in range(6)]
    desk = [staff(north, RoleCode.FRONT_DESK) for _ in people]
    statuses: list[int] = []

    def post(user_index: int) -> None:
        client = Client()
        client.force_login(desk[user_index])
        response = client.post(reverse("scheduling:enrol", args=[session.pk]), {"episodes": [people[user_index].pk]})
        statuses.append(response.status_code)

    outcomes = run_together([lambda index=index: post(index) for index in range(len(people))])  # type: ignore[misc]

    assert outcomes == [None] * len(people)
    assert Enrolment.objects.filter(session=session).count() == 2
    assert sorted(statuses) == [200, 200, 200, 200, 302, 302]
