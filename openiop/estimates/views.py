# SPDX-License-Identifier: AGPL-3.0-or-later
"""Good Faith Estimate pages: draft from the chart, preview, issue (frozen),
the issued PDF, delivery, revision as a new version, and the list of
estimates due and overdue. Every page reaches its patient or estimate
through the access path (404 outside the user's reach, audited)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.editing import edit_with_version
from openiop.audit.guards import require_action
from openiop.audit.reads import log_list_read, read_restricted_or_404
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.estimates import documents, planning, selectors, services
from openiop.estimates.forms import DeliveryForm, EstimateForm
from openiop.estimates.models import GoodFaithEstimate
from openiop.estimates.permissions import ESTIMATES_ISSUE, ESTIMATES_VIEW
from openiop.patients.models import Episode, LevelOfCare, Patient


def _patient(request: HttpRequest, patient_pk: int, action: str, view: str) -> Patient:
    return read_restricted_or_404(
        Patient.objects.select_related("site", "organization"), request, action, view=view, pk=patient_pk
    )


def _estimate(request: HttpRequest, patient_pk: int, pk: int, action: str, view: str) -> GoodFaithEstimate:
    return read_restricted_or_404(
        GoodFaithEstimate.objects.select_related("patient", "organization", "site", "supersedes"),
        request,
        action,
        view=view,
        pk=pk,
        patient_id=patient_pk,
    )


def _detail(estimate: GoodFaithEstimate) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("estimates:detail", args=[estimate.patient_id, estimate.pk]))


def _inputs(data: dict[str, Any]) -> planning.Inputs:
    return planning.Inputs(
        first_day=data["first_day"],
        weeks=data["weeks"],
        level_of_care=data["level_of_care"],
        drug_tests_per_week=data["drug_tests_per_week"],
        individual_sessions_per_week=data["individual_sessions_per_week"],
        include_intake=bool(data["include_intake"]),
    )


def _initial(patient: Patient) -> dict[str, Any]:
    today = timezone.localdate()
    first, scheduled = planning.first_booking(patient, today)
    episode = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()
    return {
        "first_day": first or today,
        "scheduled_on": scheduled,
        "weeks": 12,
        "level_of_care": episode.level_of_care if episode else LevelOfCare.IOP,
        "drug_tests_per_week": 1,
        "individual_sessions_per_week": 0,
        "include_intake": True,
    }


@require_action(ESTIMATES_ISSUE)
@require_http_methods(["GET", "POST"])
def estimate_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, ESTIMATES_ISSUE, "estimates.new")
    form = EstimateForm(request.POST or None, initial=_initial(patient))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            estimate = services.estimate_create(
                actor=staff_user(request),
                patient=patient,
                inputs=_inputs(data),
                requested_on=data["requested_on"],
                scheduled_on=data["scheduled_on"],
                insurance_declined=data["insurance_declined"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Estimate drafted. Check the preview, then issue it."))
            return _detail(estimate)
    return render(request, "estimates/estimate_form.html", {"form": form, "patient": patient, "estimate": None})


@require_action(ESTIMATES_ISSUE)
@require_http_methods(["GET", "POST"])
def estimate_edit(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    estimate = _estimate(request, patient_pk, pk, ESTIMATES_ISSUE, "estimates.revise")
    initial = {
        **dataclasses.asdict(services.inputs_of(estimate)),
        "scheduled_on": estimate.scheduled_on,
        "requested_on": estimate.requested_on,
        "insurance_declined": estimate.self_pay_reason == "declined",
    }
    form = EstimateForm(request.POST or None, initial=initial)

    def save(expected: int) -> GoodFaithEstimate:
        data = form.cleaned_data
        return services.estimate_revise(
            actor=staff_user(request),
            estimate=estimate,
            inputs=_inputs(data),
            requested_on=data["requested_on"],
            scheduled_on=data["scheduled_on"],
            insurance_declined=data["insurance_declined"],
            expected_version=expected,
        )

    def saved(revised: GoodFaithEstimate) -> HttpResponse:
        if revised.pk != estimate.pk:
            messages.success(request, _("A new version was drafted; the issued one is kept as given."))
        else:
            messages.success(request, _("Draft rebuilt."))
        return _detail(revised)

    return edit_with_version(
        request,
        form,
        record=estimate,
        version=estimate.lock_version,
        save=save,
        saved=saved,
        page=lambda: render(
            request, "estimates/estimate_form.html", {"form": form, "patient": estimate.patient, "estimate": estimate}
        ),
    )


@require_action(ESTIMATES_VIEW)
@require_GET
def estimate_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """The estimate as the patient gets it: the frozen content once issued,
    a preview built from the draft before."""
    estimate = _estimate(request, patient_pk, pk, ESTIMATES_VIEW, "estimates.detail")
    document = estimate.content if estimate.is_issued else documents.content(estimate)
    return render(
        request,
        "estimates/estimate_detail.html",
        {
            "estimate": estimate,
            "patient": estimate.patient,
            "document_html": documents.render_html(document, draft=not estimate.is_issued),
            "deliveries": list(estimate.deliveries.select_related("recorded_by")),
            "can_issue": has_action(request.user, ESTIMATES_ISSUE),
            "missing_numbers": documents.missing_provider_numbers(estimate),
        },
    )


@require_action(ESTIMATES_ISSUE)
@require_http_methods(["GET", "POST"])
def estimate_issue(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """Issue the draft after one look at what the patient will get."""
    estimate = _estimate(request, patient_pk, pk, ESTIMATES_ISSUE, "estimates.issue")
    if request.method == "POST":
        try:
            services.estimate_issue(actor=staff_user(request), estimate=estimate)
        except ValidationError as exc:
            attach_error(request, None, exc)
        else:
            messages.success(request, _("Estimate issued. Give the patient the PDF and record how it was given."))
        return _detail(estimate)
    if estimate.is_issued:
        return _detail(estimate)
    return render(
        request,
        "estimates/estimate_issue.html",
        {
            "estimate": estimate,
            "patient": estimate.patient,
            "document_html": documents.render_html(documents.content(estimate), draft=True),
            "missing_numbers": documents.missing_provider_numbers(estimate),
        },
    )


@require_action(ESTIMATES_ISSUE)
@require_http_methods(["GET", "POST"])
def estimate_deliver(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """Record how the issued estimate reached the patient."""
    estimate = _estimate(request, patient_pk, pk, ESTIMATES_ISSUE, "estimates.deliver")
    form = DeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.estimate_deliver(actor=staff_user(request), estimate=estimate, **form.cleaned_data)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Delivery recorded."))
            return _detail(estimate)
    return render(
        request, "estimates/estimate_deliver.html", {"estimate": estimate, "patient": estimate.patient, "form": form}
    )


@require_action(ESTIMATES_VIEW)
@require_GET
def estimate_pdf(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """The PDF stored when the estimate was issued, checked against its hash."""
    estimate = _estimate(request, patient_pk, pk, ESTIMATES_VIEW, "estimates.pdf")
    pdf = bytes(estimate.pdf) if estimate.is_issued and estimate.pdf is not None else b""
    if not pdf:
        raise Http404("Only an issued estimate has a PDF.")
    if documents.sha256_hex(pdf) != estimate.pdf_sha256:
        raise Http404("The stored estimate does not match its hash.")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="good-faith-estimate-{estimate.patient.mrn}-v{estimate.version}.pdf"'
    )
    return response


@require_action(ESTIMATES_VIEW)
@require_GET
def due_list(request: HttpRequest) -> HttpResponse:
    """Estimates with a deadline not yet given to the patient, overdue first."""
    entries = selectors.due_estimates(request.user)
    flags = selectors.dispute_flags(request.user)
    log_list_read("estimates_due", [*(entry.estimate for entry in entries), *(flag.estimate for flag in flags)])
    return render(
        request,
        "estimates/due_list.html",
        {
            "overdue": [entry for entry in entries if entry.overdue],
            "due": [entry for entry in entries if not entry.overdue],
            "flags": flags,
        },
    )
