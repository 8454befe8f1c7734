# SPDX-License-Identifier: AGPL-3.0-or-later
"""SUD counseling notes (42 CFR 2.11): kept apart from the record, invisible
to everyone but their author and the author's clinical supervisor, in every
view, search, export and print; disclosed only under a counseling-notes
consent. The chart says that they exist, without showing them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.chart import BUILT_IN_TABS, CHART_TABS
from openiop.patients.models import Episode
from openiop.patients.services import care_team_add
from openiop.patients.tests.factories import TODAY
from openiop.privacy.gate import Recipient
from openiop.privacy.information import Channel, ConsentKind, Purpose, RecipientKind
from openiop.privacy.services import (
    DisclosureRefused,
    accounting_request_record,
    consent_record,
    disclose,
    emergency_access_open,
)
from openiop.privacy.tests.conftest import consent_fields
from openiop.sites.models import Site
from openiop.treatment import selectors
from openiop.treatment.models import CounselingNote, LockedRecordError
from openiop.treatment.permissions import SUD_NOTES_SUPERVISE, SUD_NOTES_WRITE, TREATMENT_VIEW
from openiop.treatment.services import counseling
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Spoke about the overdose of her brother and the guilt she carries"


@pytest.fixture
def supervisor(persona: Callable[..., User]) -> User:
    return persona(RoleCode.CLINICIAN, username="sue")


@pytest.fixture
def author(bob: User, supervisor: User) -> User:
    bob.clinical_supervisor = supervisor
    bob.save(update_fields=["clinical_supervisor"])
    return bob


@pytest.fixture
def episode(north: Site, author: User) -> Episode:
    return factories.episode(north, author)


@pytest.fixture
def note(author: User, episode: Episode) -> CounselingNote:
    return counseling.counseling_note_create(actor=author, episode=episode, session_date=TODAY, text=SECRET)


@pytest.fixture
def others(persona: Callable[..., User], alice: User, author: User, episode: Episode) -> list[User]:
    """Everyone else at the site, one per role, the clinical ones on the
    patient's care team: they reach the rest of the record, not this note."""
    people = [alice] + [persona(role) for role in RoleCode.values if role != RoleCode.ADMINISTRATOR]
    for person in people:
        if person.role_codes()[0] in {RoleCode.CLINICIAN, RoleCode.NURSE, RoleCode.PRESCRIBER}:
            care_team_add(actor=author, episode=episode, user=person)
    return people


def note_urls(note: CounselingNote) -> list[str]:
    return [
        reverse("treatment:counseling_notes", args=[note.patient_id]),
        reverse("treatment:counseling_notes_supervised", args=[note.patient_id]),
    ]


def chart_urls(episode: Episode) -> list[str]:
    chart = reverse("patients:chart", args=[episode.patient_id])
    return [f"{chart}?tab={key}" for key in (*BUILT_IN_TABS, *(tab.key for tab in CHART_TABS))]


def test_the_author_writes_and_reads_it_and_the_supervisor_reads_it(
    client: Client, author: User, supervisor: User, note: CounselingNote
) -> None:
    own_page, supervised_page = note_urls(note)
    client.force_login(author)
    own = client.get(own_page)
    client.force_login(supervisor)
    supervised = client.get(supervised_page)

    assert SECRET in own.content.decode()
    assert SECRET in supervised.content.decode()
    assert selectors.counseling_notes_summary(note.patient, supervisor).supervised == [note]
    # The supervisor reads it as supervisor, not as its author.
    assert SECRET not in client.get(own_page).content.decode()


def test_it_is_written_from_its_page_signed_and_locked(client: Client, author: User, episode: Episode) -> None:
    client.force_login(author)
    url = reverse("treatment:counseling_notes", args=[episode.patient_id])

    response = client.post(url, {"session_date": TODAY.isoformat(), "text": SECRET})

    note = CounselingNote.objects.get()
    assert response.status_code == 302
    assert note.is_signed and note.text == SECRET and note.author == author
    note.text = "changed"
    with pytest.raises(LockedRecordError):
        note.save()


def test_an_empty_note_is_refused_and_nothing_is_saved(client: Client, author: User, episode: Episode) -> None:
    client.force_login(author)
    url = reverse("treatment:counseling_notes", args=[episode.patient_id])

    response = client.post(url, {"session_date": TODAY.isoformat(), "text": "   "})

    assert response.status_code == 200
    assert not CounselingNote.objects.exists()


def test_everyone_else_finds_its_pages_empty_even_the_care_team_and_the_clinical_director(
    client: Client, others: list[User], note: CounselingNote
) -> None:
    for person in others:
        client.force_login(person)
        for url in note_urls(note):
            response = client.get(url)
            assert response.status_code in {200, 403}, (person.role_codes(), url)
            assert SECRET not in response.content.decode(), (person.role_codes(), url)
        for action in (SUD_NOTES_WRITE, SUD_NOTES_SUPERVISE, TREATMENT_VIEW):
            assert not CounselingNote.objects.restrict(person, action).exists(), (person.role_codes(), action)


def test_the_chart_says_it_exists_without_showing_it_in_any_tab_or_the_notes_list(
    client: Client, others: list[User], note: CounselingNote, episode: Episode
) -> None:
    for person in others:
        client.force_login(person)
        for url in chart_urls(episode):
            response = client.get(url)
            assert response.status_code in {200, 403}  # 403: a role that reads no chart
            assert SECRET not in response.content.decode(), (person.role_codes(), url)
    director = next(person for person in others if person.role_codes() == [RoleCode.CLINICAL_DIRECTOR])
    client.force_login(director)
    tab = client.get(chart_urls(episode)[0].replace("tab=overview", "tab=notes")).content.decode()
    assert "1 SUD counseling note exists (visible to its author and the author's clinical supervisor)" in tab
    assert selectors.chart_notes(episode.patient, director) == []


def test_emergency_access_does_not_open_it(persona: Callable[..., User], south: Site, note: CounselingNote) -> None:
    outsider = persona(RoleCode.CLINICIAN, site=south)
    emergency_access_open(actor=outsider, patient=note.patient, reason="Overdose at the other site, need history.")

    assert not CounselingNote.objects.restrict(outsider, SUD_NOTES_WRITE).exists()
    assert not CounselingNote.objects.restrict(outsider, SUD_NOTES_SUPERVISE).exists()


def test_search_export_and_prints_never_carry_its_text(
    client: Client, alice: User, persona: Callable[..., User], author: User, episode: Episode, note: CounselingNote
) -> None:
    factories.signed_plan(author, episode)
    officer = persona(RoleCode.PRIVACY_OFFICER)
    made = accounting_request_record(actor=officer, patient=note.patient, requested_on=TODAY)
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    patient = note.patient
    version = patient.episodes.get().treatment_plan.versions.get()

    client.force_login(director)
    search = client.get(reverse("patients:list"), {"q": "brother"})
    plan_print = client.get(reverse("treatment:plan_print", args=[version.pk]))
    client.force_login(alice)
    export = b"".join(client.get(reverse("audit:export")).streaming_content).decode()
    client.force_login(officer)
    access_report = client.get(reverse("privacy:access_report", args=[patient.pk]))
    accounting = client.get(reverse("privacy:accounting_print", args=[patient.pk, made.pk]))

    assert list(search.context["page"]) == []  # the note's words find nobody
    assert "counseling_note.sign" in export  # the event is there, the text is not
    for page in (search.content.decode(), plan_print.content.decode(), export, access_report.content.decode(),
                 accounting.content.decode()):  # fmt: skip
        assert "overdose" not in page and "guilt" not in page
    assert not any("overdose" in f"{event.data} {event.object_repr}" for event in AuditEvent.objects.all())


def test_only_a_counseling_notes_consent_covers_its_disclosure(author: User, note: CounselingNote) -> None:
    patient = note.patient
    consent_record(actor=author, patient=patient, **consent_fields(ConsentKind.TPO))
    clinic = Recipient(RecipientKind.TREATING_PROVIDER, "Valley Psychiatry", "Dr. Ames")

    def send() -> object:
        return disclose(
            patient=patient, recipient=clinic, purpose=Purpose.TREATMENT, information=[note.INFORMATION_CLASS],
            actor=author, channel=Channel.SECURE_EMAIL,
        )  # fmt: skip

    with pytest.raises(DisclosureRefused, match="counseling"):
        send()
    consent_record(actor=author, patient=patient, **consent_fields(ConsentKind.COUNSELING_NOTES))
    assert send().consent.kind == ConsentKind.COUNSELING_NOTES  # type: ignore[attr-defined]


def test_a_role_without_the_action_cannot_write_one(persona: Callable[..., User], episode: Episode) -> None:
    with pytest.raises(ValidationError):
        counseling.counseling_note_create(actor=persona(RoleCode.NURSE), episode=episode, session_date=TODAY, text="x")
    assert not CounselingNote.objects.exists()
