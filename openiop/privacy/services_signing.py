# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signing a consent in the clinic, and the patient notice of 42 CFR 2.22.

A consent is signed once: on screen (typed name and a drawn signature, kept as
a PNG, rendered with the consent's words into a PDF) or by scanning the signed
paper form. The files are stored with their SHA-256 and never replaced: a
second signature or re-render is refused, and reading a file back checks it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.patients.models import Patient
from openiop.privacy import documents
from openiop.privacy.information import (
    STATEMENT_TEXT,
    STATEMENT_TEXT_ES,
    NoticeAcknowledgementKind,
    SignatureMethod,
    default_notice_text,
)
from openiop.privacy.models import Consent, NoticeAcknowledgement, PatientNotice
from openiop.sites.models import Organization

CONSENT_TEMPLATE = "privacy/documents/consent.html"
LANGUAGES = ("en", "es")


def consent_statements(consent: Consent, language: str) -> list[str]:
    """The statements the consent carries, in the language it is shown in."""
    texts = STATEMENT_TEXT_ES if language == "es" else STATEMENT_TEXT
    return [texts.get(row["code"], row["text"]) for row in consent.statements]


def _refuse_if_signed(consent: Consent) -> None:
    if consent.document or consent.signature_image:
        raise ValidationError(
            _("This consent was already signed on %(when)s; the stored form is never replaced.")
            % {"when": f"{timezone.localtime(consent.signature_captured_at):%Y-%m-%d %H:%M}"}
            if consent.signature_captured_at
            else _("This consent already has a signed form; it is never replaced.")
        )
    if consent.revoked_on is not None:
        raise ValidationError(_("This consent was revoked; record a new consent instead."))


def _typed_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"typed_name": _("The signer types their full name.")})
    if len(name) > 150:
        raise ValidationError({"typed_name": _("The name is longer than 150 characters.")})
    return name


@transaction.atomic
def consent_sign_on_screen(
    *, actor: User, consent: Consent, typed_name: str, signature_data_url: str, language: str = "en"
) -> Consent:
    """The patient read the consent on screen, typed their name and signed with
    a finger or pen: keep the signature PNG and the consent rendered to PDF."""
    current = Consent.objects.select_for_update().select_related("patient", "discloser").get(pk=consent.pk)
    _refuse_if_signed(current)
    name = _typed_name(typed_name)
    png = documents.signature_png(signature_data_url)
    language = language if language in LANGUAGES else "en"
    now = timezone.now()
    current.signature_method = SignatureMethod.DRAWN
    current.signature_name = name
    current.signature_captured_at = now
    with translation.override(language):
        pdf = documents.render_pdf(
            CONSENT_TEMPLATE,
            {
                "consent": current,
                "patient": current.patient,
                "statements": consent_statements(current, language),
                "signature": documents.data_url(png),
                "signed_at": timezone.localtime(now),
                "language": language,
            },
        )
    current.signature_sha256 = documents.sha256_hex(png)
    current.document_sha256 = documents.sha256_hex(pdf)
    current.signature_image.save(f"consent-{current.pk}-signature.png", ContentFile(png), save=False)
    current.document.save(f"consent-{current.pk}.pdf", ContentFile(pdf), save=False)
    current.save(
        update_fields=[
            "signature_method",
            "signature_name",
            "signature_captured_at",
            "signature_image",
            "signature_sha256",
            "document",
            "document_sha256",
        ]
    )
    log_action(
        "consent.sign",
        obj=current,
        actor=actor,
        data={"method": "drawn", "language": language, "document_sha256": current.document_sha256},
    )
    return current


@transaction.atomic
def consent_attach_scan(*, actor: User, consent: Consent, typed_name: str, scan: bytes) -> Consent:
    """The patient signed the paper form; keep the scan exactly as uploaded."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    _refuse_if_signed(current)
    name = _typed_name(typed_name)
    extension, _content_type = documents.scan_kind(scan)
    current.signature_method = SignatureMethod.SCANNED
    current.signature_name = name
    current.signature_captured_at = timezone.now()
    current.document_sha256 = documents.sha256_hex(scan)
    current.document.save(f"consent-{current.pk}-scan.{extension}", ContentFile(scan), save=False)
    current.save(
        update_fields=["signature_method", "signature_name", "signature_captured_at", "document", "document_sha256"]
    )
    log_action(
        "consent.sign",
        obj=current,
        actor=actor,
        data={"method": "scanned", "document_sha256": current.document_sha256},
    )
    return current


# --- Patient notice (42 CFR 2.22) --------------------------------------------


def notice_for(organization: Organization) -> PatientNotice:
    """The organization's notice; set up from the default text the first time
    (the privacy officer edits it in the admin)."""
    notice, _created = PatientNotice.objects.get_or_create(
        organization=organization,
        defaults={
            "program_name": organization.name,
            "privacy_officer_name": "The Privacy Officer",
            "privacy_officer_contact": organization.name,
            "text": default_notice_text("en"),
            "text_es": default_notice_text("es"),
        },
    )
    return notice


def notice_heading(notice: PatientNotice, language: str) -> str:
    if language == "es":
        return f"Aviso de prácticas de privacidad de {notice.program_name}"
    return notice.heading


def notice_body(notice: PatientNotice, language: str) -> str:
    return notice.text_es if language == "es" and notice.text_es.strip() else notice.text


@transaction.atomic
def notice_acknowledge(
    *, actor: User, patient: Patient, given_on: dt.date, how: str, language: str = "en", note: str = ""
) -> NoticeAcknowledgement:
    """Record that the notice was given and how the patient acknowledged it;
    the exact words given are kept with the record."""
    errors: dict[str, str] = {}
    if how not in NoticeAcknowledgementKind.values:
        errors["how"] = _("Say how the patient acknowledged the notice.")
    if given_on > timezone.localdate():
        errors["given_on"] = _("The date is in the future.")
    if how == NoticeAcknowledgementKind.REFUSED and not note.strip():
        errors["note"] = _("Note what the patient said when refusing to acknowledge.")
    if errors:
        raise ValidationError(errors)
    language = language if language in LANGUAGES else "en"
    notice = notice_for(patient.organization)
    acknowledgement = NoticeAcknowledgement.objects.create(
        patient=patient,
        given_on=given_on,
        how=how,
        note=note.strip(),
        language=language,
        heading=notice_heading(notice, language),
        text=notice_body(notice, language),
        recorded_by=actor,
    )
    log_action(
        "privacy.notice_acknowledge",
        obj=acknowledgement,
        actor=actor,
        data={"how": how, "given_on": given_on, "language": language},
    )
    return acknowledgement
