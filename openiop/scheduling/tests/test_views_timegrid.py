# SPDX-License-Identifier: AGPL-3.0-or-later
"""The time-grid calendar: its events (site wall-clock times, colour per
track with the track named), by patient, and the drag-to-reschedule endpoint
going through the reschedule services: a move saved, a rule's refusal and a
stale version answered with the reason, access and CSRF checked."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.scheduling import services
from openiop.scheduling.models import Session, SessionStatus, Track
from openiop.scheduling.tests.pages import admitted, group, open_all_week, room
from openiop.sites.models import Site

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)  # Thursday 10:00 in New York
WED = dt.date(2026, 3, 11)  # next week, so moves are in the future


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(persona: Callable[..., User]) -> User:
    return persona(RoleCode.FRONT_DESK)


@pytest.fixture
def evening(north: Site) -> Session:
    open_all_week(north, dt.time(8), dt.time(21))
    track = Track.objects.create(site=north, kind="evening", name="Evening track")
    session = group(north, WED, (17, 0), (18, 30), track=track)
    services.enrol(actor=None, session=session, episode=admitted(north, "Ann", "Able"))
    return session


def _move(client: Client, session: Session, start: str, end: str, **extra: Any) -> Any:
    body = {"kind": "session", "pk": session.pk, "version": session.version, "start": start, "end": end}
    body.update(reason="Room swap", **extra)
    return client.post(reverse("scheduling:calendar_move"), json.dumps(body), content_type="application/json")


def test_the_calendar_sends_events_in_site_time_with_the_track_named_and_coloured(
    client: Client, bob: User, evening: Session
) -> None:
    client.force_login(bob)

    response = client.get(reverse("scheduling:calendar"), {"site": evening.site_id, "day": WED.isoformat()})

    data = response.context["timegrid"]
    (event,) = data["events"]
    assert event["start"] == "2026-03-11T17:00:00" and event["end"] == "2026-03-11T18:30:00"  # New York wall clock
    assert "Evening track" in event["title"] and event["backgroundColor"] != "#3f4b55"
    assert event["extendedProps"] == {
        "kind": "session",
        "pk": evening.pk,
        "version": 1,
        "row": f"room-{evening.room_id}",
    }
    assert data["view"] == "timeGridWeek" and data["businessHours"]
    body = response.content.decode()
    assert 'id="timegrid-data"' in body and "vendor/fullcalendar/core/index.global.min.js" in body
    assert 'class="schedule-grid"' in body  # the table stays as the no-script and print view


def test_the_calendar_by_patient_shows_only_that_patients_bookings(
    client: Client, bob: User, north: Site, evening: Session
) -> None:
    other = group(north, WED, (9, 0), (10, 0), in_room=room(north))
    ann = evening.enrolments.get().patient
    client.force_login(bob)

    response = client.get(
        reverse("scheduling:calendar"), {"site": north.pk, "by": "patient", "patient": ann.pk, "day": WED.isoformat()}
    )

    ids = [event["extendedProps"]["pk"] for event in response.context["timegrid"]["events"]]
    assert ids == [evening.pk] and other.pk not in ids


def test_a_drag_moves_the_session_through_the_reschedule_service(client: Client, desk: User, evening: Session) -> None:
    client.force_login(desk)

    response = _move(client, evening, "2026-03-11T18:00:00", "2026-03-11T19:30:00")

    answer = response.json()
    assert response.status_code == 200 and answer["ok"]
    moved = Session.objects.get(pk=answer["pk"])
    assert moved.local_start.hour == 18 and moved.enrolments.count() == 1
    evening.refresh_from_db()
    assert evening.status == SessionStatus.RESCHEDULED and evening.status_reason == "Room swap"


def test_a_drag_into_a_clash_is_refused_with_the_services_reason(
    client: Client, desk: User, north: Site, evening: Session
) -> None:
    group(north, WED, (19, 0), (20, 0), in_room=evening.room)
    client.force_login(desk)

    response = _move(client, evening, "2026-03-11T19:00:00", "2026-03-11T20:30:00")

    assert response.status_code == 400
    assert not response.json()["ok"] and evening.room.name in response.json()["error"]
    assert Session.objects.get(pk=evening.pk).status == SessionStatus.SCHEDULED


def test_a_drag_outside_opening_hours_is_refused(client: Client, desk: User, evening: Session) -> None:
    client.force_login(desk)

    response = _move(client, evening, "2026-03-11T20:30:00", "2026-03-11T22:00:00")

    assert response.status_code == 400 and "opening hours" in response.json()["error"].lower()


def test_a_drag_with_a_stale_version_is_refused_and_nothing_moves(client: Client, desk: User, evening: Session) -> None:
    client.force_login(desk)

    response = _move(client, evening, "2026-03-11T18:00:00", "2026-03-11T19:30:00", version=evening.version - 1)

    assert response.status_code == 409
    assert "Someone changed this session" in response.json()["error"]
    assert Session.objects.count() == 1


@pytest.mark.parametrize("body", ["not json", json.dumps({"kind": "session", "pk": "1"}), json.dumps([1])])
def test_a_garbled_move_is_a_clear_400(client: Client, desk: User, evening: Session, body: str) -> None:
    client.force_login(desk)

    response = client.post(reverse("scheduling:calendar_move"), body, content_type="application/json")

    assert response.status_code == 400 and "could not be read" in response.json()["error"]


def test_staff_without_the_manage_grant_cannot_move(client: Client, alice: User, evening: Session) -> None:
    client.force_login(alice)  # administrator: sees the calendar, does not schedule

    assert _move(client, evening, "2026-03-11T18:00:00", "2026-03-11T19:30:00").status_code == 403


def test_another_sites_session_is_a_404(
    client: Client, persona: Callable[..., User], south: Site, evening: Session
) -> None:
    client.force_login(persona(RoleCode.FRONT_DESK, site=south))

    assert _move(client, evening, "2026-03-11T18:00:00", "2026-03-11T19:30:00").status_code == 404


def test_a_move_without_the_csrf_token_is_refused(desk: User, evening: Session) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk)

    assert _move(client, evening, "2026-03-11T18:00:00", "2026-03-11T19:30:00").status_code == 403
    assert Session.objects.count() == 1
