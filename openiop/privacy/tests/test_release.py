# SPDX-License-Identifier: AGPL-3.0-or-later
"""Release of information: the request is checked against the consents before
anything is built; the packet carries the labels, the §2.32 notice and the
consent's scope, goes through the gate with its hash, and never includes SUD
counseling notes unless a counseling-notes consent covers the recipient."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY
from openiop.privacy import documents, services, services_release
from openiop.privacy.gate import Recipient
from openiop.privacy.information import ConsentKind, InformationClass, Purpose, RecipientKind
from openiop.privacy.models import Consent, Disclosure, ReleaseRequest
from openiop.privacy.services import DisclosureRefused
from openiop.privacy.tests.conftest import PROBATION

pytestmark = pytest.mark.django_db

NOTE_TEXT = "Talked about the divorce and the relapse dream in detail."
PSYCHIATRY = Recipient(RecipientKind.TREATING_PROVIDER, "Valley Psychiatry", "Dr. Ames")


@pytest.fixture
def counseling_note(patient: Patient, bob: User) -> Any:
    from openiop.treatment.models import CounselingNote, NoteStatus

    return CounselingNote.objects.create(
        patient=patient,
        episode=patient.episodes.get(),
        author=bob,
        session_date=TODAY - dt.timedelta(days=3),
        text=NOTE_TEXT,
        status=NoteStatus.SIGNED,
    )


def request_for(
    patient: Patient, actor: User, recipient: Recipient, information: list[str], purpose: str
) -> ReleaseRequest:
    return services_release.release_request_record(
        actor=actor,
        patient=patient,
        received_on=TODAY,
        due_on=TODAY + dt.timedelta(days=30),
        requester=recipient,
        information=information,
        purpose=purpose,
        channel="fax",
    )


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects as bytes, compressed object streams inflated."""
    inflated = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def packet_html(release: ReleaseRequest, actor: User) -> str:
    decision = services_release.release_check(release)
    return render_to_string(
        services_release.PACKET_TEMPLATE, services_release.packet_context(release, decision, prepared_by=actor)
    )


def test_a_request_without_who_what_or_why_is_refused_field_by_field(patient: Patient, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services_release.release_request_record(
            actor=officer,
            patient=patient,
            received_on=TODAY,
            due_on=TODAY - dt.timedelta(days=1),
            requester=Recipient(""),
            information=[],
            purpose="",
            channel="",
        )
    assert set(refused.value.message_dict) >= {
        "requester_kind",
        "requester_organization",
        "information",
        "purpose",
        "due_on",
    }
    assert not ReleaseRequest.objects.exists()


def test_the_packet_carries_labels_notice_scope_and_goes_through_the_gate_with_its_hash(
    record: Callable[..., Consent], patient: Patient, officer: User
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)
    release = request_for(patient, officer, PROBATION, ["attendance", "drug_tests"], Purpose.CRIMINAL_JUSTICE)

    html = packet_html(release, officer)
    assert "R / 42CFRPart2 / NORDSCLCD" in html
    assert '<meta name="keywords" content="R, 42CFRPart2, NORDSCLCD">' in html
    assert "42 CFR part 2" in html and "Disclosed under the patient&#x27;s written consent" in html

    built = services_release.release_build(actor=officer, release=release)

    disclosure = Disclosure.objects.get()
    pdf = built.packet.read()
    assert pdf.startswith(b"%PDF-")
    assert built.status == "released" and built.disclosure == disclosure and disclosure.consent == consent
    assert documents.sha256_hex(pdf) == built.packet_sha256 == disclosure.document_sha256
    # The security labels are in the PDF's own metadata, not only on the page.
    assert b"/Keywords (R, 42CFRPart2, NORDSCLCD)" in pdf_objects(pdf)
    assert AuditEvent.objects.filter(action="release.build").exists()
    with pytest.raises(ValidationError, match="already answered"):
        services_release.release_build(actor=officer, release=built)
    assert Disclosure.objects.count() == 1


def test_counseling_notes_never_reach_a_packet_without_a_counseling_notes_consent(
    record: Callable[..., Consent], patient: Patient, officer: User, counseling_note: Any
) -> None:
    record(patient, ConsentKind.SPECIFIC)
    record(patient, ConsentKind.TPO)
    everything = sorted(set(InformationClass.values) - {InformationClass.COUNSELING_NOTES})
    probation = request_for(patient, officer, PROBATION, ["attendance", "drug_tests"], Purpose.CRIMINAL_JUSTICE)
    assert NOTE_TEXT not in packet_html(probation, officer)
    provider = request_for(patient, officer, PSYCHIATRY, everything, Purpose.TREATMENT)
    assert services_release.release_check(provider).allowed
    assert NOTE_TEXT not in packet_html(provider, officer)

    asked_for_notes = request_for(patient, officer, PROBATION, ["counseling_notes"], Purpose.CRIMINAL_JUSTICE)
    assert NOTE_TEXT not in packet_html(asked_for_notes, officer)
    with pytest.raises(DisclosureRefused, match="counseling-notes consent"):
        services_release.release_build(actor=officer, release=asked_for_notes)
    asked_for_notes.refresh_from_db()
    assert asked_for_notes.status == "open" and not asked_for_notes.packet

    record(patient, ConsentKind.COUNSELING_NOTES)
    notes_release = request_for(patient, officer, PSYCHIATRY, ["counseling_notes"], Purpose.TREATMENT)
    assert NOTE_TEXT in packet_html(notes_release, officer)
    assert services_release.release_build(actor=officer, release=notes_release).status == "released"


def test_after_a_revocation_the_next_packet_is_refused_and_the_accounting_lists_the_first(
    client: Client, record: Callable[..., Consent], patient: Patient, officer: User
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)
    first = request_for(patient, officer, PROBATION, ["attendance"], Purpose.CRIMINAL_JUSTICE)
    client.force_login(officer)
    page = client.get(reverse("privacy:release", args=[patient.pk, first.pk])).content.decode()
    assert "Allowed." in page
    assert client.post(reverse("privacy:release", args=[patient.pk, first.pk]), {"action": "build"}).status_code == 302
    download = client.get(reverse("privacy:release_packet", args=[patient.pk, first.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert AuditEvent.objects.filter(action="release.download").exists()

    services.consent_revoke(actor=officer, consent=consent, revoked_on=TODAY, received_via="mail")
    second = request_for(patient, officer, PROBATION, ["attendance"], Purpose.CRIMINAL_JUSTICE)
    page = client.get(reverse("privacy:release", args=[patient.pk, second.pk])).content.decode()
    assert "Not allowed:" in page and "revoked" in page
    response = client.post(reverse("privacy:release", args=[patient.pk, second.pk]), {"action": "build"})
    assert "Refused:" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "open" and not second.packet
    assert Disclosure.objects.count() == 1
    assert client.get(reverse("privacy:release_packet", args=[patient.pk, second.pk])).status_code == 404

    made = services.accounting_request_record(actor=officer, patient=patient, requested_on=TODAY)
    accounting = client.get(reverse("privacy:accounting_print", args=[patient.pk, made.pk])).content.decode()
    assert "Pima County Probation" in accounting


def test_a_clinician_at_another_site_cannot_reach_the_request_or_its_packet(
    client: Client,
    record: Callable[..., Consent],
    patient: Patient,
    officer: User,
    persona: Callable[..., User],
    south: Any,
) -> None:
    from openiop.core.roles import RoleCode

    record(patient, ConsentKind.SPECIFIC)
    release = services_release.release_build(
        actor=officer, release=request_for(patient, officer, PROBATION, ["attendance"], Purpose.CRIMINAL_JUSTICE)
    )
    client.force_login(persona(RoleCode.CLINICIAN, site=south))
    assert client.get(reverse("privacy:release", args=[patient.pk, release.pk])).status_code == 404
    assert client.get(reverse("privacy:release_packet", args=[patient.pk, release.pk])).status_code == 404
