# SPDX-License-Identifier: AGPL-3.0-or-later
"""Notes carry a service code, a place of service and a modality; signing
before the session has ended asks for confirmation and a reason, and an
early or late entry keeps the reason given. The clock is the conftest's:
Thursday 2026-03-05 10:00 in New York."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site
from openiop.treatment.models import Note
from openiop.treatment.services import notes
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

DAP = {"data": "Reported 5 days abstinent.", "assessment": "Engaged.", "plan": "Meet weekly."}


def write(actor: User, episode: Episode, **overrides: object) -> Note:
    values: dict[str, object] = {
        "kind": Note.Kind.INDIVIDUAL, "note_format": "DAP", "session_date": TODAY - dt.timedelta(days=1),
        "start_time": dt.time(9), "end_time": dt.time(9, 50), "sections": DAP,
    }  # fmt: skip
    values.update(overrides)
    return notes.note_create(actor=actor, episode=episode, **values)  # type: ignore[arg-type]


@pytest.fixture
def nurse(persona: Callable[..., User]) -> User:
    return persona(RoleCode.NURSE, username="nina")


@pytest.fixture
def signed_in(client: Client, bob: User) -> Client:
    client.force_login(bob)
    return client


def test_a_note_gets_the_usual_code_and_place_and_keeps_a_telehealth_modality(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    in_person = write(bob, episode)
    by_phone = write(bob, episode, end_time=dt.time(10), modality="audio_only")

    assert (in_person.service_code, in_person.modality, in_person.place_of_service) == ("90834", "in_person", "57")
    assert (by_phone.service_code, by_phone.modality, by_phone.place_of_service) == ("90837", "audio_only", "10")


def test_a_telehealth_place_for_an_in_person_session_is_refused_beside_the_field(north: Site, bob: User) -> None:
    with pytest.raises(ValidationError) as refused:
        write(bob, factories.episode(north, bob), modality="in_person", place_of_service="10")
    assert "place_of_service" in refused.value.message_dict
    assert not Note.objects.exists()


def test_a_medication_note_without_a_code_cannot_be_signed_until_one_is_chosen(north: Site, nurse: User) -> None:
    note = write(nurse, factories.episode(north, nurse), kind=Note.Kind.MEDICATION_MANAGEMENT)
    assert note.service_code == ""
    assert "Choose the service code." in notes.sign_problems(note)

    chosen = notes.note_update(actor=nurse, note=note, expected_lock_version=note.lock_version, service_code="99213")
    assert notes.note_sign(actor=nurse, note=chosen).service_code == "99213"


def test_signing_before_the_session_ends_needs_a_reason_and_records_an_early_entry(north: Site, bob: User) -> None:
    note = write(bob, factories.episode(north, bob), session_date=TODAY, start_time=dt.time(9, 30),
                 end_time=dt.time(10, 30))  # fmt: skip

    with pytest.raises(notes.EntryReasonNeeded) as asked:
        notes.note_sign(actor=bob, note=note)
    assert "10:30 EST" in asked.value.messages[0]
    note.refresh_from_db()
    assert not note.is_signed

    signed = notes.note_sign(actor=bob, note=note, entry_reason="Patient left early for a court date.")
    assert (signed.early_entry, signed.late_entry) == (True, False)
    assert signed.entry_reason == "Patient left early for a court date."
    event = AuditEvent.objects.filter(action="note.sign").latest("pk")
    assert event.data["early_entry"] is True and event.data["entry_reason"] == signed.entry_reason


def test_a_late_entry_keeps_its_reason_and_an_on_time_one_keeps_none(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    late = notes.note_sign(
        actor=bob, note=write(bob, episode, session_date=TODAY - dt.timedelta(days=4)), entry_reason="Out sick."
    )
    on_time = notes.note_sign(actor=bob, note=write(bob, episode), entry_reason="Not needed.")

    assert (late.late_entry, late.early_entry, late.entry_reason) == (True, False, "Out sick.")
    assert (on_time.late_entry, on_time.early_entry, on_time.entry_reason) == (False, False, "")


def test_the_page_asks_for_confirmation_before_an_early_signature(north: Site, bob: User, signed_in: Client) -> None:
    episode = factories.episode(north, bob)
    url = reverse("treatment:note_create", args=[episode.patient_id]) + "?kind=individual&format=DAP"
    data = {
        "session_date": TODAY.isoformat(), "start_time": "09:30", "end_time": "10:30", "section_data": "d",
        "section_assessment": "a", "section_plan": "p", "modality": "telehealth_video", "place_of_service": "",
        "service_code": "", "sign": "1",
    }  # fmt: skip

    response = signed_in.post(url, data)

    note = Note.objects.get(episode=episode)
    assert (note.service_code, note.modality, note.place_of_service) == ("90837", "telehealth_video", "10")
    assert not note.is_signed  # asked first, nothing signed
    sign_url = reverse("treatment:note_sign", args=[note.pk])
    assert response["Location"] == sign_url
    page = signed_in.get(sign_url).content.decode()
    assert "The session has not ended yet." in page and "10:30 EST" in page
    assert "Confirm: sign before the session ends" in page

    refused = signed_in.post(sign_url, {"entry_reason": " "}).content.decode()
    assert "say why" in refused
    note.refresh_from_db()
    assert not note.is_signed

    done = signed_in.post(sign_url, {"entry_reason": "Crisis call right after; documenting now."})
    assert done["Location"] == reverse("treatment:note_detail", args=[note.pk])
    note.refresh_from_db()
    assert note.is_signed and note.early_entry
    detail = signed_in.get(done["Location"]).content.decode()
    assert "Early entry (signed before the session ended at 10:30)" in detail
    assert "Crisis call right after; documenting now." in detail
    assert "Telehealth, audio and video" in detail and "90837 Psychotherapy" in detail


def test_a_note_signed_after_its_session_is_signed_at_once(north: Site, bob: User, signed_in: Client) -> None:
    note = write(bob, factories.episode(north, bob))
    response = signed_in.post(reverse("treatment:note_sign", args=[note.pk]), {})
    assert response["Location"] == reverse("treatment:note_detail", args=[note.pk])
    note.refresh_from_db()
    assert note.is_signed and not note.early_entry and note.entry_reason == ""
