# SPDX-License-Identifier: AGPL-3.0-or-later
"""Consents as records: every element of 42 CFR 2.31, revocation and expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Patient
from openiop.patients.services import episode_discharge
from openiop.patients.tests.factories import TODAY
from openiop.privacy import rules, services
from openiop.privacy.gate import Recipient
from openiop.privacy.information import (
    REQUIRED_STATEMENTS,
    STATEMENT_TEXT,
    ConsentKind,
    ExpiryKind,
    InformationClass,
    Purpose,
    RecipientKind,
    RepresentativeRelation,
    RevocationChannel,
    Signer,
    Statement,
)
from openiop.privacy.models import Consent
from openiop.privacy.tests.conftest import PROBATION, consent_fields

pytestmark = pytest.mark.django_db


def refusal(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.mark.parametrize("kind", ConsentKind.values)
def test_a_complete_consent_of_each_kind_is_recorded_with_every_element(
    kind: str, record: Callable[..., Consent], patient: Patient, navigator: User
) -> None:
    consent = record(patient, kind)

    assert consent.kind == kind
    assert consent.discloser == patient.organization and consent.discloser_name == patient.organization.name
    assert consent.information and consent.purposes and consent.signed_on == TODAY - dt.timedelta(days=30)
    assert [s["code"] for s in consent.statements] == sorted(REQUIRED_STATEMENTS[ConsentKind(kind)])
    assert all(s["text"] == STATEMENT_TEXT[s["code"]] for s in consent.statements)
    if kind == ConsentKind.TPO:
        assert consent.recipients == [] and "treating providers" in consent.recipient_class
    else:
        assert consent.recipients and consent.recipient_class == ""
    event = AuditEvent.objects.get(action="consent.record")
    assert (event.actor_id, event.patient_id, event.data["kind"]) == (navigator.pk, str(patient.pk), kind)


def test_the_tpo_consent_keeps_its_required_statements_as_data(
    record: Callable[..., Consent], patient: Patient
) -> None:
    consent = record(patient, ConsentKind.TPO, expiry_kind=ExpiryKind.NONE)

    codes = {s["code"] for s in consent.statements}
    assert codes == {
        Statement.RIGHT_TO_REVOKE,
        Statement.TPO_REDISCLOSURE,
        Statement.NO_PROCEEDINGS,
        Statement.NOT_A_CONDITION,
        Statement.CONSEQUENCES_OF_REFUSING,
    }
    assert consent.expiry_display == "None (single TPO consent only)"


@pytest.mark.parametrize(
    ("kind", "override", "field", "message"),
    [
        (ConsentKind.SPECIFIC, {"purposes": []}, "purposes", "Give at least one purpose"),
        (ConsentKind.SPECIFIC, {"recipients": []}, "recipients", "Name at least one recipient"),
        (
            ConsentKind.SPECIFIC,
            {"expires_on": TODAY - dt.timedelta(days=31)},
            "expires_on",
            "expire before it was signed",
        ),
        (ConsentKind.SPECIFIC, {"expires_on": None}, "expires_on", "Give the date the consent expires"),
        (ConsentKind.SPECIFIC, {"expiry_kind": ExpiryKind.NONE}, "expiry_kind", "Only a single TPO consent"),
        (ConsentKind.SPECIFIC, {"expiry_kind": ExpiryKind.EVENT}, "expiry_event", "Describe the event"),
        (ConsentKind.SPECIFIC, {"information": []}, "information", "Describe the information"),
        (ConsentKind.SPECIFIC, {"signed_on": None}, "signed_on", "Give the date the consent was signed"),
        (ConsentKind.SPECIFIC, {"signed_on": TODAY + dt.timedelta(days=1)}, "signed_on", "in the future"),
        (ConsentKind.SPECIFIC, {"signature_confirmed": False}, "signature_confirmed", "must be signed"),
        (
            ConsentKind.SPECIFIC,
            {"signer": Signer.REPRESENTATIVE},
            "representative_name",
            "Name the legal representative",
        ),
        (
            ConsentKind.SPECIFIC,
            {"recipients": [Recipient(RecipientKind.EMPLOYER, " ", "")]},
            "recipients",
            "needs a name or an organization",
        ),
        (ConsentKind.TPO, {"statements": [Statement.RIGHT_TO_REVOKE]}, "statements", "Redisclosure under HIPAA"),
        (ConsentKind.TPO, {"purposes": [Purpose.EMPLOYMENT]}, "purposes", "treatment, payment and health care"),
        (ConsentKind.TPO, {"recipients": [PROBATION]}, "recipients", "names its recipients as a class"),
        (
            ConsentKind.TPO,
            {"information": [InformationClass.COUNSELING_NOTES, InformationClass.ATTENDANCE]},
            "information",
            "need their own consent",
        ),
        (
            ConsentKind.COUNSELING_NOTES,
            {"information": [InformationClass.COUNSELING_NOTES, InformationClass.DIAGNOSES]},
            "information",
            "covers SUD counseling notes only",
        ),
        (
            ConsentKind.COUNSELING_NOTES,
            {"statements": [Statement.RIGHT_TO_REVOKE, Statement.NOT_A_CONDITION]},
            "statements",
            "Counseling notes need their own consent",
        ),
        ("general", {}, "kind", "Choose the kind of consent"),
    ],
)
def test_a_consent_missing_an_element_is_refused_and_nothing_is_saved(
    record: Callable[..., Consent], patient: Patient, kind: str, override: dict[str, object], field: str, message: str
) -> None:
    fields = consent_fields(kind if kind in ConsentKind.values else ConsentKind.SPECIFIC, **override)
    fields["kind"] = kind
    with pytest.raises(ValidationError) as excinfo:
        services.consent_record(actor=None, patient=patient, **fields)

    assert any(message in text for text in refusal(excinfo)[field]), refusal(excinfo)
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.record").exists()


def test_a_representative_signs_with_their_relation(record: Callable[..., Consent], patient: Patient) -> None:
    consent = record(
        patient,
        ConsentKind.TPO,
        signer=Signer.REPRESENTATIVE,
        representative_name="Rosa Diaz",
        representative_relation=RepresentativeRelation.PARENT,
    )
    assert (consent.representative_name, consent.get_representative_relation_display()) == (
        "Rosa Diaz",
        "Parent of a minor",
    )


def test_all_problems_are_reported_at_once() -> None:
    draft = rules.ConsentDraft(
        kind=ConsentKind.SPECIFIC,
        discloser="",
        information=frozenset(),
        recipients=(),
        purposes=frozenset(),
        expiry_kind="",
        signed_on=None,
        signature_confirmed=False,
        statements=frozenset(),
        today=TODAY,
    )
    assert set(rules.consent_problems(draft)) == {
        "discloser",
        "information",
        "recipients",
        "purposes",
        "expiry_kind",
        "statements",
        "signature_confirmed",
        "signed_on",
    }


# --- Revocation and expiry ---------------------------------------------------


def test_a_revocation_is_recorded_with_its_date_and_how_it_arrived(
    record: Callable[..., Consent], patient: Patient, officer: User
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)

    services.consent_revoke(
        actor=officer, consent=consent, revoked_on=TODAY, received_via=RevocationChannel.MAIL, note="Letter"
    )

    consent.refresh_from_db()
    assert (consent.revoked_on, consent.revocation_received_via, consent.revocation_recorded_by) == (
        TODAY,
        "mail",
        officer,
    )
    assert AuditEvent.objects.filter(action="consent.revoke", object_id=str(consent.pk)).exists()


@pytest.mark.parametrize(
    ("revoked_on", "via", "message"),
    [
        (TODAY - dt.timedelta(days=31), RevocationChannel.MAIL, "before the consent was signed"),
        (TODAY + dt.timedelta(days=1), RevocationChannel.MAIL, "in the future"),
        (TODAY, "", "how the written revocation was received"),
    ],
)
def test_a_bad_revocation_is_refused_and_the_consent_stays_active(
    record: Callable[..., Consent], patient: Patient, officer: User, revoked_on: dt.date, via: str, message: str
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)

    with pytest.raises(ValidationError) as excinfo:
        services.consent_revoke(actor=officer, consent=consent, revoked_on=revoked_on, received_via=via)

    assert message in " ".join(excinfo.value.messages)
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_a_consent_is_revoked_only_once(record: Callable[..., Consent], patient: Patient, officer: User) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)
    services.consent_revoke(actor=officer, consent=consent, revoked_on=TODAY, received_via="in_person")

    with pytest.raises(ValidationError, match="already revoked"):
        services.consent_revoke(actor=officer, consent=consent, revoked_on=TODAY, received_via="mail")


def test_end_of_treatment_expires_at_discharge(record: Callable[..., Consent], patient: Patient, bob: User) -> None:
    consent = record(patient, ConsentKind.TPO)
    assert consent.terms(treatment_ended_on=services.treatment_ended_on(patient)).state(TODAY) == "active"

    episode = patient.episodes.get()
    episode_discharge(
        actor=bob, episode=episode, discharge_date=TODAY - dt.timedelta(days=1), reason="1", next_level_of_care="1"
    )

    terms = consent.terms(treatment_ended_on=services.treatment_ended_on(patient))
    assert terms.state(TODAY) == "expired" and terms.last_valid_day() == TODAY - dt.timedelta(days=1)


def test_an_expiry_event_is_recorded_once_and_ends_the_consent(
    record: Callable[..., Consent], patient: Patient, officer: User
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC, expiry_kind=ExpiryKind.EVENT, expiry_event="End of probation")
    with pytest.raises(ValidationError):
        services.consent_expiry_event(actor=officer, consent=consent, happened_on=TODAY + dt.timedelta(days=1))

    services.consent_expiry_event(actor=officer, consent=consent, happened_on=TODAY - dt.timedelta(days=1))

    consent.refresh_from_db()
    assert consent.terms().state(TODAY) == "expired"
    with pytest.raises(ValidationError, match="already recorded"):
        services.consent_expiry_event(actor=officer, consent=consent, happened_on=TODAY)
