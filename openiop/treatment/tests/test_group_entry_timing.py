# SPDX-License-Identifier: AGPL-3.0-or-later
"""A group note signed before its session has ended (site's clock) or past
the late-entry window asks for a reason, as an individual note does, through
the same rule (notes.checked_entry_reason); every section records it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site
from openiop.treatment.models import GroupSession, NoteStatus
from openiop.treatment.services import groups, notes
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

# The clock stands at 10:00 New York time on TODAY (conftest).
EARLY = {"session_date": TODAY, "start_time": dt.time(9), "end_time": dt.time(10, 30)}
LATE = {"session_date": TODAY - dt.timedelta(days=5), "start_time": dt.time(9), "end_time": dt.time(10, 30)}
ON_TIME = {"session_date": TODAY - dt.timedelta(days=1), "start_time": dt.time(9), "end_time": dt.time(10, 30)}


def written_group(site: Site, actor: User, when: dict[str, object]) -> GroupSession:
    """A complete one-participant group note, ready to sign."""
    episode = factories.episode(site, actor, person=factories.patient(site, "Grace", "Okafor"))
    group = groups.group_create(
        actor=actor, site=site, topic="Relapse triggers", facilitator=actor, patients=[episode.patient],
        **when,  # type: ignore[arg-type]
    )  # fmt: skip
    section = group.sections.get()
    answer = groups.SectionInput(
        participation="participated", minutes_attended=90, objective_id=None, response="Named two triggers."
    )
    narrative = {"narrative": "The group mapped high-risk situations."}
    return groups.group_save(
        actor=actor, group=group, expected_lock_version=None, header=narrative, sections={section.pk: answer}
    )


@pytest.mark.parametrize(
    ("when", "asked", "flags"),
    [(EARLY, "10:30 EST", (True, False)), (LATE, "more than 72 hours ago", (False, True))],
    ids=["early", "late"],
)
def test_an_early_or_late_group_signature_needs_a_reason_kept_on_every_section(
    north: Site, bob: User, when: dict[str, object], asked: str, flags: tuple[bool, bool]
) -> None:
    group = written_group(north, bob, when)

    with pytest.raises(notes.EntryReasonNeeded) as refused:
        groups.group_sign_all(actor=bob, group=group, entry_reason="  ")
    assert asked in refused.value.messages[0]
    assert GroupSession.objects.get(pk=group.pk).status == NoteStatus.DRAFT
    assert group.sections.get().status == NoteStatus.DRAFT

    signed = groups.group_sign_all(actor=bob, group=group, entry_reason="Crisis call right after; documenting now.")

    section = signed.sections.get()
    assert (section.early_entry, section.late_entry) == flags
    assert section.entry_reason == "Crisis call right after; documenting now."
    event = AuditEvent.objects.filter(action="group.sign").latest("pk")
    assert event.data["entry_reason"] == section.entry_reason


def test_an_on_time_group_signature_needs_no_reason_and_keeps_none(north: Site, bob: User) -> None:
    signed = groups.group_sign_all(actor=bob, group=written_group(north, bob, ON_TIME), entry_reason="Not needed.")
    section = signed.sections.get()
    assert (section.early_entry, section.late_entry, section.entry_reason) == (False, False, "")


@pytest.mark.parametrize(
    ("when", "question", "button", "shown"),
    [
        (EARLY, "The session has not ended yet.", "Confirm: save and sign all sections before the session ends",
         "Early entry (signed before the session ended at 10:30)."),
        (LATE, "Late entry.", "Confirm: save and sign all sections as a late entry", "Late entry."),
    ],
    ids=["early", "late"],
)  # fmt: skip
def test_the_group_page_asks_then_signs_with_the_reason_and_shows_it(
    north: Site, bob: User, client: Client, when: dict[str, object], question: str, button: str, shown: str
) -> None:
    group = written_group(north, bob, when)
    section = group.sections.get()
    client.force_login(bob)
    url = reverse("treatment:group_edit", args=[group.pk])
    page = client.get(url).content.decode()
    assert question in page and button in page and 'name="entry_reason"' in page

    def post(reason: str) -> None:
        group.refresh_from_db()
        data = {
            "lock_version": group.lock_version, "session_date": group.session_date.isoformat(),
            "start_time": "09:00", "end_time": "10:30", "topic": group.topic, "curriculum": group.curriculum,
            "curriculum_session": "", "narrative": group.narrative, f"p{section.pk}-participation": "participated",
            f"p{section.pk}-minutes": "90", f"p{section.pk}-objective": "",
            f"p{section.pk}-response": "Named two triggers.", f"p{section.pk}-plan": "",
            "entry_reason": reason, "sign": "1",
        }  # fmt: skip
        assert client.post(url, data)["Location"] == url

    post("")
    refused = client.get(url).content.decode()
    assert "Saved, but not signed." in refused and "say why" in refused
    assert GroupSession.objects.get(pk=group.pk).status == NoteStatus.DRAFT

    post("The room was needed for an intake; documented after.")
    signed = client.get(url).content.decode()
    assert GroupSession.objects.get(pk=group.pk).status == NoteStatus.SIGNED
    assert shown in signed and "Reason given: The room was needed for an intake; documented after." in signed
    detail = client.get(reverse("treatment:note_detail", args=[section.pk])).content.decode()
    assert "The room was needed for an intake; documented after." in detail
