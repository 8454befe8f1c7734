# SPDX-License-Identifier: AGPL-3.0-or-later
"""``disclose``: the one gate every outbound path calls, with the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Patient
from openiop.patients.tests.factories import NOW, TODAY
from openiop.privacy import services
from openiop.privacy.gate import Recipient
from openiop.privacy.information import NOTICE_TEXT, ConsentKind, ExceptionKind, RecipientKind
from openiop.privacy.models import Consent, Disclosure, PrivacySettings
from openiop.privacy.services import DisclosureRefused
from openiop.privacy.tests.conftest import CLINIC, PLAN, PROBATION

pytestmark = pytest.mark.django_db

THERAPIST = Recipient(RecipientKind.TREATING_PROVIDER, "Valley Psychiatry", "Dr. Ames")


def send(
    patient: Patient, actor: User | None, recipient: Recipient, purpose: str, *info: str, **extra: str
) -> Disclosure:
    return services.disclose(
        patient=patient, recipient=recipient, purpose=purpose, information=info, actor=actor, channel="fax", **extra
    )


def test_a_disclosure_under_the_tpo_consent_carries_the_notice_and_the_scope(
    record: Callable[..., Consent], patient: Patient, bob: User
) -> None:
    consent = record(patient, ConsentKind.TPO)

    disclosure = send(patient, bob, CLINIC, "treatment", "attendance", "medications", description="February")

    assert disclosure.consent == consent and disclosure.exception == ""
    assert (disclosure.recipient_organization, disclosure.disclosed_by, disclosure.channel) == (
        "Valley Family Clinic",
        bob,
        "fax",
    )
    assert disclosure.information == ["attendance", "medications"]
    assert disclosure.notice_form == "long" and disclosure.notice_text == NOTICE_TEXT["long"]
    assert "treating providers" in disclosure.scope_explanation
    assert "may revoke it in writing" in disclosure.scope_explanation
    event = AuditEvent.objects.get(action="disclosure.make")
    assert (event.object_id, event.patient_id, event.data["consent"]) == (
        str(disclosure.pk),
        str(patient.pk),
        consent.pk,
    )


def test_the_program_chooses_the_short_notice(record: Callable[..., Consent], patient: Patient, bob: User) -> None:
    PrivacySettings.objects.create(organization=patient.organization, notice_form="short")
    record(patient, ConsentKind.TPO)

    disclosure = send(patient, bob, PLAN, "payment", "attendance")

    assert disclosure.notice_text == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


def test_a_disclosure_no_consent_covers_is_refused_with_what_is_missing_and_nothing_recorded(
    record: Callable[..., Consent], patient: Patient, bob: User
) -> None:
    record(patient, ConsentKind.SPECIFIC, information=["attendance"])

    with pytest.raises(DisclosureRefused) as excinfo:
        send(patient, bob, PROBATION, "criminal_justice", "attendance", "drug_tests")

    assert excinfo.value.messages == ["No consent covers drug-test results for Pima County Probation."]
    assert isinstance(excinfo.value, ValidationError)
    assert not Disclosure.objects.exists()
    refused = AuditEvent.objects.get(action="disclosure.refused")
    assert refused.patient_id == str(patient.pk) and "drug-test results" in refused.data["reason"]


def test_after_a_revocation_nothing_more_goes_out_and_earlier_disclosures_stand(
    record: Callable[..., Consent], patient: Patient, bob: User, officer: User
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)
    earlier = send(patient, bob, PROBATION, "criminal_justice", "attendance")

    services.consent_revoke(actor=officer, consent=consent, revoked_on=TODAY, received_via="in_person")

    with pytest.raises(DisclosureRefused, match="was revoked on 2026-03-05"):
        send(patient, bob, PROBATION, "criminal_justice", "attendance")
    assert list(Disclosure.objects.all()) == [earlier]


def test_an_expired_consent_stops_disclosures(record: Callable[..., Consent], patient: Patient, bob: User) -> None:
    record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=2))
    send(patient, bob, PROBATION, "criminal_justice", "attendance")

    with (
        time_machine.travel(NOW + dt.timedelta(days=3), tick=False),
        pytest.raises(DisclosureRefused, match="expired on 2026-03-07"),
    ):
        send(patient, bob, PROBATION, "criminal_justice", "attendance")
    assert Disclosure.objects.count() == 1


def test_counseling_notes_go_only_under_a_counseling_notes_consent_naming_the_recipient(
    record: Callable[..., Consent], patient: Patient, bob: User
) -> None:
    record(patient, ConsentKind.TPO)
    with pytest.raises(DisclosureRefused, match="counseling-notes consent"):
        send(patient, bob, THERAPIST, "treatment", "counseling_notes")

    notes_consent = record(patient, ConsentKind.COUNSELING_NOTES)
    disclosure = send(patient, bob, THERAPIST, "treatment", "counseling_notes")

    assert disclosure.consent == notes_consent
    with pytest.raises(DisclosureRefused, match=r"counseling-notes consent covers Dr\. Baker"):
        send(patient, bob, Recipient("provider", "Valley Psychiatry", "Dr. Baker"), "treatment", "counseling_notes")


def test_a_medical_emergency_is_recorded_as_such_without_consent(patient: Patient, bob: User) -> None:
    disclosure = send(
        patient,
        bob,
        Recipient(RecipientKind.TREATING_PROVIDER, "Mercy Hospital ED", "Dr. Okafor"),
        "",
        "medications",
        exception=ExceptionKind.MEDICAL_EMERGENCY,
        exception_detail="Unresponsive after suspected overdose; ED asked for MOUD dose",
    )

    assert disclosure.consent is None and disclosure.exception == "medical_emergency"
    assert (disclosure.recipient_name, disclosure.disclosed_by, disclosure.disclosed_at) == ("Dr. Okafor", bob, NOW)
    assert "Unresponsive" in disclosure.exception_detail
    assert "Medical emergency (42 CFR 2.51)" in disclosure.scope_explanation
    event = AuditEvent.objects.get(action="disclosure.make")
    assert event.data["exception"] == "medical_emergency"


def test_a_court_order_needs_its_reference(patient: Patient, bob: User) -> None:
    court = Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Superior Court")
    with pytest.raises(DisclosureRefused, match="court order's reference"):
        send(patient, bob, court, "", "attendance", exception=ExceptionKind.COURT_ORDER)

    disclosure = send(
        patient,
        bob,
        court,
        "",
        "attendance",
        exception=ExceptionKind.COURT_ORDER,
        exception_detail="CR2026-0114, 2026-03-01",
    )
    assert disclosure.exception_detail == "CR2026-0114, 2026-03-01"


def test_an_out_of_pocket_restriction_keeps_the_health_plan_out(
    record: Callable[..., Consent], patient: Patient, bob: User, navigator: User
) -> None:
    record(patient, ConsentKind.TPO)
    send(patient, bob, PLAN, "payment", "attendance")
    services.restriction_request_record(
        actor=navigator, patient=patient, requested_on=TODAY, recipient=PLAN, paid_out_of_pocket=True
    )

    with pytest.raises(DisclosureRefused, match="paid for these services in full"):
        send(patient, bob, PLAN, "payment", "attendance")
    assert send(patient, bob, CLINIC, "treatment", "attendance").consent is not None


def test_a_denied_restriction_does_not_block(
    record: Callable[..., Consent], patient: Patient, bob: User, navigator: User, officer: User
) -> None:
    record(patient, ConsentKind.TPO)
    restriction = services.restriction_request_record(
        actor=navigator, patient=patient, requested_on=TODAY, recipient=CLINIC
    )
    assert send(patient, bob, CLINIC, "treatment", "attendance")  # pending: not yet agreed

    services.restriction_decide(actor=officer, restriction=restriction, granted=True, reason="Agreed")
    with pytest.raises(DisclosureRefused, match="the program agreed"):
        send(patient, bob, CLINIC, "treatment", "attendance")


@pytest.mark.parametrize(
    ("recipient", "purpose", "info", "channel", "message"),
    [
        (CLINIC, "treatment", ("attendance",), "pigeon", "Say how the records are sent"),
        (CLINIC, "treatment", (), "fax", "Say which information"),
        (Recipient("provider", "", ""), "treatment", ("attendance",), "fax", "Name the recipient"),
        (CLINIC, "gossip", ("attendance",), "fax", "Say why"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_disclosed(
    record: Callable[..., Consent],
    patient: Patient,
    bob: User,
    recipient: Recipient,
    purpose: str,
    info: tuple[str, ...],
    channel: str,
    message: str,
) -> None:
    record(patient, ConsentKind.TPO)
    with pytest.raises(ValidationError) as excinfo:
        services.disclose(
            patient=patient, recipient=recipient, purpose=purpose, information=info, actor=bob, channel=channel
        )
    assert message in " ".join(excinfo.value.messages)
    assert not Disclosure.objects.exists()
