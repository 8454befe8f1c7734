# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Diagnoses chart tab, its pages and the header line, as each role sees them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.diagnoses import services
from openiop.diagnoses.models import Diagnosis, DiagnosisStatus
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY

pytestmark = pytest.mark.django_db


def _chart(client: Client, patient: Patient, tab: str = "diagnoses") -> str:
    response = client.get(reverse("patients:chart", args=[patient.pk]), {"tab": tab})
    assert response.status_code == 200
    return response.content.decode()


def test_a_clinician_adds_a_diagnosis_and_sees_it_on_the_tab_and_in_the_header(
    client: Client, bob: User, patient: Patient
) -> None:
    client.force_login(bob)
    add = reverse("diagnoses:add", args=[patient.pk])
    # No primary yet: the first diagnosis is offered as primary.
    assert re.search(r'<input[^>]*name="is_primary"[^>]*checked', client.get(add).content.decode())

    response = client.post(add, {"code": "f11.20", "onset_date": "2025-11-01", "is_primary": "on"})

    assert response.status_code == 302
    assert response["Location"].endswith("?tab=diagnoses")
    diagnosis = Diagnosis.objects.get(patient=patient)
    assert (diagnosis.code, diagnosis.is_primary, diagnosis.entered_by) == ("F1120", True, bob)
    tab = _chart(client, patient)
    assert "Opioid dependence, uncomplicated" in tab
    assert reverse("diagnoses:edit", args=[diagnosis.pk]) in tab
    banner = _chart(client, patient, "overview").split('class="patient-banner"')[1].split("</section>")[0]
    assert "<strong>F11.20</strong> Opioid dependence, uncomplicated" in banner.split("Primary diagnosis")[1]


def test_a_category_is_refused_on_the_page_with_its_codes_and_nothing_saved(
    client: Client, bob: User, patient: Patient
) -> None:
    client.force_login(bob)

    response = client.post(reverse("diagnoses:add", args=[patient.pk]), {"code": "F11.2", "onset_date": ""})

    assert response.status_code == 200
    assert "F11.2 is a category (Opioid dependence), not a billable code; choose F11.20" in response.content.decode()
    assert not Diagnosis.objects.exists()


def test_a_future_onset_and_a_second_primary_are_refused_on_the_page(
    client: Client, bob: User, patient: Patient
) -> None:
    services.diagnosis_create(actor=bob, patient=patient, code="F10.20", is_primary=True)
    client.force_login(bob)
    add = reverse("diagnoses:add", args=[patient.pk])

    future = client.post(add, {"code": "F32.1", "onset_date": "2099-01-01"})
    second = client.post(add, {"code": "F32.1", "is_primary": "on"})

    assert "The onset date is in the future." in future.content.decode()
    assert "F10.20 is already the primary diagnosis." in second.content.decode()
    assert Diagnosis.objects.count() == 1


def test_the_code_search_works_as_a_plain_get_form_and_picks_a_code(
    client: Client, bob: User, patient: Patient
) -> None:
    client.force_login(bob)
    add = reverse("diagnoses:add", args=[patient.pk])

    found = client.get(add, {"q": "opioid dependence"}).content.decode()
    picked = client.get(add, {"q": "opioid dependence", "code": "F1120"}).content.decode()

    assert "<strong>F11.20</strong></a> Opioid dependence, uncomplicated" in found
    assert 'href="?q=opioid%20dependence&amp;code=F11.20"' in found
    assert 'value="F11.20"' in picked and "Picked: Opioid dependence, uncomplicated" in picked


def test_the_htmx_search_returns_only_the_matches(client: Client, bob: User) -> None:
    client.force_login(bob)

    response = client.get(reverse("diagnoses:search"), {"q": "F11.2"}, HTTP_HX_REQUEST="true")
    nothing = client.get(reverse("diagnoses:search"), {"q": "zzzz qqqq"})

    html = response.content.decode()
    assert html.startswith('<div id="code-matches"') and "<html" not in html
    assert "F11.20" in html and "F11.21" in html
    assert "No billable code matches" in nothing.content.decode()


def test_edit_resolve_primary_and_entered_in_error_from_the_pages(client: Client, bob: User, patient: Patient) -> None:
    first = services.diagnosis_create(actor=bob, patient=patient, code="F10.20", is_primary=True)
    second = services.diagnosis_create(actor=bob, patient=patient, code="F32.1")
    client.force_login(bob)

    stale = client.post(reverse("diagnoses:edit", args=[second.pk]), {"code": "F32.2", "version": "0"})
    assert "Someone else changed this diagnosis" in stale.content.decode()
    edited = client.post(reverse("diagnoses:edit", args=[second.pk]), {"code": "F32.2", "version": "1"})
    assert edited.status_code == 302
    assert client.post(reverse("diagnoses:primary", args=[second.pk]), {}).status_code == 302
    resolve = {"outcome": DiagnosisStatus.RESOLVED, "on": TODAY.isoformat(), "version": "2"}
    assert client.post(reverse("diagnoses:resolve", args=[first.pk]), resolve).status_code == 302
    assert client.post(reverse("diagnoses:error", args=[second.pk]), {"reason": "Wrong chart"}).status_code == 302

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.resolved_on) == (DiagnosisStatus.RESOLVED, TODAY)
    assert (second.code, second.status, second.is_primary) == ("F322", DiagnosisStatus.ENTERED_IN_ERROR, False)
    tab = _chart(client, patient)
    assert "resolved " + TODAY.isoformat() in tab and "Wrong chart" in tab
    assert {"diagnosis.update", "diagnosis.mark_primary", "diagnosis.resolve", "diagnosis.entered_in_error"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_the_biller_reads_the_list_without_edit_links_and_the_front_desk_sees_no_diagnosis(
    client: Client, bob: User, patient: Patient, persona: Callable[..., User]
) -> None:
    diagnosis = services.diagnosis_create(actor=bob, patient=patient, code="F10.20", is_primary=True)
    client.force_login(persona(RoleCode.BILLING_SPECIALIST))
    tab = _chart(client, patient)
    assert "Alcohol dependence, uncomplicated" in tab
    assert reverse("diagnoses:edit", args=[diagnosis.pk]) not in tab
    assert client.post(reverse("diagnoses:add", args=[patient.pk]), {"code": "F32.1"}).status_code == 403

    client.force_login(persona(RoleCode.FRONT_DESK))
    overview = _chart(client, patient, "overview")
    assert "Alcohol dependence" not in overview and "?tab=diagnoses" not in overview
    assert Diagnosis.objects.count() == 1


def test_another_sites_staff_cannot_reach_the_pages(
    client: Client, bob: User, patient: Patient, persona: Callable[..., User], south: object
) -> None:
    diagnosis = services.diagnosis_create(actor=bob, patient=patient, code="F10.20")
    client.force_login(persona(RoleCode.CLINICIAN, site=south))

    assert client.get(reverse("diagnoses:add", args=[patient.pk])).status_code == 404
    assert client.post(reverse("diagnoses:error", args=[diagnosis.pk]), {"reason": "x"}).status_code == 404
    diagnosis.refresh_from_db()
    assert diagnosis.status == DiagnosisStatus.ACTIVE
