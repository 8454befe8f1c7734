# SPDX-License-Identifier: AGPL-3.0-or-later
"""A booked intake assessment holds its clinician and room in scheduling: a
group session, an appointment or a move over it is refused with a reason
naming it, and it shows, read-only, on the clinician's and the room's
calendars (through scheduling.busy; scheduling never imports admissions)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.admissions import pipeline, services
from openiop.admissions.models import Inquiry
from openiop.core.roles import RoleCode
from openiop.patients.services import episode_admit, patient_register
from openiop.scheduling import services as scheduling_services
from openiop.scheduling.models import ClinicianAvailability
from openiop.scheduling.tests.pages import group, room
from openiop.sites.models import Room, Site

pytestmark = pytest.mark.django_db
ZONE = dt.timezone(dt.timedelta(hours=-5))  # Boston in March, before daylight saving time
MONDAY = dt.date(2026, 3, 2)
LABEL = re.escape("Intake assessment · T.D.")  # the inquiry is for Tom Diaz: initials only


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY, dt.time(hour, minute), tzinfo=ZONE)


@pytest.fixture(autouse=True)
def _sunday() -> Any:
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=ZONE), tick=False):
        yield


@pytest.fixture
def clinician(persona: Callable[..., User], north: Site) -> User:
    user = persona(RoleCode.CLINICIAN, username="cleo")
    ClinicianAvailability.objects.create(user=user, site=north, weekday=0, start_time=dt.time(9), end_time=dt.time(17))
    return user


def book(
    make_inquiry: Callable[..., Inquiry], navigator: User, clinician: User, place: Room | None, **fields: Any
) -> Inquiry:
    """An inquiry at "Assessment scheduled", Monday 10:00-11:00."""
    inquiry = make_inquiry(**fields)
    for stage in (pipeline.PRE_SCREEN, pipeline.BENEFITS_CHECK):
        inquiry = services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=stage)
    return services.inquiry_move(
        actor=navigator, inquiry=inquiry, to_stage=pipeline.ASSESSMENT_SCHEDULED,
        assessment=services.AssessmentBooking(clinician=clinician, start=at(10), end=at(11), room=place),
    )  # fmt: skip


def test_a_session_appointment_or_move_over_a_booked_assessment_is_refused_naming_it(
    make_inquiry: Callable[..., Inquiry], navigator: User, clinician: User, north: Site
) -> None:
    group_room = Room.objects.get(site=north)
    book(make_inquiry, navigator, clinician, group_room)
    # The clinician facilitating a group elsewhere over the assessment.
    with pytest.raises(ValidationError, match=rf"already booked for {LABEL}, Mon 2026-03-02 10:00-11:00"):
        group(north, MONDAY, (10, 30), (11, 30), facilitator=clinician, in_room=room(north))
    # Someone else's group in the assessment's room.
    with pytest.raises(ValidationError, match=f"Group room is already booked for {LABEL}"):
        group(north, MONDAY, (10, 30), (11, 30), in_room=group_room)
    # An individual appointment with the clinician.
    patient = patient_register(
        site=north, legal_first_name="Ann", legal_last_name="Lee", birth_date=dt.date(1980, 1, 1)
    )
    episode = episode_admit(actor=None, patient=patient, site=north, admission_date=dt.date(2026, 2, 20))
    with pytest.raises(ValidationError, match=LABEL):
        scheduling_services.appointment_create(
            actor=None, episode=episode, clinician=clinician, service="individual_therapy",
            start=at(10, 30), end=at(11, 20),
        )  # fmt: skip
    # A group booked after the assessment cannot be moved (dragged) onto it.
    later = group(north, MONDAY, (12, 0), (13, 0), facilitator=clinician, in_room=room(north))
    with pytest.raises(ValidationError, match=LABEL):
        scheduling_services.session_reschedule(
            actor=navigator, session=later, start=at(10), end=at(11), reason="swap", expected_version=later.version
        )
    # Free time after the assessment is still free.
    scheduling_services.session_reschedule(
        actor=navigator, session=later, start=at(11), end=at(12), reason="swap", expected_version=later.version
    )


def test_re_booking_the_same_inquiry_does_not_conflict_with_itself(
    make_inquiry: Callable[..., Inquiry], navigator: User, clinician: User, north: Site
) -> None:
    group_room = Room.objects.get(site=north)
    inquiry = book(make_inquiry, navigator, clinician, group_room)
    later = services.AssessmentBooking(clinician=clinician, start=at(10, 30), end=at(11, 30), room=group_room)
    services._book_assessment(inquiry, later)  # its own 10:00-11:00 does not stand in the way
    assert inquiry.assessment_start == at(10, 30)
    other = make_inquiry(first_name="Ana", phone="(508) 555-0199")
    with pytest.raises(ValidationError, match=LABEL):
        services._book_assessment(other, later)


def test_the_clinicians_and_rooms_calendars_show_the_assessment_read_only(
    client: Client, make_inquiry: Callable[..., Inquiry], navigator: User, clinician: User, north: Site
) -> None:
    group_room = Room.objects.get(site=north)
    inquiry = book(make_inquiry, navigator, clinician, group_room)
    client.force_login(clinician)
    url = reverse("scheduling:calendar")

    response = client.get(url, {"site": north.pk, "by": "clinician", "day": MONDAY.isoformat()})

    (event,) = [e for e in response.context["timegrid"]["events"] if e["id"] == f"busy-inquiry-{inquiry.pk}"]
    assert event["title"] == "Intake assessment · T.D. · booked elsewhere, read-only"
    assert (event["start"], event["end"]) == ("2026-03-02T10:00:00", "2026-03-02T11:00:00")
    assert event["editable"] is False and event["backgroundColor"] == "#5c5c5c"
    assert event["extendedProps"]["row"] == f"user-{clinician.pk}"
    assert event["url"] == reverse("admissions:detail", args=[inquiry.pk])  # clinicians may open inquiries
    body = response.content.decode()
    assert "Intake assessment · T.D." in body and "booked elsewhere, read-only" in body  # the table fallback
    assert "Diaz" not in body  # initials only on a shared calendar
    by_room = client.get(url, {"site": north.pk, "by": "room", "day": MONDAY.isoformat()}).context["timegrid"]
    assert [e["extendedProps"]["row"] for e in by_room["events"] if e["id"].startswith("busy-")] == [
        f"room-{group_room.pk}"
    ]
    # Once admitted (or closed), the inquiry no longer holds the time.
    services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.CLOSED, reason="declined")
    response = client.get(url, {"site": north.pk, "by": "clinician", "day": MONDAY.isoformat()})
    assert not [e for e in response.context["timegrid"]["events"] if e["id"].startswith("busy-")]
