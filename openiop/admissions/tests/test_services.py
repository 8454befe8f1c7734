# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions import pipeline, services
from openiop.admissions.models import Inquiry, StageChange
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.patients.models import Patient
from openiop.patients.services import patient_register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
MakeInquiry = Callable[..., Inquiry]


def walk(inquiry: Inquiry, actor: User, *stages: str) -> Inquiry:
    for stage in stages:
        inquiry = services.inquiry_move(actor=actor, inquiry=inquiry, to_stage=stage)
    return inquiry


def test_creating_an_inquiry_records_who_logged_it_as_the_first_history_row(
    make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry(actor=navigator)
    assert inquiry.stage == pipeline.NEW
    assert inquiry.phone_digits == "6175550142"
    [change] = inquiry.stage_changes.all()
    assert (change.from_stage, change.to_stage, change.by) == ("", pipeline.NEW, navigator)
    assert AuditEvent.objects.filter(action="inquiry.create", object_id=str(inquiry.pk)).exists()


def test_it_refuses_a_birth_date_in_the_future(make_inquiry: MakeInquiry) -> None:
    with pytest.raises(ValidationError) as error:
        make_inquiry(birth_date=timezone.localdate() + dt.timedelta(days=1))
    assert "birth_date" in error.value.message_dict
    assert not Inquiry.objects.exists()


def test_it_refuses_an_implausible_age(make_inquiry: MakeInquiry) -> None:
    with pytest.raises(ValidationError):
        make_inquiry(birth_date=dt.date(1890, 1, 1))


def test_it_refuses_unknown_substance_codes(make_inquiry: MakeInquiry) -> None:
    with pytest.raises(ValidationError) as error:
        make_inquiry(substances=["chocolate"])
    assert "substances" in error.value.message_dict


def test_email_as_preferred_contact_needs_an_address(make_inquiry: MakeInquiry) -> None:
    with pytest.raises(ValidationError) as error:
        make_inquiry(preferred_contact="email", email="")
    assert "email" in error.value.message_dict


def test_every_move_records_who_and_when(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry(actor=navigator)
    moment = dt.datetime(2025, 3, 4, 15, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        moved = services.inquiry_move(
            actor=navigator, inquiry=inquiry, to_stage=pipeline.PRE_SCREEN, note="Called back"
        )
    change = moved.stage_changes.order_by("-pk").first()
    assert change is not None
    assert (change.from_stage, change.to_stage, change.by, change.at, change.note) == (
        pipeline.NEW, pipeline.PRE_SCREEN, navigator, moment, "Called back",
    )  # fmt: skip
    assert moved.stage_changed_at == moment
    assert moved.version == 2
    event = AuditEvent.objects.get(action="inquiry.move", object_id=str(inquiry.pk))
    assert event.data == {"from": pipeline.NEW, "to": pipeline.PRE_SCREEN}
    assert event.actor_id == navigator.pk


def test_a_refused_move_saves_nothing(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry(actor=navigator)
    events = AuditEvent.objects.count()
    with pytest.raises(pipeline.MoveRefused, match="skip"):
        services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.ASSESSMENT_SCHEDULED)
    inquiry.refresh_from_db()
    assert (inquiry.stage, inquiry.version) == (pipeline.NEW, 1)
    assert StageChange.objects.filter(inquiry=inquiry).count() == 1
    assert AuditEvent.objects.count() == events


def test_closing_without_a_reason_is_refused_and_with_one_is_recorded(
    make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry()
    with pytest.raises(pipeline.MoveRefused):
        services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.CLOSED)
    closed = services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.CLOSED, reason="unreachable")
    assert (closed.stage, closed.closed_reason) == (pipeline.CLOSED, "unreachable")
    assert AuditEvent.objects.get(action="inquiry.move").data["reason"] == "unreachable"


def test_referring_records_where(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = walk(make_inquiry(), navigator, pipeline.PRE_SCREEN)
    referred = services.inquiry_move(
        actor=navigator, inquiry=inquiry, to_stage=pipeline.REFERRED, referred_to="Lakeside Residential"
    )
    assert referred.referred_to == "Lakeside Residential"
    with pytest.raises(pipeline.MoveRefused, match="final"):
        services.inquiry_move(actor=navigator, inquiry=referred, to_stage=pipeline.CLOSED, reason="other")


def test_a_move_from_a_stale_page_is_refused(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry()
    services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.PRE_SCREEN, expected_version=1)
    with pytest.raises(StaleEditError):
        services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.CLOSED, reason="declined",
                              expected_version=1)  # fmt: skip
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.PRE_SCREEN


def test_admitting_registers_the_patient_and_links_the_chart(
    make_inquiry: MakeInquiry, navigator: User, north: Site
) -> None:
    inquiry = walk(
        make_inquiry(), navigator, pipeline.PRE_SCREEN, pipeline.BENEFITS_CHECK, pipeline.ASSESSMENT_SCHEDULED
    )
    admitted = services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED)
    patient = Patient.objects.get()
    assert admitted.patient == patient
    assert (patient.legal_first_name, patient.legal_last_name, patient.birth_date) == (
        "Tom",
        "Diaz",
        dt.date(1998, 4, 2),
    )
    assert (patient.site, patient.phone) == (north, "(617) 555-0142")
    event = AuditEvent.objects.filter(action="inquiry.move").latest("id")
    assert event.data["patient_mrn"] == patient.mrn


def test_admitting_without_a_birth_date_is_refused_and_registers_nobody(
    make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = walk(
        make_inquiry(birth_date=None), navigator, pipeline.PRE_SCREEN, pipeline.BENEFITS_CHECK,
        pipeline.ASSESSMENT_SCHEDULED,
    )  # fmt: skip
    with pytest.raises(pipeline.MoveRefused, match="date of birth"):
        services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED)
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.ASSESSMENT_SCHEDULED
    assert not Patient.objects.exists()


def test_admitting_may_link_an_existing_chart_instead(make_inquiry: MakeInquiry, navigator: User, north: Site) -> None:
    existing = patient_register(
        site=north, legal_first_name="Tom", legal_last_name="Diaz", birth_date=dt.date(1998, 4, 2)
    )
    inquiry = walk(
        make_inquiry(), navigator, pipeline.PRE_SCREEN, pipeline.BENEFITS_CHECK, pipeline.ASSESSMENT_SCHEDULED
    )
    admitted = services.inquiry_move(
        actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED, existing_patient=existing
    )
    assert admitted.patient == existing
    assert Patient.objects.count() == 1


def test_duplicates_find_open_inquiries_by_phone_however_it_was_typed(make_inquiry: MakeInquiry) -> None:
    first = make_inquiry(phone="617-555-0142")
    found = services.possible_duplicates(phone="+1 (617) 555 0142", first_name="Someone", last_name="Else")
    assert [(match.record, match.fields) for match in found.inquiries] == [(first, ["phone"])]
    assert found


def test_duplicates_find_open_inquiries_by_name_and_birth_date(make_inquiry: MakeInquiry) -> None:
    first = make_inquiry(phone="", preferred_contact="email", email="tom@example.invalid")
    found = services.possible_duplicates(first_name="tom", last_name="DIAZ", birth_date=dt.date(1998, 4, 2))
    assert [(match.record, match.fields) for match in found.inquiries] == [(first, ["name", "birth_date"])]
    assert not services.possible_duplicates(first_name="tom", last_name="DIAZ", birth_date=dt.date(1998, 4, 3))


def test_duplicates_ignore_closed_inquiries(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry()
    services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.CLOSED, reason="duplicate")
    assert services.possible_duplicates(phone="617 555 0142").inquiries == []


def test_duplicates_include_registered_patients_at_any_site(south: Site) -> None:
    patient = patient_register(
        site=south,
        legal_first_name="Ana",
        legal_last_name="Lopez",
        birth_date=dt.date(1980, 1, 1),
        phone="312-555-0199",
    )
    assert [match.record for match in services.possible_duplicates(phone="(312) 555-0199").patients] == [patient]
    found = services.possible_duplicates(first_name="Ana", last_name="Lopez", birth_date=dt.date(1980, 1, 1))
    assert [match.record for match in found.patients] == [patient]


def test_short_numbers_match_nothing(make_inquiry: MakeInquiry) -> None:
    make_inquiry(phone="555-01")
    assert not services.possible_duplicates(phone="555-01")
