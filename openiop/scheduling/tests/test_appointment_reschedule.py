# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rescheduling an individual appointment: a reason, the history kept, and
every booking rule checked again; a refusal saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.scheduling import services
from openiop.scheduling.models import Appointment, SessionStatus
from openiop.scheduling.tests.pages import admitted, at, group, open_all_week, room, staff
from openiop.sites.models import OpeningHours, Room, Site

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)  # Thursday 10:00 in New York
NEXT_MON = dt.date(2026, 3, 9)
NEXT_TUE = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinician(north: Site) -> User:
    open_all_week(north, dt.time(8), dt.time(21))
    person = staff(north)
    for weekday in (0, 1):
        services.clinician_availability_add(
            actor=person, user=person, site=north, weekday=weekday, start_time=dt.time(9), end_time=dt.time(17)
        )
    return person


@pytest.fixture
def booked(north: Site, clinician: User) -> Appointment:
    return services.appointment_create(
        actor=None,
        episode=admitted(north, "Ann", "Able"),
        clinician=clinician,
        service="individual_therapy",
        start=at(north, NEXT_MON, 10),
        end=at(north, NEXT_MON, 10, 50),
        room=room(north, "Office 1", capacity=2),
    )


def move(
    appointment: Appointment,
    day: dt.date,
    start: tuple[int, int],
    end: tuple[int, int],
    *,
    actor: User,
    reason: str = "Patient has a job interview",
    to_room: Room | None = None,
) -> Appointment:
    site = appointment.site
    return services.appointment_reschedule(
        actor=actor,
        appointment=appointment,
        start=at(site, day, *start),
        end=at(site, day, *end),
        reason=reason,
        room=to_room,
    )


def test_rescheduling_books_the_new_time_and_keeps_the_old_one_with_its_reason(booked: Appointment, bob: User) -> None:
    new = move(booked, NEXT_TUE, (14, 0), (14, 50), actor=bob)

    booked.refresh_from_db()
    assert booked.status == SessionStatus.RESCHEDULED
    assert booked.status_reason == "Patient has a job interview"
    assert booked.rescheduled_to == new
    assert (new.status, new.patient_id, new.clinician_id, new.service, new.room_id) == (
        SessionStatus.SCHEDULED, booked.patient_id, booked.clinician_id, "individual_therapy", booked.room_id,
    )  # fmt: skip
    assert (new.local_start.hour, new.local_start.date(), new.minutes) == (14, NEXT_TUE, 50)
    event = AuditEvent.objects.get(action="scheduling.appointment.reschedule")
    assert event.data["reason"] == "Patient has a job interview" and event.data["to"] == new.pk


def test_moving_within_its_own_time_does_not_clash_with_itself(booked: Appointment, bob: User) -> None:
    new = move(booked, NEXT_MON, (10, 30), (11, 20), actor=bob)

    assert new.local_start.time() == dt.time(10, 30)


def test_a_reason_is_required(booked: Appointment, bob: User) -> None:
    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (14, 0), (14, 50), actor=bob, reason="  ")

    assert refused.value.message_dict == {"reason": ["Say why the appointment moves."]}
    assert Appointment.objects.count() == 1


def assert_refused_unchanged(booked: Appointment, refused: pytest.ExceptionInfo[ValidationError], text: str) -> None:
    assert text in " ".join(refused.value.messages)
    booked.refresh_from_db()
    assert booked.status == SessionStatus.SCHEDULED and booked.rescheduled_to is None
    assert Appointment.objects.count() == 1


def test_outside_the_clinicians_availability_is_refused(booked: Appointment, bob: User) -> None:
    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (17, 0), (17, 50), actor=bob)

    assert_refused_unchanged(booked, refused, "outside")
    assert "availability that day (09:00-17:00)" in " ".join(refused.value.messages)


def test_outside_opening_hours_is_refused(north: Site, booked: Appointment, bob: User) -> None:
    OpeningHours.objects.filter(site=north, weekday=1).update(opens=dt.time(12))

    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (10, 0), (10, 50), actor=bob)

    assert_refused_unchanged(booked, refused, "opening hours")


def test_a_patient_busy_in_a_group_then_is_refused(north: Site, booked: Appointment, bob: User) -> None:
    session = group(north, NEXT_TUE, (14, 0), (15, 30), in_room=room(north))
    services.enrol(actor=None, session=session, episode=booked.episode)

    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (14, 30), (15, 20), actor=bob)

    assert_refused_unchanged(booked, refused, "Ann Able is already booked into")


def test_a_clinician_busy_with_another_patient_then_is_refused(
    north: Site, clinician: User, booked: Appointment, bob: User
) -> None:
    services.appointment_create(
        actor=None, episode=admitted(north, "Ben", "Baker"), clinician=clinician, service="individual_therapy",
        start=at(north, NEXT_TUE, 14), end=at(north, NEXT_TUE, 14, 50),
    )  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (14, 0), (14, 50), actor=bob)

    assert "already has an appointment" in " ".join(refused.value.messages)
    booked.refresh_from_db()
    assert booked.status == SessionStatus.SCHEDULED


def test_a_room_taken_then_is_refused(north: Site, booked: Appointment, bob: User) -> None:
    busy = room(north, "Big room")
    group(north, NEXT_TUE, (14, 0), (15, 30), in_room=busy)

    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (14, 0), (14, 50), actor=bob, to_room=busy)

    assert_refused_unchanged(booked, refused, "Big room is already booked")


def test_a_cancelled_or_attended_appointment_cannot_be_moved(
    north: Site, clinician: User, booked: Appointment, bob: User
) -> None:
    services.appointment_cancel(actor=bob, appointment=booked, reason="Sick")
    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (14, 0), (14, 50), actor=bob)
    assert "already Canceled" in " ".join(refused.value.messages)

    with time_machine.travel(dt.datetime(2026, 3, 9, 16, 0, tzinfo=dt.UTC), tick=False):
        past = services.appointment_create(
            actor=None, episode=admitted(north, "Cy", "Cole"), clinician=clinician, service="individual_therapy",
            start=at(north, NEXT_MON, 9), end=at(north, NEXT_MON, 9, 50),
        )  # fmt: skip
        services.appointment_attendance_record(actor=bob, appointment=past, status="present")
        with pytest.raises(ValidationError) as attended:
            move(past, NEXT_TUE, (14, 0), (14, 50), actor=bob)
    assert "Attendance is already recorded" in " ".join(attended.value.messages)


# --- The page -------------------------------------------------------------------------------------------------------


def test_the_page_moves_the_appointment_and_the_chart_shows_both(
    client: Client, bob: User, booked: Appointment
) -> None:
    client.force_login(bob)
    url = reverse("scheduling:appointment_reschedule", args=[booked.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="2026-03-09"' in form.content.decode()  # today's date and time pre-filled

    response = client.post(
        url, {"day": "2026-03-10", "start_time": "14:00", "end_time": "14:50", "reason": "Clashes with work"}
    )

    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == SessionStatus.RESCHEDULED and booked.rescheduled_to is not None
    chart = client.get(response["Location"]).content.decode()
    assert "Rescheduled" in chart and "Clashes with work" in chart


def test_the_page_shows_why_it_refused_and_saves_nothing(client: Client, bob: User, booked: Appointment) -> None:
    client.force_login(bob)

    response = client.post(
        reverse("scheduling:appointment_reschedule", args=[booked.pk]),
        {"day": "2026-03-10", "start_time": "18:00", "end_time": "18:50", "reason": "Evening suits better"},
    )

    assert response.status_code == 200
    assert "outside" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_another_sites_appointment_is_not_found(
    client: Client, persona: Callable[..., User], south: Site, booked: Appointment
) -> None:
    client.force_login(persona(RoleCode.CLINICIAN, site=south))

    response = client.get(reverse("scheduling:appointment_reschedule", args=[booked.pk]))

    assert response.status_code == 404


def test_a_clinician_who_no_longer_works_at_the_site_is_refused(
    north: Site, clinician: User, booked: Appointment, bob: User
) -> None:
    clinician.sites.remove(north)

    with pytest.raises(ValidationError) as refused:
        move(booked, NEXT_TUE, (14, 0), (14, 50), actor=bob)

    assert_refused_unchanged(booked, refused, "does not work at")
