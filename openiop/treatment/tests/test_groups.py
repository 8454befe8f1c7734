# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site
from openiop.treatment.models import GroupSession, LockedRecordError, Note, NoteStatus
from openiop.treatment.services import groups
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

PEOPLE = [("Grace", "Okafor"), ("Tom", "Diaz"), ("Wei", "Chen")]


def participants(site: Site, actor: User, *, with_plans: bool = True) -> list[Patient]:
    people = []
    for first, last in PEOPLE:
        episode = factories.episode(site, actor, person=factories.patient(site, first, last))
        if with_plans:
            factories.signed_plan(actor, episode)
        people.append(episode.patient)
    return people


def open_group(site: Site, actor: User, people: list[Patient], **extra: object) -> GroupSession:
    # Yesterday's group: ended, within the late-entry window, so signed on time.
    return groups.group_create(
        actor=actor, site=site, session_date=TODAY - dt.timedelta(days=1), start_time=dt.time(9), end_time=dt.time(12),
        topic="Relapse triggers", curriculum="matrix_relapse_prevention", curriculum_session="RP 7",
        facilitator=actor, patients=people, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def fill(group: GroupSession, actor: User, narrative: str, responses: dict[int, str] | None = None) -> GroupSession:
    sections = {}
    for note in group.sections.all():
        objective = note.objective_links.first()
        sections[note.pk] = groups.SectionInput(
            participation=note.participation, minutes_attended=note.minutes_attended,
            objective_id=objective.objective_id if objective else None,
            response=(responses or {}).get(note.patient_id, f"Named two triggers of their own ({note.pk})."),
        )  # fmt: skip
    return groups.group_save(
        actor=actor, group=group, expected_lock_version=None, header={"narrative": narrative}, sections=sections
    )


def test_sections_are_prefilled_from_each_participants_plan(north: Site, bob: User) -> None:
    people = participants(north, bob)
    group = open_group(north, bob, people, scheduled_session_id=4711)

    sections = list(group.sections.select_related("patient").order_by("patient__legal_last_name"))
    assert [s.patient for s in sections] == sorted(people, key=lambda p: p.legal_last_name)
    for section in sections:
        assert section.participation == Note.Participation.PARTICIPATED
        assert section.minutes_attended == 180
        objective = section.objective_links.get().objective
        assert objective.version.plan.episode.patient == section.patient
        assert objective.description == "Attend mutual-help meetings"
    assert group.scheduled_session_id == 4711


def test_a_participant_without_an_active_episode_at_the_site_is_refused(north: Site, south: Site, bob: User) -> None:
    elsewhere = factories.episode(south, None).patient
    with pytest.raises(ValidationError) as error:
        open_group(north, bob, [elsewhere])
    assert "No active episode at this site" in str(error.value)


def test_signing_all_sections_in_one_action_locks_every_one(north: Site, bob: User) -> None:
    group = fill(open_group(north, bob, participants(north, bob)), bob, "The group mapped high-risk situations.")

    signed = groups.group_sign_all(actor=bob, group=group)

    assert signed.status == NoteStatus.SIGNED
    assert set(signed.sections.values_list("status", flat=True)) == {NoteStatus.SIGNED}
    with pytest.raises(LockedRecordError):
        fill(signed, bob, "rewritten")
    with pytest.raises(LockedRecordError):
        signed.delete()


def test_a_narrative_that_names_a_participant_cannot_be_signed(north: Site, bob: User) -> None:
    group = fill(open_group(north, bob, participants(north, bob)), bob, "Grace led the check-in.")

    assert groups.name_warnings(group) == [
        "The shared narrative names a participant (Grace); it appears in every participant's chart."
    ]
    with pytest.raises(ValidationError) as error:
        groups.group_sign_all(actor=bob, group=group)
    assert any("names a participant" in m for m in error.value.messages)
    assert not Note.objects.filter(status=NoteStatus.SIGNED).exists()


def test_a_section_that_names_another_participant_cannot_be_signed(north: Site, bob: User) -> None:
    people = participants(north, bob)
    group = fill(
        open_group(north, bob, people), bob, "Mapping triggers.",
        {people[1].pk: "Responded well to Grace's story.", people[0].pk: "Grace spoke about her own triggers."},
    )  # fmt: skip

    warnings = groups.name_warnings(group)

    assert warnings == ["Tom Diaz's section names another participant (Grace)."]


def test_an_empty_response_or_too_many_minutes_refuse_the_signature(north: Site, bob: User) -> None:
    people = participants(north, bob)
    group = fill(open_group(north, bob, people), bob, "Mapping triggers.", {people[0].pk: ""})
    section = group.sections.get(patient=people[1])
    groups.group_save(
        actor=bob, group=group, expected_lock_version=None, header={},
        sections={section.pk: groups.SectionInput("participated", 200, None, "ok")},
    )  # fmt: skip

    with pytest.raises(ValidationError) as error:
        groups.group_sign_all(actor=bob, group=group)

    messages = error.value.messages
    assert "Grace Okafor: Individual response is empty." in messages
    assert "Tom Diaz: Minutes attended (200) exceed the session's 180 minutes." in messages
    assert "Tom Diaz: choose the objective addressed." in messages


def test_an_absent_participant_needs_no_response(north: Site, bob: User) -> None:
    people = participants(north, bob)
    group = fill(open_group(north, bob, people), bob, "Mapping triggers.")
    absent = group.sections.get(patient=people[2])
    groups.group_save(
        actor=bob, group=group, expected_lock_version=None, header={},
        sections={absent.pk: groups.SectionInput("absent", 180, None, "")},
    )  # fmt: skip
    groups.group_sign_all(actor=bob, group=group)
    absent.refresh_from_db()
    assert (absent.minutes_attended, absent.is_signed) == (0, True)


def without_tokens(page: str) -> str:
    """The page without its random CSRF tokens, where a name can turn up by chance."""
    return re.sub(r"[A-Za-z0-9]{40,}", "", page)


def test_each_section_lands_in_its_own_chart_and_no_other_name_leaks(north: Site, bob: User, client: Client) -> None:
    people = participants(north, bob)
    group = fill(open_group(north, bob, people), bob, "The group mapped high-risk situations.")
    groups.group_sign_all(actor=bob, group=group)
    client.force_login(bob)

    for patient in people:
        page = without_tokens(client.get(reverse("patients:chart", args=[patient.pk]) + "?tab=notes").content.decode())
        sections = group.sections.all()
        own = sections.get(patient=patient)
        assert own.sections["response"] in page
        assert "The group mapped high-risk situations." in page
        for other in people:
            if other != patient:
                assert other.legal_first_name not in page
                assert other.legal_last_name not in page
                assert sections.get(patient=other).sections["response"] not in page
        detail = without_tokens(client.get(reverse("treatment:note_detail", args=[own.pk])).content.decode())
        assert own.sections["response"] in detail
        for other in people:
            if other != patient:
                assert other.legal_last_name not in detail
