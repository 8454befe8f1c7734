# SPDX-License-Identifier: AGPL-3.0-or-later
"""The structured pre-screen and benefits check, and booking the assessment."""

from __future__ import annotations

import datetime as dt
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
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.services import episode_admit, patient_register
from openiop.scheduling import services as scheduling_services
from openiop.scheduling.models import ClinicianAvailability
from openiop.sites.models import Room, Site

pytestmark = pytest.mark.django_db
MakeInquiry = Callable[..., Inquiry]
ZONE = dt.timezone(dt.timedelta(hours=-5))  # Boston in March, before daylight saving time

PRESCREEN = {
    "last_use_date": "2026-02-27", "substances": ["alcohol", "opioids"], "screen_medical_emergency": "False",
    "screen_suicidal_thoughts": "False", "screen_severe_withdrawal": "False", "pregnancy": "not_applicable",
    "current_treatment": "Buprenorphine from Dr. Lee",
}  # fmt: skip


def post(client: Client, name: str, inquiry: Inquiry, data: dict[str, Any]) -> Any:
    return client.post(reverse(f"admissions:{name}", args=[inquiry.pk]), {"version": inquiry.version, **data})


@time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=ZONE), tick=False)
def test_a_prescreen_with_no_yes_saves_every_answer(client: Client, make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry()
    client.force_login(navigator)
    response = post(client, "prescreen", inquiry, PRESCREEN)
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.last_use_date == dt.date(2026, 2, 27)
    assert inquiry.substances == ["alcohol", "opioids"]
    assert (inquiry.screen_suicidal_thoughts, inquiry.screen_medical_emergency) == (False, False)
    assert inquiry.current_treatment == "Buprenorphine from Dr. Lee"
    assert (inquiry.prescreened_by, inquiry.version) == (navigator, 2)
    assert AuditEvent.objects.filter(action="inquiry.prescreen", data__escalations=[]).exists()


def test_a_yes_to_suicidal_thoughts_shows_988_and_911_to_those_who_work_the_inquiry(
    client: Client, make_inquiry: MakeInquiry, navigator: User, persona: Callable[..., User]
) -> None:
    inquiry = make_inquiry()
    client.force_login(navigator)
    response = post(client, "prescreen", inquiry, {**PRESCREEN, "screen_suicidal_thoughts": "True"})
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="prescreen-escalations"' in detail
    assert "988" in detail and "911" in detail and "same-day" in detail
    # Billing reads the inquiry but not the answers: only that a concern needs a clinician.
    client.force_login(persona(RoleCode.BILLING_SPECIALIST))
    detail = client.get(reverse("admissions:detail", args=[inquiry.pk])).content.decode()
    assert 'data-testid="prescreen-escalated"' in detail
    assert 'data-testid="prescreen-escalations"' not in detail
    assert "Thoughts of suicide" not in detail


def test_a_prescreen_with_a_question_skipped_or_a_future_last_use_is_refused(
    client: Client, make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry()
    client.force_login(navigator)
    skipped = {key: value for key, value in PRESCREEN.items() if key != "screen_severe_withdrawal"}
    response = post(client, "prescreen", inquiry, skipped)
    assert response.status_code == 400
    assert response.context["form"].errors["screen_severe_withdrawal"] == ["Ask this question and record the answer."]
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = post(client, "prescreen", inquiry, {**PRESCREEN, "last_use_date": future})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.prescreened_at, inquiry.version) == (None, 1)


BENEFITS = {
    "insurance_payer": "Aetna", "insurance_plan": "HMO", "insurance_member_id": "W123-456",
    "insurance_group_number": "G77", "insurance_subscriber_relation": "18", "insurance_subscriber_first_name": "",
    "insurance_subscriber_last_name": "", "insurance_subscriber_birth_date": "",
}  # fmt: skip


def test_a_benefits_check_for_a_child_on_a_parents_plan_keeps_the_subscriber(
    client: Client, make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry()
    client.force_login(navigator)
    response = post(
        client, "benefits", inquiry,
        {**BENEFITS, "insurance_subscriber_relation": "19", "insurance_subscriber_first_name": "Rosa",
         "insurance_subscriber_last_name": "Diaz", "insurance_subscriber_birth_date": "1970-06-01"},
    )  # fmt: skip
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.insurance_payer, inquiry.insurance_member_id, inquiry.insurance_subscriber_relation) == (
        "Aetna", "W123-456", "19",
    )  # fmt: skip
    assert (inquiry.subscriber_first_name, inquiry.subscriber_birth_date) == ("Rosa", dt.date(1970, 6, 1))
    assert inquiry.benefits_checked_by == navigator


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"insurance_member_id": "W123 456"}, "insurance_member_id"),
        ({"insurance_member_id": "W12#"}, "insurance_member_id"),
        ({"insurance_subscriber_relation": "01"}, "insurance_subscriber_first_name"),
        ({"insurance_subscriber_relation": "XX"}, "insurance_subscriber_relation"),
        ({"insurance_payer": ""}, "insurance_payer"),
    ],
)
def test_a_bad_benefits_check_says_why_beside_the_field_and_saves_nothing(
    client: Client, make_inquiry: MakeInquiry, navigator: User, overrides: dict[str, str], field: str
) -> None:
    inquiry = make_inquiry()
    client.force_login(navigator)
    response = post(client, "benefits", inquiry, {**BENEFITS, **overrides})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    inquiry.refresh_from_db()
    assert (inquiry.benefits_checked_at, inquiry.insurance_payer) == (None, "")


def test_the_benefits_service_applies_the_payers_member_id_rule(make_inquiry: MakeInquiry, navigator: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.benefits_record(
            actor=navigator, inquiry=make_inquiry(), insurance_payer="Aetna", insurance_member_id="W 1"
        )
    assert "insurance_member_id" in error.value.message_dict


def test_steps_are_for_those_who_manage_inquiries_at_their_sites(
    client: Client, make_inquiry: MakeInquiry, persona: Callable[..., User], south: Site
) -> None:
    inquiry = make_inquiry()
    client.force_login(persona(RoleCode.FRONT_DESK))
    assert post(client, "prescreen", inquiry, PRESCREEN).status_code == 403
    assert post(client, "benefits", inquiry, BENEFITS).status_code == 403
    client.force_login(persona(RoleCode.ADMISSIONS_NAVIGATOR, site=south))
    assert post(client, "prescreen", inquiry, PRESCREEN).status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.version == 1


def test_a_final_inquiry_keeps_its_prescreen(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = services.inquiry_move(actor=navigator, inquiry=make_inquiry(), to_stage="closed", reason="declined")
    with pytest.raises(services.InquiryFinalError):
        services.prescreen_record(actor=navigator, inquiry=inquiry, current_treatment="none")


# --- Booking the assessment -----------------------------------------------------------------------------------------


@pytest.fixture
def clinician(persona: Callable[..., User], north: Site) -> User:
    user = persona(RoleCode.CLINICIAN, username="cleo")
    ClinicianAvailability.objects.create(user=user, site=north, weekday=0, start_time=dt.time(9), end_time=dt.time(17))
    return user


def at_benefits(make_inquiry: MakeInquiry, navigator: User, **fields: Any) -> Inquiry:
    inquiry = make_inquiry(**fields)
    for stage in (pipeline.PRE_SCREEN, pipeline.BENEFITS_CHECK):
        inquiry = services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=stage)
    return inquiry


def booking(clinician: User, room: Room | None, **overrides: Any) -> dict[str, Any]:
    data = {"clinician": clinician.pk, "day": "2026-03-02", "start_time": "10:00", "end_time": "11:00",
            "room": room.pk if room else "", "note": ""}  # fmt: skip
    data.update(overrides)
    return data


@time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=ZONE), tick=False)
def test_booking_the_assessment_moves_the_inquiry_with_clinician_time_and_room(
    client: Client, make_inquiry: MakeInquiry, navigator: User, clinician: User, north: Site
) -> None:
    inquiry = at_benefits(make_inquiry, navigator)
    room = Room.objects.get(site=north)
    client.force_login(navigator)
    response = post(client, "assessment", inquiry, booking(clinician, room))
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.ASSESSMENT_SCHEDULED
    assert (inquiry.assessment_clinician, inquiry.assessment_room) == (clinician, room)
    assert inquiry.assessment_start == dt.datetime(2026, 3, 2, 10, tzinfo=ZONE)
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="assessment-booking"' in detail and "Group room" in detail


@time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=ZONE), tick=False)
def test_a_booking_that_clashes_is_refused_with_the_scheduling_rules_message(
    client: Client, make_inquiry: MakeInquiry, navigator: User, clinician: User, north: Site
) -> None:
    # The clinician already sees a patient at 10:30 on Monday.
    patient = patient_register(
        site=north, legal_first_name="Ann", legal_last_name="Lee", birth_date=dt.date(1980, 1, 1)
    )
    episode = episode_admit(actor=None, patient=patient, site=north, admission_date=dt.date(2026, 2, 20))
    scheduling_services.appointment_create(
        actor=None, episode=episode, clinician=clinician, service="individual_therapy",
        start=dt.datetime(2026, 3, 2, 10, 30, tzinfo=ZONE), end=dt.datetime(2026, 3, 2, 11, 20, tzinfo=ZONE),
    )  # fmt: skip
    inquiry = at_benefits(make_inquiry, navigator)
    client.force_login(navigator)
    response = post(client, "assessment", inquiry, booking(clinician, None))
    assert response.status_code == 400
    assert "already has an appointment" in response.content.decode()
    # Outside the clinician's availability (from 9 to 17): the scheduling rule's message too.
    response = post(client, "assessment", inquiry, booking(clinician, None, start_time="17:00", end_time="18:00"))
    assert response.status_code == 400
    assert "outside" in response.content.decode() and "availability" in response.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.stage, inquiry.assessment_start) == (pipeline.BENEFITS_CHECK, None)


@time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=ZONE), tick=False)
def test_two_assessments_cannot_share_the_clinician_or_the_room(
    make_inquiry: MakeInquiry, navigator: User, clinician: User, persona: Callable[..., User], north: Site
) -> None:
    room = Room.objects.get(site=north)
    start, end = dt.datetime(2026, 3, 2, 10, tzinfo=ZONE), dt.datetime(2026, 3, 2, 11, tzinfo=ZONE)
    services.inquiry_move(
        actor=navigator, inquiry=at_benefits(make_inquiry, navigator), to_stage=pipeline.ASSESSMENT_SCHEDULED,
        assessment=services.AssessmentBooking(clinician=clinician, start=start, end=end, room=room),
    )  # fmt: skip
    second = at_benefits(make_inquiry, navigator, first_name="Ana", phone="(508) 555-0199")
    with pytest.raises(ValidationError, match=r"Tester[0-9]+ is already booked for Intake assessment · T\.D\."):
        services.inquiry_move(
            actor=navigator, inquiry=second, to_stage=pipeline.ASSESSMENT_SCHEDULED,
            assessment=services.AssessmentBooking(clinician=clinician, start=start, end=end),
        )  # fmt: skip
    other = persona(RoleCode.CLINICIAN)
    ClinicianAvailability.objects.create(user=other, site=north, weekday=0, start_time=dt.time(9), end_time=dt.time(17))
    with pytest.raises(ValidationError, match=r"Group room is already booked for Intake assessment · T\.D\."):
        services.inquiry_move(
            actor=navigator, inquiry=second, to_stage=pipeline.ASSESSMENT_SCHEDULED,
            assessment=services.AssessmentBooking(clinician=other, start=start, end=end, room=room),
        )  # fmt: skip


@time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=ZONE), tick=False)
def test_an_assessment_in_the_past_or_ending_before_it_starts_is_refused(
    client: Client, make_inquiry: MakeInquiry, navigator: User, clinician: User
) -> None:
    inquiry = at_benefits(make_inquiry, navigator)
    client.force_login(navigator)
    response = post(client, "assessment", inquiry, booking(clinician, None))
    assert response.status_code == 400
    assert response.context["form"].errors["day"]
    response = post(client, "assessment", inquiry, booking(clinician, None, start_time="11:00", end_time="10:00"))
    assert response.context["form"].errors["end_time"]
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.BENEFITS_CHECK


def test_a_prescreen_started_from_an_old_version_is_refused_and_says_why(
    client: Client, make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry()
    services.inquiry_update(actor=navigator, inquiry=inquiry, expected_version=1, notes="Called back")
    client.force_login(navigator)
    response = client.post(reverse("admissions:prescreen", args=[inquiry.pk]), {"version": 1, **PRESCREEN})
    assert response.status_code == 400
    assert "Someone else saved or moved this inquiry" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.prescreened_at is None
