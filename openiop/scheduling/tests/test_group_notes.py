# SPDX-License-Identifier: AGPL-3.0-or-later
"""Attendance feeds the group note: exactly who attended, with their minutes;
one note per session; corrections follow into unsigned sections only."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.scheduling import group_notes, services
from openiop.scheduling.models import Enrolment, Session
from openiop.scheduling.tests.pages import admitted, group, open_all_week, staff
from openiop.sites.models import Site
from openiop.treatment.models import GroupSession, Note, NoteStatus
from openiop.treatment.services import groups as group_services

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)  # Thursday 10:00 in New York
MON = dt.date(2026, 3, 2)
PEOPLE = [("Ann", "Able"), ("Ben", "Baker"), ("Cal", "Cole"), ("Dee", "Dunn"), ("Eve", "Ekko")]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def facilitator(north: Site) -> User:
    return staff(north)


@pytest.fixture
def setting(north: Site, facilitator: User) -> tuple[Session, dict[str, Episode]]:
    open_all_week(north, dt.time(8), dt.time(21))
    session = group(north, MON, (9, 0), (10, 30), facilitator=facilitator)
    people = {first: admitted(north, first, last) for first, last in PEOPLE}
    for episode in people.values():
        services.enrol(actor=None, session=session, episode=episode)
    return session, people


def mark(actor: User, session: Session, people: dict[str, Episode], marks: dict[str, tuple[str, int | None]]) -> None:
    enrolments = {e.episode_id: e.pk for e in Enrolment.objects.filter(session=session)}
    services.attendance_record(
        actor=actor,
        session=session,
        marks=[
            services.AttendanceMark(enrolments[people[first].pk], status, minutes)
            for first, (status, minutes) in marks.items()
        ],
    )


FIRST_MARKS: dict[str, tuple[str, int | None]] = {
    "Ann": ("present", None),
    "Ben": ("late", 65),
    "Cal": ("left_early", 40),
    "Dee": ("no_show", None),
    "Eve": ("absent", None),
}


def sections(note: GroupSession) -> dict[str, tuple[int | None, str]]:
    return {
        s.patient.legal_first_name: (s.minutes_attended, s.participation)
        for s in note.sections.select_related("patient")
    }


def test_the_note_has_exactly_those_who_attended_with_their_minutes(
    bob: User, facilitator: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)

    note, created = group_notes.group_note_open(actor=bob, session=session)

    assert created
    assert sections(note) == {
        "Ann": (90, Note.Participation.PARTICIPATED),
        "Ben": (65, Note.Participation.PARTICIPATED),
        "Cal": (40, Note.Participation.LEFT_EARLY),
    }
    assert (note.session_date, note.start_time, note.end_time) == (MON, dt.time(9), dt.time(10, 30))
    assert note.topic == session.title
    assert note.curriculum == "relapse_prevention"  # from the session's service
    assert note.facilitator == facilitator
    assert note.created_by == bob
    assert note.scheduled_session_id == session.pk
    # Each section sits on the episode the participant was enrolled with.
    assert {s.episode_id for s in note.sections.all()} == {people[n].pk for n in ("Ann", "Ben", "Cal")}


def test_opening_again_returns_the_same_note_and_never_a_second(
    bob: User, persona: Callable[..., User], setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    first, created = group_notes.group_note_open(actor=bob, session=session)

    again, created_again = group_notes.group_note_open(actor=bob, session=session)
    other, _ = group_notes.group_note_open(actor=persona(RoleCode.CLINICIAN), session=session)

    assert created and not created_again
    assert first.pk == again.pk == other.pk
    assert GroupSession.objects.filter(scheduled_session_id=session.pk).count() == 1


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ({"Ann": ("present", None)}, "Save attendance for everyone first (4 not recorded yet)."),
        (
            {first: ("no_show", None) for first, _ in PEOPLE},
            "Nobody attended this session, so there is no group note to write.",
        ),
    ],
)
def test_it_refuses_until_attendance_is_saved_and_someone_attended(
    bob: User, setting: tuple[Session, dict[str, Episode]], marks: dict[str, tuple[str, int | None]], message: str
) -> None:
    session, people = setting
    mark(bob, session, people, marks)

    with pytest.raises(ValidationError) as refused:
        group_notes.group_note_open(actor=bob, session=session)

    assert refused.value.messages == [message]
    assert not GroupSession.objects.exists()


def test_staff_who_do_not_write_group_notes_cannot_open_one(
    persona: Callable[..., User], bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    front_desk = persona(RoleCode.FRONT_DESK)  # records attendance, writes no clinical notes

    with pytest.raises(PermissionDenied):
        group_notes.group_note_open(actor=front_desk, session=session)

    assert not GroupSession.objects.exists()


def test_corrected_attendance_flows_into_the_unsigned_sections(
    bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    note, _ = group_notes.group_note_open(actor=bob, session=session)
    version = note.lock_version

    # Ann came late after all, Dee did come, Cal never came.
    mark(bob, session, people, {"Ann": ("late", 70), "Dee": ("present", None), "Cal": ("no_show", None)})

    note.refresh_from_db()
    assert sections(note) == {
        "Ann": (70, Note.Participation.PARTICIPATED),
        "Ben": (65, Note.Participation.PARTICIPATED),
        "Dee": (90, Note.Participation.PARTICIPATED),
    }
    assert note.lock_version > version  # an editor open on the old figures must reload
    assert note.sections.get(patient=people["Dee"].patient).author == bob


def test_the_clinicians_own_participation_rating_survives_a_minutes_correction(
    bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    note, _ = group_notes.group_note_open(actor=bob, session=session)
    ann = note.sections.get(patient=people["Ann"].patient)
    Note.objects.filter(pk=ann.pk).update(participation=Note.Participation.ACTIVE)

    mark(bob, session, people, {"Ann": ("late", 80), "Cal": ("present", None)})

    assert sections(note)["Ann"] == (80, Note.Participation.ACTIVE)
    assert sections(note)["Cal"] == (90, Note.Participation.PARTICIPATED)  # no longer left early


def sign(note: GroupSession, actor: User) -> GroupSession:
    inputs = {
        s.pk: group_services.SectionInput(
            participation=s.participation, minutes_attended=s.minutes_attended, objective_id=None,
            response=f"Practised a refusal skill ({s.pk}).",
        )
        for s in note.sections.all()
    }  # fmt: skip
    group_services.group_save(
        actor=actor, group=note, expected_lock_version=None, header={"narrative": "Refusal skills."}, sections=inputs
    )
    return group_services.group_sign_all(actor=actor, group=note)


def test_signed_sections_never_change_and_the_note_says_attendance_changed(
    client: Client, bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    note, _ = group_notes.group_note_open(actor=bob, session=session)
    sign(note, bob)
    before = sections(note)

    mark(bob, session, people, {"Ben": ("late", 50), "Cal": ("no_show", None), "Dee": ("present", None)})

    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED
    assert sections(note) == before
    notices = group_notes.attendance_notices(note)
    assert notices[0].startswith("Attendance was changed after this note was signed.")
    assert any("Ben Baker: attendance now says 50 minutes; the signed section says 65" in n for n in notices)
    assert any("Cal Cole is no longer recorded as attending" in n for n in notices)
    assert any("Dee Dunn is now recorded as attending but has no section" in n for n in notices)
    assert not any("Eve" in n for n in notices)  # absent, never in the note

    client.force_login(bob)
    page = client.get(reverse("treatment:group_edit", args=[note.pk])).content.decode()
    assert "Attendance was changed after this note was signed." in page
    assert "Ben Baker: attendance now says 50 minutes" in page


def test_an_unchanged_signed_note_shows_no_notice(bob: User, setting: tuple[Session, dict[str, Episode]]) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    note, _ = group_notes.group_note_open(actor=bob, session=session)
    sign(note, bob)

    mark(bob, session, people, FIRST_MARKS)  # saved again, same figures

    assert group_notes.attendance_notices(note) == []


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_the_session_page_offers_the_note_once_attendance_is_saved_and_opens_it_after(
    client: Client, bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    client.force_login(bob)
    detail = reverse("scheduling:session", args=[session.pk])
    assert "Write the group note" not in client.get(detail).content.decode()

    mark(bob, session, people, FIRST_MARKS)
    assert "Write the group note" in client.get(detail).content.decode()
    assert "Write the group note" in client.get(reverse("scheduling:attendance", args=[session.pk])).content.decode()

    response = client.post(reverse("scheduling:group_note", args=[session.pk]))
    note = GroupSession.objects.get(scheduled_session_id=session.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:group_edit", args=[note.pk])
    editor = client.get(response["Location"]).content.decode()
    assert "Ann Able" in editor and "Ben Baker" in editor and "Cal Cole" in editor
    assert "Dee Dunn" not in editor and "Eve Ekko" not in editor

    # A second click (or a later visit) opens the same note.
    again = client.post(reverse("scheduling:group_note", args=[session.pk]))
    assert again["Location"] == response["Location"]
    page = client.get(detail).content.decode()
    assert "Open the group note" in page and "Write the group note" not in page
    assert GroupSession.objects.count() == 1


def test_the_confirmation_page_lists_only_those_who_attended(
    client: Client, bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    client.force_login(bob)

    page = client.get(reverse("scheduling:group_note", args=[session.pk])).content.decode()

    assert "Ann Able" in page and "Cal Cole" in page
    assert "Dee Dunn" not in page and "Eve Ekko" not in page


def test_front_desk_sees_no_group_note_button_and_is_refused_the_page(
    client: Client, persona: Callable[..., User], bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    client.force_login(persona(RoleCode.FRONT_DESK))

    assert "group note" not in client.get(reverse("scheduling:session", args=[session.pk])).content.decode()
    assert client.post(reverse("scheduling:group_note", args=[session.pk])).status_code == 403
    assert not GroupSession.objects.exists()


def test_a_refusal_is_shown_and_nothing_is_created(
    client: Client, bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, _people = setting
    client.force_login(bob)

    response = client.post(reverse("scheduling:group_note", args=[session.pk]))

    assert response.status_code == 400
    assert "Save attendance for everyone first (5 not recorded yet)." in response.content.decode()
    assert not GroupSession.objects.exists()


# --- Two clicks at once (row locks: PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
def test_two_clicks_at_once_open_one_note(bob: User, setting: tuple[Session, dict[str, Episode]]) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def click() -> None:
        try:
            barrier.wait()
            results.append(group_notes.group_note_open(actor=bob, session=session)[0].pk)
        except BaseException as error:  # checked below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert GroupSession.objects.filter(scheduled_session_id=session.pk).count() == 1
    assert len(set(results)) == 1 and isinstance(results[0], int)


def test_a_section_someone_wrote_in_is_kept_as_absent_when_attendance_is_corrected(
    bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    note, _ = group_notes.group_note_open(actor=bob, session=session)
    cal = note.sections.get(patient=people["Cal"].patient)
    Note.objects.filter(pk=cal.pk).update(sections={"response": "Named two triggers at work.", "plan": ""})

    # Front desk slips: Cal marked a no-show; then it is put right.
    mark(bob, session, people, {"Cal": ("no_show", None)})

    cal.refresh_from_db()
    assert (cal.minutes_attended, cal.participation) == (0, Note.Participation.ABSENT)
    assert cal.sections["response"] == "Named two triggers at work."
    kept = AuditEvent.objects.get(action="group.section_absent")
    assert kept.patient_id == str(people["Cal"].patient_id)

    mark(bob, session, people, {"Cal": ("left_early", 45)})

    cal.refresh_from_db()
    assert (cal.minutes_attended, cal.participation) == (45, Note.Participation.LEFT_EARLY)
    assert cal.sections["response"] == "Named two triggers at work."


def test_an_untouched_section_goes_and_the_removal_is_in_that_patients_audit_trail(
    bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    note, _ = group_notes.group_note_open(actor=bob, session=session)

    mark(bob, session, people, {"Ben": ("absent", None)})

    assert "Ben" not in sections(note)
    removed = AuditEvent.objects.get(action="group.section_remove")
    assert removed.patient_id == str(people["Ben"].patient_id)


def test_the_narrative_may_not_name_someone_enrolled_who_did_not_come(
    bob: User, setting: tuple[Session, dict[str, Episode]]
) -> None:
    session, people = setting
    mark(bob, session, people, FIRST_MARKS)
    note, _ = group_notes.group_note_open(actor=bob, session=session)
    assert "Dee" not in sections(note)  # a no-show: no section of her own
    inputs = {
        s.pk: group_services.SectionInput(
            participation=s.participation, minutes_attended=s.minutes_attended, objective_id=None,
            response="Practised a refusal skill.",
        )
        for s in note.sections.all()
    }  # fmt: skip
    group_services.group_save(
        actor=bob, group=note, expected_lock_version=None,
        header={"narrative": "Dee missed again, so we started late."}, sections=inputs,
    )  # fmt: skip

    problems = group_services.sign_problems_for_group(GroupSession.objects.get(pk=note.pk))

    assert any("names a participant (Dee)" in problem for problem in problems)
    with pytest.raises(ValidationError):
        group_services.group_sign_all(actor=bob, group=note)
    assert GroupSession.objects.get(pk=note.pk).status == NoteStatus.DRAFT
