# SPDX-License-Identifier: AGPL-3.0-or-later
"""Emergency access ("break the glass") and restriction requests (42 CFR 2.26)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import EmergencyContact, Patient
from openiop.patients.permissions import PATIENT_VIEW
from openiop.patients.tests.factories import NOW, TODAY
from openiop.privacy import services
from openiop.privacy.gate import Recipient
from openiop.privacy.information import RecipientKind
from openiop.privacy.models import EmergencyAccess, RestrictionRequest
from openiop.privacy.tests.conftest import CLINIC, PLAN
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

REASON = "Patient arrived at South in withdrawal; need the medication list now."


@pytest.fixture
def visiting_nurse(persona: Callable[..., User], south: Site) -> User:
    return persona(RoleCode.NURSE, site=south, username="vera")


def break_glass(client: Client, patient: Patient, **overrides: str) -> Any:
    data = {"mrn": patient.mrn, "birth_date": patient.birth_date.isoformat(), "reason": REASON}
    data.update(overrides)
    return client.post(reverse("privacy:break_glass"), data)


def test_a_nurse_at_another_site_breaks_the_glass_for_four_hours(
    client: Client,
    visiting_nurse: User,
    patient: Patient,
    officer: User,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    client.force_login(visiting_nurse)
    chart = reverse("patients:chart", args=[patient.pk])
    contact = EmergencyContact.objects.create(patient=patient, name="Rosa Diaz", relation="mother", phone="555-0101")
    assert client.get(chart).status_code == 404
    assert not EmergencyContact.objects.restrict(visiting_nurse, PATIENT_VIEW).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = break_glass(client, patient)

    assert response.status_code == 302 and response["Location"] == chart
    assert client.get(chart).status_code == 200
    # Records scoped through the patient follow: the contacts, for one.
    assert EmergencyContact.objects.restrict(visiting_nurse, PATIENT_VIEW).get() == contact
    access = EmergencyAccess.objects.get()
    assert (access.user, access.patient, access.expires_at - access.started_at) == (
        visiting_nurse,
        patient,
        dt.timedelta(hours=4),
    )
    event = AuditEvent.objects.get(action="privacy.break_glass")
    assert (event.actor_id, event.patient_id, event.data["reason"]) == (visiting_nurse.pk, str(patient.pk), REASON)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    assert f"/privacy/emergency-access/{access.pk}/review/" in mail.outbox[0].body
    assert patient.legal_last_name not in mail.outbox[0].body + mail.outbox[0].subject

    # Four hours later the access has ended by itself (the page would also
    # have logged an idle user out, so ask the access path directly).
    with time_machine.travel(NOW + dt.timedelta(hours=3, minutes=59), tick=False):
        assert Patient.objects.restrict(visiting_nurse, PATIENT_VIEW).filter(pk=patient.pk).exists()
    with time_machine.travel(NOW + dt.timedelta(hours=4), tick=False):
        assert not Patient.objects.restrict(visiting_nurse, PATIENT_VIEW).filter(pk=patient.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_date": "1950-01-01"}, "No patient matches"),
        ({"mrn": "TR-999999"}, "No patient matches"),
        ({"reason": "need it"}, "Say why you need this record"),
    ],
)
def test_a_bad_break_the_glass_request_opens_nothing(
    client: Client, visiting_nurse: User, patient: Patient, overrides: dict[str, str], message: str
) -> None:
    client.force_login(visiting_nurse)

    response = break_glass(client, patient, **overrides)

    assert response.status_code == 200 and message in response.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 404


def test_staff_who_already_reach_the_patient_need_no_emergency_access(bob: User, patient: Patient) -> None:
    with pytest.raises(ValidationError, match="already have access"):
        services.emergency_access_open(actor=bob, patient=patient, reason=REASON)


def test_emergency_access_is_not_opened_twice(visiting_nurse: User, patient: Patient) -> None:
    services.emergency_access_open(actor=visiting_nurse, patient=patient, reason=REASON)
    with pytest.raises(ValidationError, match="already have emergency access"):
        services.emergency_access_open(actor=visiting_nurse, patient=patient, reason=REASON)


def test_the_privacy_officer_sees_and_reviews_it_once(
    client: Client, visiting_nurse: User, patient: Patient, officer: User
) -> None:
    access = services.emergency_access_open(actor=visiting_nurse, patient=patient, reason=REASON)
    client.force_login(officer)

    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("privacy:emergency_review", args=[access.pk]) in dashboard
    url = reverse("privacy:emergency_review", args=[access.pk])
    assert "Write what you found" in client.post(url, {"note": " "}).content.decode()
    assert EmergencyAccess.objects.get().reviewed_at is None
    client.post(url, {"note": "Justified: patient presented at South in withdrawal."})

    access.refresh_from_db()
    assert (access.reviewed_by, access.review_note) == (officer, "Justified: patient presented at South in withdrawal.")
    with pytest.raises(ValidationError, match="already reviewed"):
        services.emergency_access_review(actor=officer, access=access, note="again")
    assert (
        reverse("privacy:emergency_review", args=[access.pk])
        not in client.get(reverse("core:dashboard")).content.decode()
    )


# --- Restrictions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recipient": CLINIC, "paid_out_of_pocket": True}, "paid_out_of_pocket"),
        ({"recipient": Recipient(RecipientKind.HEALTH_PLAN, ""), "paid_out_of_pocket": True}, "recipient_organization"),
        ({"recipient": Recipient("", "Someone")}, "recipient_kind"),
        ({"recipient": PLAN, "requested_on": TODAY + dt.timedelta(days=1)}, "requested_on"),
        ({"recipient": PLAN, "information": ["dreams"]}, "information"),
    ],
)
def test_a_bad_restriction_request_is_refused(
    patient: Patient, navigator: User, fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"requested_on": TODAY} | fields
    with pytest.raises(ValidationError) as excinfo:
        services.restriction_request_record(actor=navigator, patient=patient, **values)
    assert field in excinfo.value.message_dict
    assert not RestrictionRequest.objects.exists()


def test_a_restriction_is_decided_once_with_a_reason(patient: Patient, navigator: User, officer: User) -> None:
    restriction = services.restriction_request_record(
        actor=navigator, patient=patient, requested_on=TODAY, recipient=CLINIC
    )
    with pytest.raises(ValidationError, match="Give the reason"):
        services.restriction_decide(actor=officer, restriction=restriction, granted=False, reason=" ")

    services.restriction_decide(actor=officer, restriction=restriction, granted=False, reason="Needed for care")

    restriction.refresh_from_db()
    assert (restriction.status, restriction.decision_reason) == ("denied", "Needed for care")
    with pytest.raises(ValidationError, match="already denied"):
        services.restriction_decide(actor=officer, restriction=restriction, granted=True, reason="Changed mind")
    assert AuditEvent.objects.filter(action="restriction.decide").count() == 1


def test_an_out_of_pocket_request_is_granted_at_once_and_can_never_be_denied(
    patient: Patient, navigator: User, officer: User
) -> None:
    restriction = services.restriction_request_record(
        actor=navigator, patient=patient, requested_on=TODAY, recipient=PLAN, paid_out_of_pocket=True
    )
    assert (restriction.status, restriction.decided_by) == ("granted", navigator)

    with pytest.raises(ValidationError, match="must be honored"):
        services.restriction_decide(actor=officer, restriction=restriction, granted=False, reason="Plan needs it")
    restriction.refresh_from_db()
    assert restriction.status == "granted"
