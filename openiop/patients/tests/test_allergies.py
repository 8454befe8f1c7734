# SPDX-License-Identifier: AGPL-3.0-or-later
"""Allergies on the chart: recorded through audited services, "no known
allergies" stated explicitly, entries entered in error kept, the banner
selector and the overview panel."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients import allergies, selectors, services
from openiop.patients.models import Allergy, Patient
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(north: Site) -> Patient:
    return register(north)


@pytest.fixture
def nurse(persona: Callable[..., User]) -> User:
    return persona(RoleCode.NURSE)


def test_an_allergy_is_recorded_with_its_reaction_and_severity_and_audited(nurse: User, patient: Patient) -> None:
    allergy = services.allergy_record(
        actor=nurse, patient=patient, substance=" Penicillin ", reaction="hives", severity="severe"
    )

    assert (allergy.substance, allergy.reaction, allergy.severity, allergy.noted_by) == (
        "Penicillin",
        "hives",
        "severe",
        nurse,
    )
    event = AuditEvent.objects.get(action="allergy.record")
    assert event.patient_id == str(patient.pk) and event.actor_id == nurse.pk


def test_the_same_substance_twice_is_refused_whatever_its_case(nurse: User, patient: Patient) -> None:
    services.allergy_record(actor=nurse, patient=patient, substance="Penicillin")

    with pytest.raises(ValidationError, match="Penicillin is already on the list"):
        services.allergy_record(actor=nurse, patient=patient, substance="PENICILLIN", severity="mild")
    assert Allergy.objects.count() == 1


def test_a_blank_substance_or_an_unknown_severity_is_refused(nurse: User, patient: Patient) -> None:
    with pytest.raises(ValidationError) as blank:
        services.allergy_record(actor=nurse, patient=patient, substance="  ")
    with pytest.raises(ValidationError) as severity:
        services.allergy_record(actor=nurse, patient=patient, substance="Latex", severity="lethal")

    assert "substance" in blank.value.message_dict and "severity" in severity.value.message_dict
    assert not Allergy.objects.exists()


def test_no_known_allergies_is_recorded_explicitly_and_refused_while_an_allergy_is_listed(
    nurse: User, patient: Patient
) -> None:
    assert selectors.allergies_for_banner(patient, user=nurse).status == allergies.NOT_RECORDED  # type: ignore[union-attr]
    services.allergy_record_none_known(actor=nurse, patient=patient)
    assert selectors.allergies_for_banner(patient, user=nurse).status == allergies.NONE_KNOWN  # type: ignore[union-attr]

    latex = services.allergy_record(actor=nurse, patient=patient, substance="Latex")
    with pytest.raises(ValidationError, match="The list names Latex"):
        services.allergy_record_none_known(actor=nurse, patient=patient)

    banner = selectors.allergies_for_banner(patient, user=nurse)
    assert banner is not None and banner.status == allergies.LISTED and banner.text == "Allergies: Latex (Not known)"
    services.allergy_mark_entered_in_error(actor=nurse, allergy=latex, reason="Wrong patient.")
    assert selectors.allergies_for_banner(patient, user=nurse).status == allergies.NONE_KNOWN  # type: ignore[union-attr]


def test_an_entry_entered_in_error_stays_on_the_record_with_who_and_why(nurse: User, patient: Patient) -> None:
    allergy = services.allergy_record(actor=nurse, patient=patient, substance="Sulfa")

    services.allergy_mark_entered_in_error(actor=nurse, allergy=allergy, reason="Meant sulfites.")

    allergy.refresh_from_db()
    assert allergy.entered_in_error_by == nurse and allergy.entered_in_error_reason == "Meant sulfites."
    assert AuditEvent.objects.filter(action="allergy.entered_in_error", patient_id=str(patient.pk)).exists()
    with pytest.raises(ValidationError, match="already marked"):
        services.allergy_mark_entered_in_error(actor=nurse, allergy=allergy, reason="Again.")
    with pytest.raises(ValidationError):
        services.allergy_mark_entered_in_error(actor=nurse, allergy=Allergy.objects.get(), reason=" ")


def test_the_banner_selector_says_nothing_to_someone_who_may_not_see_allergies(
    nurse: User, patient: Patient, persona: Callable[..., User], south: Site
) -> None:
    services.allergy_record(actor=nurse, patient=patient, substance="Penicillin", severity="severe")

    assert selectors.allergies_for_banner(patient, user=persona(RoleCode.BILLING_SPECIALIST)) is None
    elsewhere = persona(RoleCode.NURSE, site=south)
    banner = selectors.allergies_for_banner(patient, user=elsewhere)
    assert banner is not None and banner.status == allergies.NOT_RECORDED and not banner.allergies


def test_the_banner_selector_takes_one_query(
    nurse: User, patient: Patient, django_assert_num_queries: Callable[..., object]
) -> None:
    for substance in ("Penicillin", "Latex", "Peanuts"):
        services.allergy_record(actor=nurse, patient=patient, substance=substance)
    selectors.allergies_for_banner(patient, user=nurse)  # warms the user's cached actions

    with django_assert_num_queries(1):  # type: ignore[operator]
        banner = selectors.allergies_for_banner(patient, user=nurse)
    assert banner is not None and len(banner.allergies) == 3


# --- Pages ------------------------------------------------------------------------------------------------------------


def test_the_chart_overview_shows_the_allergies_and_logs_the_read(
    client: Client, nurse: User, patient: Patient
) -> None:
    services.allergy_record(actor=nurse, patient=patient, substance="Penicillin", reaction="hives", severity="severe")
    client.force_login(nurse)

    page = client.get(reverse("patients:chart", args=[patient.pk])).content.decode()

    assert 'data-allergies="listed"' in page and "Penicillin" in page and "hives" in page
    # One read event for the page, the allergies included: the chart's.
    (read,) = AuditEvent.objects.filter(action="record.read", patient_id=str(patient.pk))
    assert read.data["view"] == "chart"


def test_the_chart_overview_says_when_allergies_were_never_recorded(
    client: Client, nurse: User, patient: Patient
) -> None:
    client.force_login(nurse)

    page = client.get(reverse("patients:chart", args=[patient.pk])).content.decode()

    assert "Allergies not recorded" in page and reverse("patients:allergy_none_known", args=[patient.pk]) in page


def test_billing_sees_the_chart_without_the_allergy_panel(
    client: Client, nurse: User, patient: Patient, persona: Callable[..., User]
) -> None:
    services.allergy_record(actor=nurse, patient=patient, substance="Penicillin")
    client.force_login(persona(RoleCode.BILLING_SPECIALIST))

    page = client.get(reverse("patients:chart", args=[patient.pk])).content.decode()

    assert "Penicillin" not in page and "data-allergies" not in page


def test_adding_from_the_page_and_a_duplicate_keeps_what_was_typed(
    client: Client, nurse: User, patient: Patient
) -> None:
    client.force_login(nurse)
    url = reverse("patients:allergy_add", args=[patient.pk])

    added = client.post(url, {"substance": "Ibuprofen", "reaction": "wheezing", "severity": "moderate"})
    again = client.post(url, {"substance": "ibuprofen", "reaction": "rash", "severity": "mild"})

    assert added.status_code == 302 and added["Location"] == reverse("patients:allergies", args=[patient.pk])
    assert again.status_code == 200 and "is already on the list" in again.content.decode()
    assert 'value="rash"' in again.content.decode()
    assert Allergy.objects.count() == 1


def test_no_known_allergies_needs_the_confirmation_ticked(client: Client, nurse: User, patient: Patient) -> None:
    client.force_login(nurse)
    url = reverse("patients:allergy_none_known", args=[patient.pk])

    assert client.post(url, {}).status_code == 200
    assert client.post(url, {"confirmed": "on"}).status_code == 302
    assert Allergy.objects.get().no_known_allergies


def test_marking_entered_in_error_from_the_page_strikes_the_entry_through(
    client: Client, nurse: User, patient: Patient
) -> None:
    allergy = services.allergy_record(actor=nurse, patient=patient, substance="Sulfa")
    client.force_login(nurse)

    response = client.post(reverse("patients:allergy_error", args=[allergy.pk]), {"reason": "Meant sulfites."})

    assert response.status_code == 302
    page = client.get(reverse("patients:allergies", args=[patient.pk])).content.decode()
    assert 'class="entered-in-error"' in page and "Meant sulfites." in page
    assert "Allergies not recorded" in page
