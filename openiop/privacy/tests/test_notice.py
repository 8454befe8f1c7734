# SPDX-License-Identifier: AGPL-3.0-or-later
"""The patient notice of 42 CFR 2.22: text as data per organization, given at
admission with the acknowledgement recorded; the chart and the dashboards flag
patients in treatment without it or without an active TPO consent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.access import allowed_actions
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY, register
from openiop.privacy import selectors, services_signing
from openiop.privacy.information import ConsentKind
from openiop.privacy.models import Consent, NoticeAcknowledgement
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_the_notice_is_the_organizations_text_headed_with_the_program_and_kept_as_given(
    client: Client, patient: Patient, navigator: User
) -> None:
    notice = services_signing.notice_for(patient.organization)
    notice.program_name = "Harbor Recovery IOP"
    notice.privacy_officer_name = "Pat Officer"
    notice.privacy_officer_contact = "617-555-0100"
    notice.save()
    client.force_login(navigator)

    page = client.get(reverse("privacy:notice", args=[patient.pk])).content.decode()
    assert "Notice of Privacy Practices of Harbor Recovery IOP" in page
    assert "Pat Officer, 617-555-0100" in page and "right to a paper copy" in page
    spanish = client.get(reverse("privacy:notice", args=[patient.pk]) + "?lang=es").content.decode()
    assert "Aviso de prácticas de privacidad de Harbor Recovery IOP" in spanish

    response = client.post(
        reverse("privacy:notice", args=[patient.pk]), {"given_on": TODAY.isoformat(), "how": "signed", "lang": "es"}
    )
    assert response.status_code == 302
    given = NoticeAcknowledgement.objects.get()
    assert (given.how, given.language, given.recorded_by) == ("signed", "es", navigator)
    assert given.heading == "Aviso de prácticas de privacidad de Harbor Recovery IOP"
    assert AuditEvent.objects.filter(action="privacy.notice_acknowledge").exists()
    # Editing the notice later leaves what the patient was given unchanged.
    notice.text_es = "Otro texto."
    notice.save()
    given.refresh_from_db()
    assert "42 CFR parte 2" in given.text


def test_a_refusal_needs_a_note_and_the_how_is_required(patient: Patient, navigator: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services_signing.notice_acknowledge(actor=navigator, patient=patient, given_on=TODAY, how="refused")
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services_signing.notice_acknowledge(actor=navigator, patient=patient, given_on=TODAY, how="")
    assert not NoticeAcknowledgement.objects.exists()


def test_the_chart_flags_a_patient_without_the_notice_or_a_tpo_consent_until_both_are_there(
    client: Client, patient: Patient, navigator: User, record: Callable[..., Consent]
) -> None:
    client.force_login(navigator)
    chart = client.get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert "The privacy notice (42 CFR 2.22) has not been given." in chart
    assert "No active consent for treatment, payment and health care operations." in chart

    services_signing.notice_acknowledge(actor=navigator, patient=patient, given_on=TODAY, how="verbal")
    record(patient, ConsentKind.TPO)
    chart = client.get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert "has not been given" not in chart and "No active consent for treatment" not in chart


def test_the_clinical_director_and_the_privacy_officer_see_the_patients_missing_paperwork(
    client: Client, patient: Patient, persona: Callable[..., User], officer: User, navigator: User
) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    client.force_login(director)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "Without the privacy notice: 1" in dashboard and patient.display_name in dashboard

    client.force_login(officer)
    overview = client.get(reverse("privacy:overview")).content.decode()
    assert "Patients in treatment not given the privacy notice: 1" in overview
    services_signing.notice_acknowledge(actor=navigator, patient=patient, given_on=TODAY, how="signed")
    assert list(selectors.patients_without_notice(officer)) == []


def test_the_directors_block_counts_both_gaps_in_one_query_beside_its_two_short_lists(
    patient: Patient, persona: Callable[..., User], record: Callable[..., Consent], django_assert_num_queries: Any
) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    request = RequestFactory().get("/")
    request.user = director
    allowed_actions(director), director.site_ids()  # the request's own queries, not the block's

    with django_assert_num_queries(3):  # the two counts together, then five names of each list
        section = selectors.flags_section(request)

    assert section is not None
    assert (section["missing_tpo_count"], section["missing_notice_count"]) == (1, 1)
    assert section["missing_tpo"] == section["missing_notice"] == [patient]
    record(patient, ConsentKind.TPO)
    section = selectors.flags_section(request)
    assert section is not None
    assert (section["missing_tpo_count"], section["missing_notice_count"], section["missing_tpo"]) == (0, 1, [])


def test_admission_prompts_to_give_the_notice(client: Client, bob: User, north: Site) -> None:
    person = register(north)
    client.force_login(bob)
    response = client.post(
        reverse("patients:admit", args=[person.pk]),
        {
            "site": north.pk,
            "program": "adult_iop",
            "admission_date": (TODAY - dt.timedelta(days=1)).isoformat(),
            "level_of_care": "2.1",
        },
        follow=True,
    )
    assert "Next: give the patient the notice of privacy practices" in response.content.decode()
