# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import log_list_read, read_restricted_or_404
from openiop.audit.services import log_action, log_read
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.patients.models import Patient
from openiop.privacy import selectors, services
from openiop.privacy.forms import (
    AccountingRequestForm,
    BreakGlassForm,
    ConsentForm,
    DisclosureForm,
    ProvidedForm,
    RestrictionDecisionForm,
    RestrictionForm,
    ReviewForm,
    RevocationForm,
)
from openiop.privacy.gate import Recipient
from openiop.privacy.information import ConsentKind, ExpiryKind, InformationClass
from openiop.privacy.models import AccountingRequest, Consent, Disclosure, EmergencyAccess, RestrictionRequest
from openiop.privacy.permissions import (
    BREAK_GLASS,
    CONSENTS_RECORD,
    CONSENTS_REVOKE,
    CONSENTS_VIEW,
    DISCLOSURES_RECORD,
    PRIVACY_ACCOUNTING,
    PRIVACY_OVERSEE,
    RESTRICTIONS_DECIDE,
    RESTRICTIONS_RECORD,
)
from openiop.privacy.services_release import stored_file_matches

ACCESS_REPORT_PAGE = 100


def _patient(request: HttpRequest, patient_pk: int, action: str, view: str) -> Patient:
    return read_restricted_or_404(
        Patient.objects.select_related("site", "organization"), request, action, view=view, pk=patient_pk
    )


def _privacy_page(patient: Patient) -> str:
    return reverse("privacy:patient", args=[patient.pk])


@require_action(CONSENTS_VIEW)
@require_GET
def patient_privacy(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, CONSENTS_VIEW, "privacy")
    context = selectors.patient_privacy(request.user, patient)
    return render(request, "privacy/patient.html", {"patient": patient, "tab_context": context})


# --- Consents ----------------------------------------------------------------

DEFAULT_EXPIRY = {
    ConsentKind.TPO: ExpiryKind.END_OF_TREATMENT,
    ConsentKind.SPECIFIC: ExpiryKind.DATE,
    ConsentKind.COUNSELING_NOTES: ExpiryKind.DATE,
}


@require_action(CONSENTS_RECORD)
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, CONSENTS_RECORD, "consent_add")
    kind = request.GET.get("kind", "")
    if kind not in ConsentKind.values:
        return render(request, "privacy/consent_kind.html", {"patient": patient, "kinds": ConsentKind.choices})
    initial: dict[str, Any] = {
        "discloser": patient.organization.name,
        "signed_on": timezone.localdate(),
        "expiry_kind": DEFAULT_EXPIRY[ConsentKind(kind)],
    }
    if kind == ConsentKind.COUNSELING_NOTES:
        initial["information"] = [InformationClass.COUNSELING_NOTES]
    form = ConsentForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recipient = Recipient(
            data.get("recipient_kind", ""), data.get("recipient_organization", ""), data.get("recipient_name", "")
        )
        try:
            consent = services.consent_record(
                actor=staff_user(request),
                patient=patient,
                kind=kind,
                discloser_name=data["discloser"],
                information=data["information"],
                information_detail=data["information_detail"],
                recipients=[recipient] if recipient.named or recipient.kind else [],
                purposes=data["purposes"],
                purpose_detail=data["purpose_detail"],
                expiry_kind=data["expiry_kind"],
                expires_on=data["expires_on"],
                expiry_event=data["expiry_event"],
                statements=data["statements"],
                signed_on=data["signed_on"],
                signer=data["signer"],
                representative_name=data["representative_name"],
                representative_relation=data["representative_relation"],
                signature_confirmed=data["signature_confirmed"],
            )
        except ValidationError as exc:
            if (
                hasattr(exc, "error_dict")
                and "recipients" in exc.error_dict
                and "recipient_organization" in form.fields
            ):
                exc.error_dict["recipient_organization"] = exc.error_dict.pop("recipients")
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return HttpResponseRedirect(reverse("privacy:consent", args=[patient.pk, consent.pk]))
    return render(
        request,
        "privacy/consent_form.html",
        {"form": form, "patient": patient, "kind": kind, "kind_label": ConsentKind(kind).label},
    )


def _consent(request: HttpRequest, patient_pk: int, pk: int, action: str, view: str) -> Consent:
    queryset = Consent.objects.select_related("patient", "recorded_by", "revocation_recorded_by", "discloser")
    return read_restricted_or_404(queryset, request, action, view=view, pk=pk, patient_id=patient_pk)


@require_action(CONSENTS_VIEW)
@require_GET
def consent_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    consent = _consent(request, patient_pk, pk, CONSENTS_VIEW, "consent")
    row = selectors.consent_rows([consent], consent.patient)[0]
    disclosures = Disclosure.objects.restrict(request.user, CONSENTS_VIEW).filter(consent=consent)
    return render(
        request,
        "privacy/consent_detail.html",
        {
            "consent": consent,
            "patient": consent.patient,
            "row": row,
            "disclosures": disclosures.select_related("disclosed_by"),
            "can_revoke": row.consent.revoked_on is None and has_action(request.user, CONSENTS_REVOKE),
            "can_sign": not consent.document
            and consent.revoked_on is None
            and has_action(request.user, CONSENTS_RECORD),
            "document_intact": stored_file_matches(consent.document, consent.document_sha256)
            if consent.document
            else None,
        },
    )


@require_action(CONSENTS_REVOKE)
@require_http_methods(["GET", "POST"])
def consent_revoke(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    consent = _consent(request, patient_pk, pk, CONSENTS_REVOKE, "consent_revoke")
    form = RevocationForm(request.POST or None, initial={"revoked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_revoke(
                actor=staff_user(request),
                consent=consent,
                revoked_on=form.cleaned_data["revoked_on"],
                received_via=form.cleaned_data["received_via"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Revocation recorded: nothing more is disclosed under this consent."))
            return HttpResponseRedirect(reverse("privacy:consent", args=[patient_pk, consent.pk]))
    return render(
        request, "privacy/consent_revoke.html", {"form": form, "consent": consent, "patient": consent.patient}
    )


# --- Disclosures ----------------------------------------------------------------


@require_action(DISCLOSURES_RECORD)
@require_http_methods(["GET", "POST"])
def disclosure_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Record a disclosure through the gate: allowed only under a covering
    consent or a Part 2 exception; a refusal says what is missing."""
    patient = _patient(request, patient_pk, DISCLOSURES_RECORD, "disclosure_add")
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure = services.disclose(
                patient=patient,
                recipient=Recipient(data["recipient_kind"], data["recipient_organization"], data["recipient_name"]),
                purpose=data["purpose"],
                information=data["information"],
                actor=staff_user(request),
                channel=data["channel"],
                exception=data["basis"],
                exception_detail=data["exception_detail"],
                description=data["description"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Disclosure recorded. Send the notice below with the records."))
            return HttpResponseRedirect(reverse("privacy:disclosure", args=[patient.pk, disclosure.pk]))
    return render(request, "privacy/disclosure_form.html", {"form": form, "patient": patient})


@require_action(CONSENTS_VIEW)
@require_GET
def disclosure_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """The disclosure with the notice and scope explanation that go with it."""
    disclosure = read_restricted_or_404(
        Disclosure.objects.select_related("patient", "consent", "disclosed_by"),
        request,
        CONSENTS_VIEW,
        view="disclosure",
        pk=pk,
        patient_id=patient_pk,
    )
    return render(request, "privacy/disclosure_detail.html", {"disclosure": disclosure, "patient": disclosure.patient})


# --- Restrictions --------------------------------------------------------------


@require_action(RESTRICTIONS_RECORD)
@require_http_methods(["GET", "POST"])
def restriction_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, RESTRICTIONS_RECORD, "restriction_add")
    form = RestrictionForm(request.POST or None, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            restriction = services.restriction_request_record(
                actor=staff_user(request),
                patient=patient,
                requested_on=data["requested_on"],
                recipient=Recipient(data["recipient_kind"], data["recipient_organization"], data["recipient_name"]),
                information=data["information"],
                paid_out_of_pocket=data["paid_out_of_pocket"],
                description=data["description"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            if restriction.status == RestrictionRequest.Status.GRANTED:
                messages.success(request, _("Recorded and granted: the health plan will not be told."))
            else:
                messages.success(request, _("Request recorded; it waits for a decision."))
            return HttpResponseRedirect(_privacy_page(patient))
    return render(request, "privacy/restriction_form.html", {"form": form, "patient": patient})


@require_action(RESTRICTIONS_DECIDE)
@require_http_methods(["GET", "POST"])
def restriction_decide(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    restriction = read_restricted_or_404(
        RestrictionRequest.objects.select_related("patient", "decided_by"),
        request,
        RESTRICTIONS_DECIDE,
        view="restriction_decide",
        pk=pk,
        patient_id=patient_pk,
    )
    form = RestrictionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.restriction_decide(
                actor=staff_user(request),
                restriction=restriction,
                granted=form.cleaned_data["decision"] == "grant",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return HttpResponseRedirect(_privacy_page(restriction.patient))
    return render(
        request,
        "privacy/restriction_decide.html",
        {"form": form, "restriction": restriction, "patient": restriction.patient},
    )


# --- Emergency access ----------------------------------------------------------


@require_action(BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Deliberately outside the user's reach (that is the point), so both the
        # record number and the date of birth must match: no browsing.
        patient = Patient.objects.filter(
            mrn__iexact=form.cleaned_data["mrn"].strip(), birth_date=form.cleaned_data["birth_date"]
        ).first()
        if patient is None:
            log_action("privacy.break_glass_no_match", actor=user, data={"mrn": form.cleaned_data["mrn"].strip()})
            form.add_error(None, _("No patient matches that record number and date of birth."))
        else:
            try:
                access = services.emergency_access_open(actor=user, patient=patient, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                attach_error(request, form, exc)
            else:
                messages.warning(
                    request,
                    _("Emergency access open until %(time)s. It is recorded and the privacy officer reviews it.")
                    % {"time": f"{timezone.localtime(access.expires_at):%H:%M}"},
                )
                return HttpResponseRedirect(reverse("patients:chart", args=[patient.pk]))
    active = EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now()).select_related("patient")
    return render(request, "privacy/break_glass.html", {"form": form, "active": active})


@require_action(PRIVACY_OVERSEE)
@require_http_methods(["GET", "POST"])
def emergency_review(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_restricted_or_404(
        EmergencyAccess.objects.select_related("patient", "user", "reviewed_by"), request, PRIVACY_OVERSEE, pk=pk
    )
    form = ReviewForm(request.POST or None) if access.reviewed_at is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.emergency_access_review(actor=staff_user(request), access=access, note=form.cleaned_data["note"])
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Review recorded."))
            return HttpResponseRedirect(reverse("privacy:overview"))
    events = selectors.access_events(access.patient).filter(
        actor_id=access.user_id, occurred_at__gte=access.started_at, occurred_at__lte=access.expires_at
    )
    log_read(access, data={"view": "emergency_review"})
    return render(
        request,
        "privacy/emergency_review.html",
        {"access": access, "form": form, "patient": access.patient, "events": events[:200]},
    )


# --- Accounting and access report ---------------------------------------------


@require_action(PRIVACY_ACCOUNTING)
@require_http_methods(["GET", "POST"])
def accounting(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, PRIVACY_ACCOUNTING, "accounting")
    form = AccountingRequestForm(request.POST or None, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            made = services.accounting_request_record(
                actor=staff_user(request), patient=patient, requested_on=form.cleaned_data["requested_on"]
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            return HttpResponseRedirect(reverse("privacy:accounting_print", args=[patient.pk, made.pk]))
    requests = AccountingRequest.objects.restrict(request.user, PRIVACY_ACCOUNTING).filter(patient=patient)
    return render(request, "privacy/accounting.html", {"form": form, "patient": patient, "requests": requests})


@require_action(PRIVACY_ACCOUNTING)
@require_http_methods(["GET", "POST"])
def accounting_print(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """The accounting as the patient receives it, in their preferred language."""
    made = read_restricted_or_404(
        AccountingRequest.objects.select_related("patient", "patient__organization"),
        request,
        PRIVACY_ACCOUNTING,
        view="accounting_print",
        pk=pk,
        patient_id=patient_pk,
    )
    patient = made.patient
    form = ProvidedForm(request.POST or None, initial={"provided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.accounting_mark_provided(
                actor=staff_user(request), request=made, provided_on=form.cleaned_data["provided_on"]
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Recorded as provided."))
            return HttpResponseRedirect(reverse("privacy:accounting", args=[patient.pk]))
    disclosures = selectors.accounting_disclosures(patient, made.requested_on)
    log_action("privacy.accounting_view", obj=made, data={"disclosures": len(disclosures)})
    language = request.GET.get("lang") or selectors.patient_language(patient)
    if language not in {"en", "es"}:
        language = "en"
    with translation.override(language):
        response = render(
            request,
            "privacy/accounting_print.html",
            {
                "made": made,
                "patient": patient,
                "disclosures": disclosures,
                "form": form if made.provided_on is None else None,
                "language": language,
            },
        )
    return response


@require_action(PRIVACY_ACCOUNTING)
@require_GET
def access_report(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, PRIVACY_ACCOUNTING, "privacy.access_report")
    page = Paginator(selectors.access_events(patient), ACCESS_REPORT_PAGE).get_page(request.GET.get("page"))
    return render(request, "privacy/access_report.html", {"patient": patient, "page": page})


@require_action(PRIVACY_OVERSEE)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The privacy officer's page: everything that waits, and a patient lookup
    (record number or last name) to reach any patient at their sites."""
    context = selectors.officer_overview(request.user, limit=None)
    search = request.GET.get("q", "").strip()[:100]
    found = selectors.find_patients(request.user, search) if search else []
    log_list_read("privacy_overview", {**context, "found": found}, data={"search": search} if search else None)
    return render(request, "privacy/overview.html", {"section": context, "search": search, "found": found})
