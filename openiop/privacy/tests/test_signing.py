# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signing a consent in the clinic: drawn signature or scanned paper form,
checked by their bytes, stored once with their hash, read back only through an
access-checked view that verifies the hash."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Patient
from openiop.privacy import documents, services_signing
from openiop.privacy.information import ConsentKind
from openiop.privacy.models import Consent
from openiop.privacy.tests.conftest import signature_data_url

pytestmark = pytest.mark.django_db


def test_a_drawn_signature_must_be_a_png_with_ink_of_a_signatures_size() -> None:
    assert documents.signature_png(signature_data_url()).startswith(documents.PNG_MAGIC)
    with pytest.raises(ValidationError, match="empty"):
        documents.signature_png(signature_data_url(blank=True))
    with pytest.raises(ValidationError, match="dimensions"):
        documents.signature_png(signature_data_url(size=(40, 20)))
    with pytest.raises(ValidationError, match="PNG"):
        documents.signature_png("data:image/png;base64," + base64.b64encode(b"GIF89a" + b"0" * 100).decode())
    with pytest.raises(ValidationError, match="PNG"):
        documents.signature_png("data:image/svg+xml;base64,PHN2Zz4=")
    with pytest.raises(ValidationError, match="damaged"):
        documents.signature_png("data:image/png;base64,@@@")
    with pytest.raises(ValidationError, match="too large"):
        documents.signature_png("data:image/png;base64," + "A" * (documents.MAX_SIGNATURE_BYTES * 2))


def test_a_scanned_form_is_recognised_by_its_first_bytes_not_its_name() -> None:
    assert documents.scan_kind(b"%PDF-1.7 ...") == ("pdf", "application/pdf")
    assert documents.scan_kind(documents.JPEG_MAGIC + b"...")[0] == "jpg"
    with pytest.raises(ValidationError, match="PDF, PNG or JPEG"):
        documents.scan_kind(b"MZ\x90\x00 an executable")
    with pytest.raises(ValidationError, match="larger"):
        documents.scan_kind(b"%PDF-" + b"0" * documents.MAX_SCAN_BYTES)


def test_signing_on_screen_stores_the_png_and_a_pdf_with_their_hashes_and_never_again(
    record: Callable[..., Consent], patient: Patient, navigator: User
) -> None:
    consent = record(patient, ConsentKind.TPO)

    signed = services_signing.consent_sign_on_screen(
        actor=navigator,
        consent=consent,
        typed_name="  Tom   Diaz ",
        signature_data_url=signature_data_url(),
        language="es",
    )

    assert signed.signature_name == "Tom Diaz"
    pdf = signed.document.read()
    assert pdf.startswith(b"%PDF-")
    assert documents.sha256_hex(pdf) == signed.document_sha256
    assert documents.sha256_hex(signed.signature_image.read()) == signed.signature_sha256
    assert AuditEvent.objects.filter(action="consent.sign", object_id=str(consent.pk)).exists()
    with pytest.raises(ValidationError, match="never replaced"):
        services_signing.consent_sign_on_screen(
            actor=navigator, consent=signed, typed_name="Tom Diaz", signature_data_url=signature_data_url()
        )
    with pytest.raises(ValidationError, match="never replaced"):
        services_signing.consent_attach_scan(actor=navigator, consent=signed, typed_name="Tom", scan=b"%PDF-1.4")
    consent.refresh_from_db()
    assert consent.document_sha256 == signed.document_sha256


def test_a_typed_name_is_required(record: Callable[..., Consent], patient: Patient, navigator: User) -> None:
    consent = record(patient, ConsentKind.TPO)
    with pytest.raises(ValidationError):
        services_signing.consent_sign_on_screen(
            actor=navigator, consent=consent, typed_name=" ", signature_data_url=signature_data_url()
        )
    consent.refresh_from_db()
    assert not consent.document


def test_the_sign_page_takes_a_drawn_signature_and_the_download_checks_the_hash(
    client: Client, record: Callable[..., Consent], patient: Patient, navigator: User
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)
    client.force_login(navigator)
    url = reverse("privacy:consent_sign", args=[patient.pk, consent.pk])
    page = client.get(url + "?lang=es")
    assert page.status_code == 200
    assert "Puede revocar este consentimiento por escrito" in page.content.decode()

    empty = client.post(url, {"typed_name": "Tom Diaz", "signature": "", "lang": "en"})
    assert empty.status_code == 200
    assert "Sign in the box, or upload the signed paper form." in empty.content.decode()

    done = client.post(url, {"typed_name": "Tom Diaz", "signature": signature_data_url(), "lang": "en"})
    assert done.status_code == 302
    consent.refresh_from_db()
    detail = client.get(reverse("privacy:consent", args=[patient.pk, consent.pk])).content.decode()
    assert consent.document_sha256 in detail and "the stored file matches" in detail

    download = client.get(reverse("privacy:consent_document", args=[patient.pk, consent.pk]))
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]

    # A file changed on disk is not served, and the page says so.
    with open(consent.document.path, "ab") as handle:
        handle.write(b"tampered")
    assert client.get(reverse("privacy:consent_document", args=[patient.pk, consent.pk])).status_code == 404
    assert "does not match" in client.get(reverse("privacy:consent", args=[patient.pk, consent.pk])).content.decode()


def test_the_sign_page_takes_a_scanned_paper_form_and_refuses_other_files(
    client: Client, record: Callable[..., Consent], patient: Patient, navigator: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    consent = record(patient, ConsentKind.TPO)
    client.force_login(navigator)
    url = reverse("privacy:consent_sign", args=[patient.pk, consent.pk])
    bad = client.post(url, {"typed_name": "Tom Diaz", "scan": SimpleUploadedFile("form.pdf", b"<html>not a pdf")})
    assert bad.status_code == 200
    assert "Upload the scanned form as a PDF, PNG or JPEG file." in bad.content.decode()
    scan = b"%PDF-1.4 scanned consent"
    good = client.post(url, {"typed_name": "Tom Diaz", "scan": SimpleUploadedFile("scan.pdf", scan)})
    assert good.status_code == 302
    consent.refresh_from_db()
    assert (consent.signature_method, consent.document_sha256) == ("scanned", documents.sha256_hex(scan))
    assert consent.document.read() == scan


def test_someone_outside_the_patients_site_cannot_download_the_signed_form(
    client: Client,
    record: Callable[..., Consent],
    patient: Patient,
    navigator: User,
    persona: Callable[..., User],
    south: object,
) -> None:
    from openiop.core.roles import RoleCode

    consent = record(patient, ConsentKind.TPO)
    services_signing.consent_attach_scan(actor=navigator, consent=consent, typed_name="Tom", scan=b"%PDF-1.4 x")
    outsider = persona(RoleCode.PRIVACY_OFFICER, site=south)
    client.force_login(outsider)
    assert client.get(reverse("privacy:consent_document", args=[patient.pk, consent.pk])).status_code == 404


def test_rendering_a_pdf_fetches_nothing_from_the_network_or_the_disk() -> None:
    from weasyprint.urls import FatalURLFetchingError

    fetcher = documents._refusing_fetcher()
    for url in ("http://example.com/logo.png", "https://example.com/a.css", "file:///etc/passwd"):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)
    assert fetcher.fetch(documents.data_url(b"\x89PNG\r\n\x1a\n")) is not None
