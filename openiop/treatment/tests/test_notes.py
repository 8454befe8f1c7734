# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, SupportPerson
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site
from openiop.treatment import selectors
from openiop.treatment.models import Addendum, Homework, LockedRecordError, Note, NoteObjective
from openiop.treatment.services import notes
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

DAP = {"data": "Reported 5 days abstinent.", "assessment": "Engaged, ambivalent.", "plan": "Meet weekly."}


def write(actor: User, episode: Episode, **overrides: object) -> Note:
    values: dict[str, object] = {
        "kind": Note.Kind.INDIVIDUAL,
        "note_format": "DAP",
        "session_date": TODAY - dt.timedelta(days=1),  # ended: signing it now is neither early nor late
        "start_time": dt.time(9, 0),
        "end_time": dt.time(9, 50),
        "sections": DAP,
    }
    values.update(overrides)
    return notes.note_create(actor=actor, episode=episode, **values)  # type: ignore[arg-type]


def test_a_note_links_to_the_plan_objectives_it_addressed_visible_from_both_sides(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    version = factories.signed_plan(bob, episode)
    objective = version.objectives.first()
    assert objective is not None

    note = write(bob, episode, objectives=[objective])

    assert list(note.objectives.all()) == [objective]
    assert selectors.notes_for_lineage(objective, bob) == [note]
    assert selectors.objective_note_map(version, bob) == {objective.lineage: [note]}


def test_objectives_from_another_patients_plan_are_refused(north: Site, bob: User) -> None:
    other = factories.signed_plan(bob, factories.episode(north, bob))
    with pytest.raises(ValidationError):
        write(bob, factories.episode(north, bob), objectives=[other.objectives.first()])


def test_signing_an_incomplete_note_is_refused_with_what_is_missing(north: Site, bob: User) -> None:
    note = write(bob, factories.episode(north, bob), sections={"data": "Something", "assessment": "", "plan": " "})

    with pytest.raises(ValidationError) as error:
        notes.note_sign(actor=bob, note=note)

    assert error.value.messages == ["The note cannot be signed yet:", "Assessment is empty.", "Plan is empty."]
    note.refresh_from_db()
    assert not note.is_signed


def test_a_signed_note_is_locked_and_changes_only_by_addenda(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    factories.signed_plan(bob, episode)
    note = notes.note_sign(
        actor=bob, note=write(bob, episode, objectives=[episode.treatment_plan.versions.get().objectives.first()])
    )

    with pytest.raises(LockedRecordError) as error:
        notes.note_update(actor=bob, note=note, expected_lock_version=None, sections={"data": "rewritten"})
    assert "add a dated addendum" in str(error.value).lower()
    note.sections = {"data": "rewritten"}
    with pytest.raises(LockedRecordError):
        note.save()
    with pytest.raises(LockedRecordError):
        Note.objects.get(pk=note.pk).delete()
    with pytest.raises(LockedRecordError):
        Note.objects.filter(pk=note.pk).delete()
    with pytest.raises(LockedRecordError):
        NoteObjective.objects.filter(note=note).delete()

    addendum = notes.addendum_add(actor=bob, note=note, text="Patient called later: 6 days abstinent.")
    assert (addendum.author, addendum.created_at.date()) == (bob, TODAY)
    with pytest.raises(LockedRecordError):
        addendum.delete()
    addendum.text = "changed"
    with pytest.raises(LockedRecordError):
        addendum.save()
    with pytest.raises(LockedRecordError):
        Addendum.objects.filter(pk=addendum.pk).delete()
    assert Note.objects.get(pk=note.pk).sections == DAP


def test_an_addendum_on_a_draft_is_refused(north: Site, bob: User) -> None:
    with pytest.raises(ValidationError):
        notes.addendum_add(actor=bob, note=write(bob, factories.episode(north, bob)), text="x")


def test_only_the_author_signs_a_draft(north: Site, bob: User, director: User) -> None:
    note = write(bob, factories.episode(north, bob))
    with pytest.raises(ValidationError):
        notes.note_sign(actor=director, note=note)


def test_a_note_signed_more_than_72_hours_after_the_session_is_a_late_entry(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    on_time = notes.note_sign(actor=bob, note=write(bob, episode, session_date=TODAY - dt.timedelta(days=2)))
    late_note = write(bob, episode, session_date=TODAY - dt.timedelta(days=4))
    with pytest.raises(notes.EntryReasonNeeded) as asked:
        notes.note_sign(actor=bob, note=late_note)
    late = notes.note_sign(actor=bob, note=late_note, entry_reason="Out sick.")

    assert "more than 72 hours ago" in asked.value.messages[0]
    assert not on_time.late_entry
    assert late.late_entry


def test_the_late_entry_threshold_is_configurable(north: Site, bob: User, settings: object) -> None:
    settings.OPENIOP_NOTE_LATE_HOURS = 24  # type: ignore[attr-defined]
    note = write(bob, factories.episode(north, bob), session_date=TODAY - dt.timedelta(days=2))
    assert notes.note_sign(actor=bob, note=note, entry_reason="Documented on return from leave.").late_entry


def test_a_supervised_clinicians_note_waits_for_a_cosignature(north: Site, trainee: User, director: User) -> None:
    note = notes.note_sign(actor=trainee, note=write(trainee, factories.episode(north, trainee)))
    assert note.awaiting_cosignature
    assert selectors.cosign_queue(director)[0] == [note]
    assert selectors.cosign_queue(trainee)[0] == []

    cosigned = notes.note_cosign(actor=director, note=note)

    assert cosigned.cosigned_by == director and not cosigned.awaiting_cosignature
    assert selectors.cosign_queue(director)[0] == []


def test_a_nurse_writes_medication_management_notes_but_not_therapy_notes(
    north: Site, bob: User, persona: Callable[..., User]
) -> None:
    nurse = persona(RoleCode.NURSE)
    episode = factories.episode(north, bob)
    note = write(nurse, episode, kind=Note.Kind.MEDICATION_MANAGEMENT, note_format="SOAP",
                 sections={"subjective": "s", "objective": "o", "assessment": "a", "plan": "p"},
                 service_code="H2010")  # fmt: skip
    assert notes.note_sign(actor=nurse, note=note).is_signed
    with pytest.raises(ValidationError):
        write(nurse, episode)
    assert [k for k, _label in notes.kinds_for(nurse)] == [Note.Kind.MEDICATION_MANAGEMENT]


def test_an_end_before_the_start_and_a_future_date_are_refused(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    with pytest.raises(ValidationError) as backwards:
        write(bob, episode, start_time=dt.time(10), end_time=dt.time(9))
    with pytest.raises(ValidationError) as future:
        write(bob, episode, session_date=TODAY + dt.timedelta(days=1))
    assert "end_time" in backwards.value.message_dict
    assert "session_date" in future.value.message_dict


def test_family_attendees_and_homework_appear_on_the_family_note(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    spouse = SupportPerson.objects.create(
        patient=episode.patient, name="Rosa Garcia", relation="spouse", may_join_family_therapy=True
    )
    neighbour = SupportPerson.objects.create(patient=episode.patient, name="Ned", relation="neighbour")
    with pytest.raises(ValidationError) as refused:
        write(bob, episode, kind=Note.Kind.FAMILY, attendees=[neighbour])
    assert "has not agreed to join family therapy" in str(refused.value)

    note = write(bob, episode, kind=Note.Kind.FAMILY, attendees=[spouse])
    homework = notes.homework_assign(
        actor=bob, episode=episode, note=note, assigned_to=Homework.AssignedTo.FAMILY, support_person=spouse,
        description="Read chapter 3 together", due_date=TODAY + dt.timedelta(days=7),
    )  # fmt: skip
    notes.note_sign(actor=bob, note=note)

    loaded = selectors.note_queryset().get(pk=note.pk)
    assert [link.person for link in loaded.attendee_links.all()] == [spouse]
    assert list(loaded.homework.all()) == [homework]
    done = notes.homework_complete(actor=bob, homework=homework, completed_on=TODAY, note="Both read it")
    assert done.completed_on == TODAY
    with pytest.raises(ValidationError):
        notes.homework_complete(actor=bob, homework=done, completed_on=TODAY)
    with pytest.raises(LockedRecordError):
        done.delete()


def test_homework_due_in_the_past_is_refused(north: Site, bob: User) -> None:
    with pytest.raises(ValidationError) as error:
        notes.homework_assign(
            actor=bob, episode=factories.episode(north, bob), description="Journal",
            due_date=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
    assert "due_date" in error.value.message_dict
