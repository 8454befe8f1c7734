# SPDX-License-Identifier: AGPL-3.0-or-later
"""The staff pages: record a consent, revoke it, the chart tab, restrictions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY
from openiop.privacy.information import REQUIRED_STATEMENTS, ConsentKind
from openiop.privacy.models import Consent, Disclosure, RestrictionRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


def specific_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "discloser": "Test Recovery Services",
        "information": ["attendance", "drug_tests"],
        "recipient_kind": "criminal_justice",
        "recipient_organization": "Pima County Probation",
        "recipient_name": "",
        "purposes": ["criminal_justice"],
        "expiry_kind": "date",
        "expires_on": (TODAY + dt.timedelta(days=90)).isoformat(),
        "statements": list(REQUIRED_STATEMENTS[ConsentKind.SPECIFIC]),
        "signer": "patient",
        "signed_on": TODAY.isoformat(),
        "signature_confirmed": "on",
    }
    data.update(overrides)
    return data


def test_a_navigator_records_a_specific_consent_from_the_typed_form(
    as_user: Callable[[User], Client], navigator: User, patient: Patient
) -> None:
    url = reverse("privacy:consent_add", args=[patient.pk]) + "?kind=specific"
    client = as_user(navigator)
    assert client.get(url).status_code == 200

    response = client.post(url, specific_post())

    consent = Consent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:consent", args=[patient.pk, consent.pk])
    assert consent.recipients == [{"kind": "criminal_justice", "organization": "Pima County Probation", "name": ""}]
    detail = client.get(response["Location"])
    assert "Pima County Probation" in detail.content.decode()
    assert "You may revoke this consent in writing" in detail.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purposes": []}, "Give at least one purpose"),
        ({"recipient_organization": "", "recipient_kind": ""}, "Name at least one recipient"),
        ({"expires_on": (TODAY - dt.timedelta(days=1)).isoformat()}, "expire before it was signed"),
        ({"signed_on": "not a date"}, "Enter a valid date"),
    ],
)
def test_an_incomplete_consent_form_says_what_is_missing_and_saves_nothing(
    as_user: Callable[[User], Client], navigator: User, patient: Patient, overrides: dict[str, object], message: str
) -> None:
    url = reverse("privacy:consent_add", args=[patient.pk]) + "?kind=specific"

    response = as_user(navigator).post(url, specific_post(**overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consent.objects.exists()


def test_without_a_kind_the_form_asks_which_consent(
    as_user: Callable[[User], Client], navigator: User, patient: Patient
) -> None:
    response = as_user(navigator).get(reverse("privacy:consent_add", args=[patient.pk]) + "?kind=bogus")
    assert response.status_code == 200
    assert "Which kind of consent" in response.content.decode()


def test_revoking_from_the_page(
    as_user: Callable[[User], Client], officer: User, patient: Patient, record: Callable[..., Consent]
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)
    url = reverse("privacy:consent_revoke", args=[patient.pk, consent.pk])
    client = as_user(officer)

    early = client.post(url, {"revoked_on": "2025-01-01", "received_via": "mail"})
    assert "before the consent was signed" in early.content.decode()
    response = client.post(url, {"revoked_on": TODAY.isoformat(), "received_via": "mail", "note": "Signed letter"})

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_on == TODAY
    assert "revoked" in client.get(reverse("privacy:patient", args=[patient.pk])).content.decode()


def test_the_chart_tab_lists_consents_and_their_state(
    as_user: Callable[[User], Client], bob: User, patient: Patient, record: Callable[..., Consent], officer: User
) -> None:
    record(patient, ConsentKind.TPO)
    record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=10))

    response = as_user(bob).get(reverse("patients:chart", args=[patient.pk]) + "?tab=privacy")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Single consent for treatment, payment and health care operations" in body
    assert "Pima County Probation" in body and body.count("consent-state-active") == 2
    assert AuditEvent.objects.filter(action="record.read", data__view="chart.privacy").exists()


def test_charlie_at_another_site_cannot_see_the_consents(
    as_user: Callable[[User], Client], persona: Callable[..., User], patient: Patient, south: object
) -> None:
    outsider = persona(RoleCode.PRIVACY_OFFICER, site=south)
    assert as_user(outsider).get(reverse("privacy:patient", args=[patient.pk])).status_code == 404


def test_a_restriction_request_is_recorded_and_decided_with_a_reason(
    as_user: Callable[[User], Client], navigator: User, officer: User, patient: Patient, client: Client
) -> None:
    as_user(navigator).post(
        reverse("privacy:restriction_add", args=[patient.pk]),
        {"requested_on": TODAY.isoformat(), "recipient_kind": "family", "recipient_name": "Rosa Diaz"},
    )
    restriction = RestrictionRequest.objects.get()
    assert restriction.status == "pending"
    url = reverse("privacy:restriction_decide", args=[patient.pk, restriction.pk])
    client = as_user(officer)

    no_reason = client.post(url, {"decision": "grant", "reason": ""})
    assert "Give the reason" in no_reason.content.decode()
    client.post(url, {"decision": "grant", "reason": "Reasonable; family contact stops."})

    restriction.refresh_from_db()
    assert (restriction.status, restriction.decided_by) == ("granted", officer)


def test_an_out_of_pocket_request_is_granted_as_recorded_and_cannot_be_denied(
    as_user: Callable[[User], Client], navigator: User, officer: User, patient: Patient
) -> None:
    as_user(navigator).post(
        reverse("privacy:restriction_add", args=[patient.pk]),
        {
            "requested_on": TODAY.isoformat(),
            "recipient_kind": "health_plan",
            "recipient_organization": "Blue Shield of Arizona",
            "paid_out_of_pocket": "on",
        },
    )
    restriction = RestrictionRequest.objects.get()
    assert restriction.status == "granted"

    response = as_user(officer).post(
        reverse("privacy:restriction_decide", args=[patient.pk, restriction.pk]), {"decision": "deny", "reason": "No"}
    )

    assert "must be honored" in response.content.decode()
    restriction.refresh_from_db()
    assert restriction.status == "granted"


def test_counseling_notes_are_offered_only_on_their_own_consent(
    as_user: Callable[[User], Client], navigator: User, patient: Patient
) -> None:
    client = as_user(navigator)
    url = reverse("privacy:consent_add", args=[patient.pk])

    tpo = client.get(url + "?kind=tpo").content.decode()
    notes = client.get(url + "?kind=counseling_notes").content.decode()

    assert 'value="counseling_notes"' not in tpo and 'value="all_except_counseling_notes"' in tpo
    assert 'value="counseling_notes"' in notes and 'value="attendance"' not in notes


def test_billing_records_a_claim_disclosure_and_gets_the_notice_to_send(
    as_user: Callable[[User], Client], persona: Callable[..., User], patient: Patient, record: Callable[..., Consent]
) -> None:
    record(patient, ConsentKind.TPO)
    client = as_user(persona(RoleCode.BILLING_SPECIALIST))
    url = reverse("privacy:disclosure_add", args=[patient.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "recipient_kind": "health_plan",
            "recipient_organization": "Blue Shield of Arizona",
            "information": ["attendance", "diagnoses"],
            "purpose": "payment",
            "channel": "electronic_exchange",
            "description": "Claim for February",
        },
    )

    disclosure = Disclosure.objects.get()
    assert response["Location"] == reverse("privacy:disclosure", args=[patient.pk, disclosure.pk])
    page = client.get(response["Location"]).content.decode()
    assert "This record which has been disclosed to you is protected by Federal confidentiality rules" in page
    assert "the patient&#x27;s treating providers, health plans" in page


def test_a_disclosure_no_consent_covers_is_refused_on_the_page(
    as_user: Callable[[User], Client], bob: User, patient: Patient, record: Callable[..., Consent]
) -> None:
    record(patient, ConsentKind.SPECIFIC, information=["attendance"])

    response = as_user(bob).post(
        reverse("privacy:disclosure_add", args=[patient.pk]),
        {
            "recipient_kind": "criminal_justice",
            "recipient_organization": "Pima County Probation",
            "information": ["attendance", "drug_tests"],
            "purpose": "criminal_justice",
            "channel": "fax",
        },
    )

    assert response.status_code == 200
    assert "No consent covers drug-test results for Pima County Probation." in response.content.decode()
    assert not Disclosure.objects.exists()


def test_an_emergency_disclosure_is_recorded_from_the_page(
    as_user: Callable[[User], Client], bob: User, patient: Patient
) -> None:
    response = as_user(bob).post(
        reverse("privacy:disclosure_add", args=[patient.pk]),
        {
            "recipient_kind": "provider",
            "recipient_organization": "Mercy Hospital ED",
            "recipient_name": "Dr. Okafor",
            "information": ["medications"],
            "basis": "medical_emergency",
            "exception_detail": "Unresponsive; ED asked for the MOUD dose",
            "channel": "phone",
        },
    )

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert (disclosure.exception, disclosure.consent, disclosure.disclosed_by) == ("medical_emergency", None, bob)
