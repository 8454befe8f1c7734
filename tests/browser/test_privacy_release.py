# SPDX-License-Identifier: AGPL-3.0-or-later
"""On the real pages, under the real Content-Security-Policy: a clinician gets
a TPO consent and a probation consent signed on screen (drawn on the canvas),
builds a release-of-information packet for the probation officer (which leaves
the counseling notes out), the patient revokes the probation consent, the next
packet is refused, and the privacy officer's accounting lists the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import register
from openiop.privacy import services_release
from openiop.privacy.models import Consent, Disclosure, ReleaseRequest
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)

NOTE_TEXT = "Spoke at length about the custody hearing and the shame after the relapse."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=f"Sign out {username}").wait_for()


@pytest.fixture
def patient(north: Site, persona: Callable[..., User]) -> Patient:
    from openiop.treatment.models import CounselingNote, NoteStatus

    clinician = persona(RoleCode.CLINICIAN, username="carla")
    person = register(north, legal_first_name="Tom", legal_last_name="Diaz")
    episode = episode_admit(
        actor=clinician, patient=person, site=north, admission_date=timezone.localdate() - dt.timedelta(days=40)
    )
    CounselingNote.objects.create(
        patient=person,
        episode=episode,
        author=clinician,
        session_date=timezone.localdate() - dt.timedelta(days=2),
        text=NOTE_TEXT,
        status=NoteStatus.SIGNED,
    )
    return person


def draw_and_sign(page: Any, name: str) -> None:
    page.get_by_role("button", name="Sign on screen or upload the signed form").click()
    page.get_by_label("Full name, typed by the signer").fill(name)
    pad = page.locator("canvas[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 35, box["y"] + 120 - (step % 3) * 40, steps=4)
    page.mouse.up()
    page.get_by_role("button", name="Sign and store").click()
    page.get_by_text("Consent signed and stored with its fingerprint (SHA-256).").wait_for()
    page.get_by_text("the stored file matches").wait_for()


def tick(page: Any, name: str, *values: str) -> None:
    for value in values:
        page.locator(f"input[name={name}][value={value}]").check()


def record_release(page: Any, base_url: str, patient: Patient) -> None:
    page.goto(f"{base_url}/privacy/patients/{patient.pk}/releases/new/")
    page.get_by_label("Requester: kind").select_option("criminal_justice")
    page.get_by_label("Requester: organization").fill("Pima County Probation")
    page.get_by_label("Requester: person").fill("Officer J. Smith")
    tick(page, "information", "attendance", "drug_tests")
    page.get_by_label("Purpose").select_option("criminal_justice")
    page.get_by_label("Send by").select_option("fax")
    page.get_by_role("button", name="Record and check").click()
    page.get_by_role("heading", name="Checked against the patient's consents").wait_for()


def test_consents_signed_on_screen_a_packet_without_counseling_notes_then_revoked_and_refused(
    page: Any, live_server: Any, persona: Callable[..., User], patient: Patient
) -> None:
    persona(RoleCode.PRIVACY_OFFICER, username="petra")
    base = live_server.url
    sign_in(page, base, "carla")

    # The single TPO consent, signed on screen.
    page.goto(f"{base}/privacy/patients/{patient.pk}/consents/new/?kind=tpo")
    tick(page, "information", "all_except_counseling_notes")
    tick(page, "purposes", "treatment", "payment", "operations")
    page.locator("input[name=statements]").evaluate_all("boxes => boxes.forEach(box => { box.checked = true; })")
    page.get_by_label("The form carries the signature").check()
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()
    draw_and_sign(page, "Tom Diaz")

    # The consent to the probation officer, read in Spanish and signed on screen.
    page.goto(f"{base}/privacy/patients/{patient.pk}/consents/new/?kind=specific")
    tick(page, "information", "attendance", "drug_tests")
    page.get_by_label("Recipient: kind").select_option("criminal_justice")
    page.get_by_label("Recipient: organization").fill("Pima County Probation")
    tick(page, "purposes", "criminal_justice")
    page.locator("input[name=expiry_kind][value=date]").check()
    page.get_by_label("Expiry date").fill((timezone.localdate() + dt.timedelta(days=180)).isoformat())
    page.locator("input[name=statements]").evaluate_all("boxes => boxes.forEach(box => { box.checked = true; })")
    page.get_by_label("The form carries the signature").check()
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()
    probation_consent_url = page.url
    page.get_by_role("button", name="Sign on screen or upload the signed form").click()
    page.get_by_role("link", name="Español").click()
    page.get_by_text("Puede revocar este consentimiento por escrito").wait_for()
    page.go_back()
    page.go_back()
    draw_and_sign(page, "Tom Diaz")
    assert Consent.objects.filter(patient=patient, signature_method="drawn").count() == 2

    # The probation officer's request: allowed, built, counseling notes left out.
    record_release(page, base, patient)
    page.get_by_text("Allowed.").wait_for()
    page.get_by_role("button", name="Build the packet and record the disclosure").click()
    page.get_by_text("Packet built and the disclosure recorded.").wait_for()
    first = ReleaseRequest.objects.get(status="released")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the packet (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert first.disclosure is not None
    assert first.disclosure.information == ["attendance", "drug_tests"]
    packet = render_to_string(
        services_release.PACKET_TEMPLATE,
        services_release.packet_context(first, services_release.release_check(first), prepared_by=None),
    )
    assert NOTE_TEXT not in packet and "SUD counseling notes" not in packet

    # The patient revokes in writing; the next request is refused.
    page.goto(probation_consent_url)
    page.get_by_role("button", name="Record a written revocation").click()
    page.get_by_label("Received by").select_option("in_person")
    page.get_by_role("button", name="Record revocation").click()
    page.get_by_text("Revocation recorded").wait_for()
    record_release(page, base, patient)
    page.get_by_text("Not allowed:").wait_for()
    page.get_by_text("revoked").first.wait_for()
    assert page.get_by_role("button", name="Build the packet and record the disclosure").count() == 0
    assert Disclosure.objects.filter(patient=patient, recipient_organization="Pima County Probation").count() == 1

    # The privacy officer's accounting lists the first disclosure.
    sign_in(page, base, "petra")
    page.goto(f"{base}/privacy/patients/{patient.pk}/accounting/")
    page.get_by_role("button", name="Record and prepare the accounting").click()
    page.get_by_text("Pima County Probation").first.wait_for()
