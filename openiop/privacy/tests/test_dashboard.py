# SPDX-License-Identifier: AGPL-3.0-or-later
"""The privacy officer's dashboard: what waits, what happened this month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import TODAY, register
from openiop.privacy import selectors, services
from openiop.privacy.information import ConsentKind
from openiop.privacy.models import Consent
from openiop.privacy.tests.conftest import CLINIC, PROBATION
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_consents_expiring_in_the_next_14_days_are_listed(
    record: Callable[..., Consent], patient: Patient, officer: User
) -> None:
    soon = record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=14))
    today = record(patient, ConsentKind.SPECIFIC, expires_on=TODAY)
    record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=15))
    revoked = record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=3))
    services.consent_revoke(actor=officer, consent=revoked, revoked_on=TODAY, received_via="mail")
    record(patient, ConsentKind.TPO)  # end of treatment: no date to warn about

    assert selectors.expiring_consents(officer) == [today, soon]


def test_the_officer_dashboard_shows_requests_disclosures_revocations_and_missing_consents(
    client: Client,
    record: Callable[..., Consent],
    patient: Patient,
    officer: User,
    bob: User,
    navigator: User,
    north: Site,
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=5))
    services.disclose(
        patient=patient,
        recipient=PROBATION,
        purpose="criminal_justice",
        information=["attendance"],
        actor=bob,
        channel="fax",
    )
    services.consent_revoke(actor=officer, consent=consent, revoked_on=TODAY, received_via="in_person")
    restriction = services.restriction_request_record(
        actor=navigator, patient=patient, requested_on=TODAY, recipient=CLINIC
    )
    accounting = services.accounting_request_record(
        actor=officer, patient=patient, requested_on=TODAY - dt.timedelta(days=31)
    )
    covered = register(north, legal_first_name="Cora", legal_last_name="Covered")
    episode_admit(actor=bob, patient=covered, site=north, admission_date=TODAY)
    record(covered, ConsentKind.TPO)
    client.force_login(officer)

    response = client.get(reverse("core:dashboard"))

    body = response.content.decode()
    section = next(s for s in response.context["sections"] if s.key == "privacy-officer").context
    assert section["disclosures_this_month"] == 1
    assert section["revocations_this_month"] == [consent]
    assert section["pending_restrictions"] == [restriction]
    assert section["open_accountings"] == [accounting]
    assert section["missing_tpo"] == [patient] and section["missing_tpo_count"] == 1
    assert reverse("privacy:restriction_decide", args=[patient.pk, restriction.pk]) in body
    assert 'class="overdue"' in body  # the accounting was due yesterday


def test_a_clinician_sees_no_privacy_section(client: Client, bob: User) -> None:
    client.force_login(bob)
    response = client.get(reverse("core:dashboard"))
    assert all(section.key != "privacy-officer" for section in response.context["sections"])


def test_the_overview_needs_the_same_queries_for_few_or_many_rows(
    client: Client, record: Callable[..., Consent], officer: User, bob: User, navigator: User, north: Site
) -> None:
    client.force_login(officer)

    def add_patient(number: int) -> None:
        person = register(north, legal_first_name=f"P{number}", legal_last_name="Many")
        episode_admit(actor=bob, patient=person, site=north, admission_date=TODAY)
        record(person, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=3))
        services.restriction_request_record(actor=navigator, patient=person, requested_on=TODAY, recipient=CLINIC)
        services.disclose(
            patient=person,
            recipient=PROBATION,
            purpose="criminal_justice",
            information=["attendance"],
            actor=bob,
            channel="fax",
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("privacy:overview")).status_code == 200
        return len(captured.captured_queries)

    add_patient(0)
    queries()  # the session's first page does its own once-per-session work
    few = queries()
    for number in range(1, 6):
        add_patient(number)
    assert queries() == few


def test_a_quiet_day_shows_no_privacy_block(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.get(reverse("core:dashboard"))
    assert all(section.key != "privacy-officer" for section in response.context["sections"])


def test_the_officer_finds_a_patient_at_their_sites_and_the_lookup_is_audited(
    client: Client, officer: User, patient: Patient, south_patient: Patient
) -> None:
    client.force_login(officer)

    by_name = client.get(reverse("privacy:overview"), {"q": "diaz"})
    by_mrn = client.get(reverse("privacy:overview"), {"q": patient.mrn.lower()})
    elsewhere = client.get(reverse("privacy:overview"), {"q": "Southern"})

    assert by_name.context["found"] == [patient] and by_mrn.context["found"] == [patient]
    assert reverse("privacy:patient", args=[patient.pk]) in by_name.content.decode()
    assert elsewhere.context["found"] == [] and "No patient at your sites matches." in elsewhere.content.decode()
    event = AuditEvent.objects.filter(action="record.read", actor_id=officer.pk, data__search="diaz").get()
    assert event.data["patients"] == [patient.pk]
