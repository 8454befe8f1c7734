# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages for signing a consent in the clinic, the patient notice of 42 CFR
2.22, release-of-information requests and their packets, and the access-checked
downloads of the stored files (nothing under MEDIA_ROOT is served otherwise)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.audit.services import log_action, log_read
from openiop.core.views import attach_error
from openiop.patients.models import Patient
from openiop.privacy import documents, services_release, services_signing
from openiop.privacy.forms import ConsentSignForm, NoticeAcknowledgementForm, ReleaseRefuseForm, ReleaseRequestForm
from openiop.privacy.gate import Recipient
from openiop.privacy.models import Consent, NoticeAcknowledgement, ReleaseRequest
from openiop.privacy.permissions import CONSENTS_RECORD, CONSENTS_VIEW, DISCLOSURES_RECORD
from openiop.privacy.services import DisclosureRefused

RELEASE_DUE_DAYS = 30


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang") or request.POST.get("lang") or "en"
    return language if language in services_signing.LANGUAGES else "en"


def _file_response(field_file: object, expected_sha256: str, filename: str) -> FileResponse:
    """The stored file, only if it still has its recorded hash; never cached."""
    if not services_release.stored_file_matches(field_file, expected_sha256):
        raise Http404(_("The stored file is missing or was changed; tell the privacy officer."))
    handle = field_file.open("rb")  # type: ignore[attr-defined]
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["Content-Type"] = documents.content_type_for(filename)
    response["Cache-Control"] = "no-store, private"
    return response


# --- Signing a consent -----------------------------------------------------------


def _consent(request: HttpRequest, patient_pk: int, pk: int, action: str, view: str) -> Consent:
    return read_restricted_or_404(
        Consent.objects.select_related("patient", "discloser"), request, action, view=view, pk=pk, patient_id=patient_pk
    )


@require_action(CONSENTS_RECORD)
@require_http_methods(["GET", "POST"])
def consent_sign(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """The consent in plain language (English or Spanish) for the patient to
    read and sign on screen; without the pad, the signed paper form's scan."""
    consent = _consent(request, patient_pk, pk, CONSENTS_RECORD, "consent_sign")
    language = _language(request)
    form = ConsentSignForm(request.POST or None, request.FILES or None)
    if consent.document:
        messages.info(request, _("This consent is already signed; the stored form is never replaced."))
        return HttpResponseRedirect(reverse("privacy:consent", args=[patient_pk, consent.pk]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["scan"] is not None:
                scan = data["scan"]
                if scan.size > documents.MAX_SCAN_BYTES:
                    raise ValidationError({"scan": _("The scanned form is larger than 10 MB.")})
                services_signing.consent_attach_scan(
                    actor=staff_user(request), consent=consent, typed_name=data["typed_name"], scan=scan.read()
                )
            elif data["signature"]:
                services_signing.consent_sign_on_screen(
                    actor=staff_user(request),
                    consent=consent,
                    typed_name=data["typed_name"],
                    signature_data_url=data["signature"],
                    language=language,
                )
            else:
                raise ValidationError(_("Sign in the box, or upload the signed paper form."))
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Consent signed and stored with its fingerprint (SHA-256)."))
            return HttpResponseRedirect(reverse("privacy:consent", args=[patient_pk, consent.pk]))
    with translation.override(language):
        return render(
            request,
            "privacy/consent_sign.html",
            {
                "consent": consent,
                "patient": consent.patient,
                "form": form,
                "language": language,
                "statements": services_signing.consent_statements(consent, language),
            },
        )


@require_action(CONSENTS_VIEW)
@require_GET
def consent_document(request: HttpRequest, patient_pk: int, pk: int) -> FileResponse:
    consent = _consent(request, patient_pk, pk, CONSENTS_VIEW, "consent_document")
    name = consent.document.name.rsplit("/", 1)[-1] if consent.document else "consent.pdf"
    return _file_response(consent.document, consent.document_sha256, name)


# --- Patient notice (42 CFR 2.22) -------------------------------------------------


def _patient(request: HttpRequest, patient_pk: int, action: str, view: str) -> Patient:
    return read_restricted_or_404(
        Patient.objects.select_related("site", "organization"), request, action, view=view, pk=patient_pk
    )


@require_action(CONSENTS_RECORD)
@require_http_methods(["GET", "POST"])
def notice_give(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The notice as the patient reads it, and how they acknowledged it."""
    patient = _patient(request, patient_pk, CONSENTS_RECORD, "notice")
    language = _language(request)
    notice = services_signing.notice_for(patient.organization)
    form = NoticeAcknowledgementForm(request.POST or None, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services_signing.notice_acknowledge(
                actor=staff_user(request),
                patient=patient,
                given_on=form.cleaned_data["given_on"],
                how=form.cleaned_data["how"],
                language=language,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Notice recorded as given."))
            return HttpResponseRedirect(reverse("privacy:patient", args=[patient.pk]))
    given = NoticeAcknowledgement.objects.restrict(request.user, CONSENTS_VIEW).filter(patient=patient)
    with translation.override(language):
        return render(
            request,
            "privacy/notice.html",
            {
                "patient": patient,
                "notice": notice,
                "heading": services_signing.notice_heading(notice, language),
                "body": services_signing.notice_body(notice, language),
                "form": form,
                "language": language,
                "given": given.select_related("recorded_by"),
            },
        )


# --- Release of information --------------------------------------------------------


@require_action(DISCLOSURES_RECORD)
@require_http_methods(["GET", "POST"])
def release_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, DISCLOSURES_RECORD, "release_add")
    today = timezone.localdate()
    form = ReleaseRequestForm(
        request.POST or None, initial={"received_on": today, "due_on": today + dt.timedelta(days=RELEASE_DUE_DAYS)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = services_release.release_request_record(
                actor=staff_user(request),
                patient=patient,
                received_on=data["received_on"],
                due_on=data["due_on"],
                requester=Recipient(data["requester_kind"], data["requester_organization"], data["requester_name"]),
                information=data["information"],
                purpose=data["purpose"],
                channel=data["channel"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                note=data["note"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            return HttpResponseRedirect(reverse("privacy:release", args=[patient.pk, release.pk]))
    return render(request, "privacy/release_form.html", {"form": form, "patient": patient})


def _release(request: HttpRequest, patient_pk: int, pk: int, view: str) -> ReleaseRequest:
    return read_restricted_or_404(
        ReleaseRequest.objects.select_related("patient__organization", "disclosure", "recorded_by"),
        request,
        DISCLOSURES_RECORD,
        view=view,
        pk=pk,
        patient_id=patient_pk,
    )


@require_action(DISCLOSURES_RECORD)
@require_http_methods(["GET", "POST"])
def release_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """The request checked against the consents (the gate's answer shown before
    anything is built); build the packet, or close the request."""
    release = _release(request, patient_pk, pk, "release")
    refuse_form = ReleaseRefuseForm(request.POST if request.POST.get("action") == "refuse" else None)
    if request.method == "POST" and release.status == ReleaseRequest.Status.OPEN:
        try:
            if request.POST.get("action") == "build":
                services_release.release_build(actor=staff_user(request), release=release)
                messages.success(request, _("Packet built and the disclosure recorded. Download it and send it."))
                return HttpResponseRedirect(reverse("privacy:release", args=[patient_pk, release.pk]))
            if refuse_form.is_valid():
                services_release.release_refuse(
                    actor=staff_user(request), release=release, reason=refuse_form.cleaned_data["reason"]
                )
                messages.success(request, _("Request closed without records."))
                return HttpResponseRedirect(reverse("privacy:release", args=[patient_pk, release.pk]))
        except DisclosureRefused as exc:
            messages.error(request, _("Refused: %(reason)s") % {"reason": exc.decision.message})
        except ValidationError as exc:
            attach_error(request, refuse_form if request.POST.get("action") == "refuse" else None, exc)
        release.refresh_from_db()
    decision = services_release.release_check(release) if release.status == ReleaseRequest.Status.OPEN else None
    return render(
        request,
        "privacy/release_detail.html",
        {
            "release": release,
            "patient": release.patient,
            "decision": decision,
            "refuse_form": refuse_form,
            "today": timezone.localdate(),
            "packet_intact": services_release.stored_file_matches(release.packet, release.packet_sha256)
            if release.packet
            else None,
        },
    )


@require_action(DISCLOSURES_RECORD)
@require_GET
def release_packet(request: HttpRequest, patient_pk: int, pk: int) -> FileResponse:
    release = _release(request, patient_pk, pk, "release_packet")
    if release.disclosure_id is None:
        raise Http404
    log_action("release.download", obj=release, data={"sha256": release.packet_sha256})
    log_read(release.patient, data={"view": "release_packet", "release": release.pk})
    return _file_response(release.packet, release.packet_sha256, f"release-{release.pk}.pdf")
