# SPDX-License-Identifier: AGPL-3.0-or-later
"""Accounting of disclosures (42 CFR 2.24/2.25) and the access report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Patient
from openiop.patients.tests.factories import NOW, TODAY
from openiop.privacy import selectors, services
from openiop.privacy.gate import Recipient
from openiop.privacy.information import ConsentKind, ExceptionKind, RecipientKind
from openiop.privacy.models import AccountingRequest, Consent, Disclosure
from openiop.privacy.tests.conftest import CLINIC, PROBATION

pytestmark = pytest.mark.django_db


def disclose_on(
    day: dt.datetime, patient: Patient, actor: User, recipient: Recipient, purpose: str, **extra: str
) -> Disclosure:
    with time_machine.travel(day, tick=False):
        return services.disclose(
            patient=patient,
            recipient=recipient,
            purpose=purpose,
            information=["attendance"],
            actor=actor,
            channel="mail",
            **extra,
        )


@pytest.fixture
def history(record: Callable[..., Consent], patient: Patient, bob: User) -> dict[str, Disclosure]:
    """Disclosures over four years: with consent (inside and outside the 3
    years), and one emergency disclosure without consent."""
    four_years_ago = TODAY - dt.timedelta(days=4 * 365)
    record(patient, ConsentKind.TPO, signed_on=four_years_ago, expiry_kind="none")
    record(patient, ConsentKind.SPECIFIC, signed_on=TODAY - dt.timedelta(days=200))
    return {
        "too_old": disclose_on(NOW - dt.timedelta(days=3 * 365 + 10), patient, bob, CLINIC, "treatment"),
        "tpo": disclose_on(NOW - dt.timedelta(days=400), patient, bob, CLINIC, "treatment"),
        "probation": disclose_on(NOW - dt.timedelta(days=20), patient, bob, PROBATION, "criminal_justice"),
        "emergency": disclose_on(
            NOW - dt.timedelta(days=5),
            patient,
            bob,
            Recipient(RecipientKind.TREATING_PROVIDER, "Mercy Hospital ED"),
            "",
            exception=ExceptionKind.MEDICAL_EMERGENCY,
            exception_detail="Seizure in group",
        ),
    }


def test_the_accounting_lists_consented_disclosures_of_the_3_years_before_the_request(
    history: dict[str, Disclosure], patient: Patient
) -> None:
    listed = selectors.accounting_disclosures(patient, TODAY)

    assert listed == [history["tpo"], history["probation"]]
    # Asked 30 days ago: the window reaches 30 days further back, and what
    # came after the request is not in it.
    earlier = selectors.accounting_disclosures(patient, TODAY - dt.timedelta(days=30))
    assert earlier == [history["too_old"], history["tpo"]]


def test_a_request_is_due_in_30_days(patient: Patient, officer: User) -> None:
    request = services.accounting_request_record(
        actor=officer, patient=patient, requested_on=TODAY - dt.timedelta(days=2)
    )

    assert request.due_on == TODAY + dt.timedelta(days=28)
    assert AuditEvent.objects.filter(action="privacy.accounting_request", patient_id=str(patient.pk)).exists()


@pytest.mark.parametrize("offset", [1, -400])
def test_an_implausible_request_date_is_refused(patient: Patient, officer: User, offset: int) -> None:
    with pytest.raises(ValidationError):
        services.accounting_request_record(
            actor=officer, patient=patient, requested_on=TODAY + dt.timedelta(days=offset)
        )
    assert not AccountingRequest.objects.exists()


def test_the_printable_accounting_shows_the_request_and_due_dates(
    client: Client, officer: User, patient: Patient, history: dict[str, Disclosure]
) -> None:
    client.force_login(officer)
    response = client.post(reverse("privacy:accounting", args=[patient.pk]), {"requested_on": TODAY.isoformat()})
    made = AccountingRequest.objects.get()
    assert response["Location"] == reverse("privacy:accounting_print", args=[patient.pk, made.pk])

    page = client.get(response["Location"]).content.decode()

    assert "Accounting of disclosures" in page
    assert "2026-03-05" in page and "2026-04-04" in page
    assert "Pima County Probation" in page and "Valley Family Clinic" in page
    assert "Mercy Hospital" not in page
    assert AuditEvent.objects.filter(action="privacy.accounting_view").exists()


def test_the_accounting_is_in_spanish_for_a_patient_who_prefers_spanish(
    client: Client, officer: User, patient: Patient, history: dict[str, Disclosure]
) -> None:
    Patient.objects.filter(pk=patient.pk).update(language="Spanish")
    made = services.accounting_request_record(actor=officer, patient=patient, requested_on=TODAY)
    client.force_login(officer)

    spanish = client.get(reverse("privacy:accounting_print", args=[patient.pk, made.pk])).content.decode()
    english = client.get(reverse("privacy:accounting_print", args=[patient.pk, made.pk]) + "?lang=en").content.decode()

    assert "Registro de divulgaciones" in spanish and "Fecha límite de respuesta" in spanish
    assert "Asistencia y fechas de servicio" in spanish
    assert 'lang="es"' in spanish
    assert "Accounting of disclosures" in english and "Registro" not in english


def test_marking_the_accounting_provided(client: Client, officer: User, patient: Patient) -> None:
    made = services.accounting_request_record(actor=officer, patient=patient, requested_on=TODAY)
    client.force_login(officer)
    url = reverse("privacy:accounting_print", args=[patient.pk, made.pk])

    too_early = client.post(url, {"provided_on": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert "between the request and today" in too_early.content.decode()
    client.post(url, {"provided_on": TODAY.isoformat()})

    made.refresh_from_db()
    assert made.provided_on == TODAY


def test_the_access_report_shows_who_read_or_changed_the_record(
    client: Client, officer: User, bob: User, patient: Patient, south_patient: Patient
) -> None:
    client.force_login(bob)
    client.get(reverse("patients:chart", args=[patient.pk]))
    client.force_login(officer)

    response = client.get(reverse("privacy:access_report", args=[patient.pk]))

    rows = list(response.context["page"])
    assert response.status_code == 200
    assert any(event.actor_username == "bob" and event.action == "record.read" for event in rows)
    assert all(event.patient_id == str(patient.pk) for event in rows)
    assert "bob" in response.content.decode()


def test_a_clinician_may_not_open_the_access_report(client: Client, bob: User, patient: Patient) -> None:
    client.force_login(bob)
    assert client.get(reverse("privacy:access_report", args=[patient.pk])).status_code == 403
