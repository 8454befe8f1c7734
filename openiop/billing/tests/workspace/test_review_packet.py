# SPDX-License-Identifier: AGPL-3.0-or-later
"""The concurrent-review packet: built from the authorization's patient's
records, previewed, and released to the payer's reviewer only through the
Part 2 gate (refused without a consent, nothing built or sent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.insurance.models import Authorization
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY
from openiop.privacy import documents, services
from openiop.privacy.information import ConsentKind, Purpose, RecipientKind
from openiop.privacy.models import Disclosure, ReleaseRequest
from openiop.privacy.tests.conftest import consent_fields

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock", "media_in_tmp")]

JUSTIFICATION = "Two positive screens this month; PHQ-9 still 16; steps down to OP would risk relapse."


@pytest.fixture
def tpo_consent(patient: Patient, persona: Any) -> None:
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR, username="noah")
    services.consent_record(actor=navigator, patient=patient, **consent_fields(ConsentKind.TPO))


@pytest.fixture
def outbound() -> Iterator[list[dict[str, Any]]]:
    """The context of every outbound template rendered meanwhile."""
    seen: list[dict[str, Any]] = []

    def note(sender: Any, template: Any, context: Any, **kwargs: Any) -> None:
        if "/outbound/" in (getattr(template, "name", "") or ""):
            seen.append(context.flatten())

    template_rendered.connect(note, dispatch_uid="billing-outbound")
    try:
        yield seen
    finally:
        template_rendered.disconnect(dispatch_uid="billing-outbound")


def post(client: Client, authorization: Authorization, action: str, **overrides: str) -> Any:
    data = {
        "reviewer_name": "Dr. Reyes",
        "channel": "fax",
        "period_start": f"{TODAY - dt.timedelta(days=27):%Y-%m-%d}",
        "period_end": f"{TODAY:%Y-%m-%d}",
        "clinician": "Bob Clinician",
        "justification": JUSTIFICATION,
        "action": action,
    }
    data.update(overrides)
    return client.post(reverse("billing:review_packet", args=[authorization.pk]), data)


def test_without_a_consent_the_packet_is_refused_with_the_gates_message_and_nothing_is_built(
    client: Client, biller: User, authorization: Authorization, outbound: list[dict[str, Any]]
) -> None:
    client.force_login(biller)

    response = post(client, authorization, "release")

    assert response.status_code == 200
    assert "Refused:" in response.content.decode()
    assert outbound == []
    assert not Disclosure.objects.exists() and not ReleaseRequest.objects.exists()
    refusal = AuditEvent.objects.get(action="disclosure.refused")
    assert refusal.data["purpose"] == Purpose.PAYMENT


def test_under_a_tpo_consent_the_packet_goes_to_the_payers_reviewer_for_payment_with_its_hash(
    client: Client,
    biller: User,
    authorization: Authorization,
    tpo_consent: None,
    outbound: list[dict[str, Any]],
) -> None:
    client.force_login(biller)

    response = post(client, authorization, "release")

    release = ReleaseRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:release", args=[release.patient_id, release.pk])
    disclosure = Disclosure.objects.get()
    assert release.disclosure == disclosure and release.status == ReleaseRequest.Status.RELEASED
    assert disclosure.purpose == Purpose.PAYMENT
    assert disclosure.recipient_kind == RecipientKind.HEALTH_PLAN
    assert (disclosure.recipient_organization, disclosure.recipient_name) == ("Blue Shield of Arizona", "Dr. Reyes")
    assert "AUTH-7781" in disclosure.description and JUSTIFICATION in disclosure.description
    assert disclosure.document_sha256 == documents.sha256_hex(release.packet.read()) == release.packet_sha256
    assert len(outbound) == 1


def test_the_packet_carries_the_authorization_weekly_hours_against_the_band_plan_and_justification(
    client: Client,
    biller: User,
    authorization: Authorization,
    tpo_consent: None,
    outbound: list[dict[str, Any]],
) -> None:
    client.force_login(biller)

    post(client, authorization, "release")

    sections = {section.title: section for section in outbound[0]["sections"]}
    assert {
        "Diagnoses",
        "Assessments and scores",
        "Attendance and dates of service",
        "Drug-test results",
        "Treatment plan",
        "Authorization under review",
        "Weekly hours against the level of care's band",
        "Treatment plan objectives and progress",
        "Clinician's justification for continued care",
    } <= set(sections)
    assert sections["Authorization under review"].rows[0][1] == "AUTH-7781"
    hours = sections["Weekly hours against the level of care's band"].rows
    # 28 days from a Friday to a Thursday touch five ISO weeks; nothing attended.
    assert [row[0] for row in hours] == ["2026-W06", "2026-W07", "2026-W08", "2026-W09", "2026-W10"]
    assert all(row[1] == "0.0" and row[4] == "9-19 h/week" and row[5] == "below the band" for row in hours)
    assert sections["Clinician's justification for continued care"].rows == [[JUSTIFICATION, "Bob Clinician"]]
    # Counseling notes never travel in a review packet.
    assert "SUD counseling notes" not in sections


def test_the_preview_shows_the_packet_without_rendering_or_disclosing_anything(
    client: Client,
    biller: User,
    authorization: Authorization,
    tpo_consent: None,
    outbound: list[dict[str, Any]],
) -> None:
    client.force_login(biller)

    response = post(client, authorization, "preview")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Weekly hours against the level of care" in page and "Two positive screens this month" in page
    assert outbound == [] and not Disclosure.objects.exists() and not ReleaseRequest.objects.exists()


def test_the_preview_without_a_consent_says_what_the_gate_would_refuse(
    client: Client, biller: User, authorization: Authorization
) -> None:
    client.force_login(biller)

    page = post(client, authorization, "preview").content.decode()

    assert "Not allowed:" in page and "Weekly hours against" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"justification": "   "}, "Write the clinician"),
        ({"clinician": " "}, "Name the clinician"),
        ({"period_end": "2026-03-01", "period_start": "2026-03-04"}, "The period ends before it starts."),
        ({"period_end": "2026-04-01"}, "The period cannot end in the future."),
        ({"period_start": "soon"}, "Enter a valid date."),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_released(
    client: Client,
    biller: User,
    authorization: Authorization,
    tpo_consent: None,
    overrides: dict[str, str],
    message: str,
) -> None:
    client.force_login(biller)

    response = post(client, authorization, "release", **overrides)

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Disclosure.objects.exists() and not ReleaseRequest.objects.exists()


def test_staff_of_another_site_get_404_and_the_attempt_is_audited(
    client: Client, persona: Any, south: Any, authorization: Authorization
) -> None:
    client.force_login(persona(RoleCode.BILLING_SPECIALIST, site=south, username="sid"))

    response = client.get(reverse("billing:review_packet", args=[authorization.pk]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(authorization.pk)).exists()


def test_the_packet_lists_the_diagnoses_scores_and_the_hours_attended_in_each_week(
    client: Client,
    biller: User,
    bob: User,
    authorization: Authorization,
    tpo_consent: None,
    outbound: list[dict[str, Any]],
) -> None:
    from openiop.assessments.services import result_record
    from openiop.diagnoses.services import diagnosis_create
    from openiop.scheduling import services as scheduling
    from openiop.scheduling.services.attendance import AttendanceMark
    from openiop.scheduling.tests.pages import group, open_all_week

    patient = authorization.patient
    episode = patient.episodes.get()
    diagnosis_create(actor=bob, patient=patient, code="F10.20", is_primary=True)
    result_record(actor=bob, patient=patient, code="phq-9", answers=[2, 2, 2, 2, 2, 2, 2, 2, 0])
    open_all_week(episode.site)
    # Last week (W09): three days of three hours, one of them left after two.
    for day, minutes in ((23, None), (24, None), (25, 120)):
        session = group(episode.site, dt.date(2026, 2, day), (9, 0), (12, 0))
        enrolment = scheduling.enrol(actor=None, session=session, episode=episode)
        status = "present" if minutes is None else "left_early"
        scheduling.attendance_record(actor=bob, session=session, marks=[AttendanceMark(enrolment.pk, status, minutes)])
    client.force_login(biller)

    post(client, authorization, "release")

    sections = {section.title: section for section in outbound[0]["sections"]}
    assert sections["Diagnoses"].rows[0][:2] == ["F10.20", "Alcohol dependence, uncomplicated"]
    assert [row[1:3] for row in sections["Assessments and scores"].rows] == [["PHQ-9", "16"]]
    weeks = {row[0]: row for row in sections["Weekly hours against the level of care's band"].rows}
    assert weeks["2026-W09"][1:6] == ["8.0", "9.0", "3", "9-19 h/week", "below the band"]
