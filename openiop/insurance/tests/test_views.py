# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.insurance import services
from openiop.insurance.models import Authorization, Coverage, Payer
from openiop.patients.models import Patient
from openiop.sites.models import Site

from .conftest import TODAY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _coverage_post(payer: Payer, **fields: Any) -> dict[str, Any]:
    data = {
        "payer": payer.pk,
        "member_id": "XYZ123",
        "priority": "primary",
        "relation_to_subscriber": "18",
        "effective_date": TODAY.isoformat(),
        "version": "",
    }
    data.update(fields)
    return data


def test_the_chart_tab_shows_coverage_checks_and_authorizations_with_units_left(
    coverage: Coverage, biller: User
) -> None:
    services.authorization_create(
        actor=biller,
        patient=coverage.patient,
        coverage=coverage,
        number="A-77",
        service_code="H0015",
        units_authorized=12,
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=14),
    )
    Authorization.objects.update(units_used=3)
    response = signed_in(biller).get(reverse("patients:chart", args=[coverage.patient_id]) + "?tab=insurance")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Blue Shield" in page and "XYZ123456" in page and "A-77" in page
    assert "3 / 9" in page
    assert "Self-pay" not in page
    overview = signed_in(biller).get(reverse("patients:chart", args=[coverage.patient_id])).content.decode()
    assert "Blue Shield" in overview and "A-77: 9 of 12 per-diem days left" in overview
    assert Authorization.objects.get().episode is None  # made in the service without one


def test_a_patient_without_coverage_shows_as_self_pay(patient: Patient, bob: User) -> None:
    overview = signed_in(bob).get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert "Self-pay: no coverage in force today." in overview
    page = signed_in(bob).get(reverse("patients:chart", args=[patient.pk]) + "?tab=insurance").content.decode()
    assert "Self-pay" in page
    assert reverse("insurance:coverage_add", args=[patient.pk]) not in page  # clinicians read only


def test_adding_a_coverage_through_the_form(patient: Patient, payer: Payer, biller: User) -> None:
    response = signed_in(biller).post(reverse("insurance:coverage_add", args=[patient.pk]), _coverage_post(payer))
    assert response.status_code == 302
    assert Coverage.objects.get().member_id == "XYZ123"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_date": (TODAY - dt.timedelta(days=1)).isoformat()}, "ends before it starts"),
        ({"member_id": "XYZ 12/3"}, "letters, digits or hyphens"),
    ],
)
def test_bad_coverage_input_shows_the_message_and_saves_nothing(
    patient: Patient, payer: Payer, biller: User, fields: dict[str, str], message: str
) -> None:
    response = signed_in(biller).post(
        reverse("insurance:coverage_add", args=[patient.pk]), _coverage_post(payer, **fields)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Coverage.objects.exists()


def test_a_second_primary_over_the_same_days_is_refused_on_the_page(
    coverage: Coverage, medicaid: Payer, biller: User
) -> None:
    response = signed_in(biller).post(
        reverse("insurance:coverage_add", args=[coverage.patient_id]), _coverage_post(medicaid, member_id="M1")
    )
    assert "already the primary coverage" in response.content.decode()
    assert Coverage.objects.count() == 1


def test_a_stale_edit_says_so_and_saves_nothing(coverage: Coverage, payer: Payer, biller: User) -> None:
    url = reverse("insurance:coverage_edit", args=[coverage.patient_id, coverage.pk])
    services.coverage_update(actor=biller, coverage=coverage, expected_version=1, plan_name="Changed meanwhile")
    response = signed_in(biller).post(
        url,
        _coverage_post(payer, member_id="XYZ123456", plan_name="Mine", version="1",
                       effective_date=coverage.effective_date.isoformat()),
    )  # fmt: skip
    assert "Someone else changed this record" in response.content.decode()
    coverage.refresh_from_db()
    assert coverage.plan_name == "Changed meanwhile"


def test_card_images_are_served_only_through_the_checked_audited_view(
    coverage: Coverage, biller: User, persona: Callable[..., User], south: Site
) -> None:
    client = signed_in(biller)
    upload_url = reverse("insurance:card_upload", args=[coverage.patient_id, coverage.pk])
    refused = client.post(
        upload_url, {"side": "front", "version": "1", "image": SimpleUploadedFile("card.gif", b"GIF89a....")}
    )
    assert "JPEG or PNG photo, or a PDF" in refused.content.decode()
    saved = client.post(upload_url, {"side": "front", "version": "1", "image": SimpleUploadedFile("c.png", PNG)})
    assert saved.status_code == 302
    card_url = reverse("insurance:card", args=[coverage.patient_id, coverage.pk, "front"])
    response = client.get(card_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png" and "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="record.read", data__view="insurance.card_front").exists()
    elsewhere = persona(RoleCode.BILLING_SPECIALIST, site=south)
    assert signed_in(elsewhere).get(card_url).status_code == 404
    assert (
        signed_in(biller).get(reverse("insurance:card", args=[coverage.patient_id, coverage.pk, "back"])).status_code
        == 404
    )


def test_recording_a_phone_check_on_the_page(coverage: Coverage, biller: User) -> None:
    response = signed_in(biller).post(
        reverse("insurance:check_add", args=[coverage.patient_id, coverage.pk]),
        {
            "method": "phone",
            "checked_at": "2026-03-05T09:30",
            "active": "yes",
            "service_types": ["AI", "MH"],
            "reference": "CALL-42",
            "representative": "Dana",
            "copay_per_day": "35",
            "authorization_required": "yes",
        },
    )
    assert response.status_code == 302
    check = coverage.eligibility_checks.get()
    assert (check.status, check.reference, check.authorization_required) == ("active", "CALL-42", "yes")
    coverage.refresh_from_db()
    assert coverage.copay_per_day == 35


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"units_authorized": "0"}, "at least one unit"), ({"end_date": "2026-03-01"}, "ends before it starts")],
)
def test_bad_authorization_input_shows_the_message(
    coverage: Coverage, biller: User, fields: dict[str, str], message: str
) -> None:
    data = {
        "coverage": coverage.pk,
        "number": "A-1",
        "level_of_care": "2.1",
        "service_code": "H0015",
        "unit": "days",
        "units_authorized": "12",
        "start_date": "2026-03-05",
        "end_date": "2026-03-20",
        "status": "approved",
    } | fields
    response = signed_in(biller).post(reverse("insurance:authorization_add", args=[coverage.patient_id]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Authorization.objects.exists()


def test_the_dashboards_list_authorizations_running_out(coverage: Coverage, biller: User, bob: User) -> None:
    services.authorization_create(
        actor=biller,
        patient=coverage.patient,
        coverage=coverage,
        number="A-END",
        service_code="H0015",
        units_authorized=12,
        start_date=TODAY - dt.timedelta(days=10),
        end_date=TODAY + dt.timedelta(days=2),
    )
    for user in (biller, bob):
        page = signed_in(user).get(reverse("core:dashboard")).content.decode()
        assert "Authorizations running out" in page and "A-END" in page and "ends in 2 days" in page
    assert "Eligibility checks due" in signed_in(biller).get(reverse("core:dashboard")).content.decode()


def test_an_electronic_check_the_gate_refuses_shows_why_and_sends_nothing(coverage: Coverage, biller: User) -> None:
    organization = coverage.patient.organization
    organization.npi = "1234567893"
    organization.save()
    url = reverse("insurance:check_send", args=[coverage.patient_id, coverage.pk])
    response = signed_in(biller).post(url, {"service_types": ["AI", "MH"]})
    assert response.status_code == 200
    assert "consent" in response.content.decode().lower()
    assert not coverage.eligibility_checks.exists()


def test_an_electronic_check_with_a_tpo_consent_is_sent(
    coverage: Coverage, biller: User, provider: None, tpo_consent: None
) -> None:
    url = reverse("insurance:check_send", args=[coverage.patient_id, coverage.pk])
    assert signed_in(biller).post(url, {"service_types": ["AI"]}).status_code == 302
    assert coverage.eligibility_checks.get().status == "pending"


def test_an_authorization_entered_on_the_page_belongs_to_the_episode_in_treatment(
    coverage: Coverage, biller: User
) -> None:
    data = {
        "coverage": coverage.pk,
        "number": "A-9",
        "level_of_care": "2.1",
        "service_code": "h0015",
        "unit": "days",
        "units_authorized": "18",
        "start_date": "2026-03-05",
        "end_date": "2026-03-24",
        "next_review_date": "2026-03-20",
        "status": "approved",
    }
    response = signed_in(biller).post(reverse("insurance:authorization_add", args=[coverage.patient_id]), data)
    assert response.status_code == 302
    authorization = Authorization.objects.get()
    assert authorization.episode == coverage.patient.episodes.get()
    assert (authorization.service_code, authorization.units_authorized) == ("H0015", 18)
