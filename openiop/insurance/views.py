# SPDX-License-Identifier: AGPL-3.0-or-later
"""Coverage, eligibility checks and authorizations, from the chart's
Insurance tab. Every page fetches its patient or record through the access
path (404 outside the user's reach, audited); card images are served only
through ``coverage_card``, which checks access and logs the read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.editing import edit_with_version
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.views import attach_error
from openiop.insurance import services
from openiop.insurance.forms import AuthorizationForm, CardForm, CoverageForm, ElectronicCheckForm, ManualCheckForm
from openiop.insurance.models import Authorization, Coverage
from openiop.insurance.permissions import AUTHORIZATIONS_EDIT, COVERAGE_EDIT, COVERAGE_VIEW, ELIGIBILITY_CHECK
from openiop.patients.models import Episode, Patient

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def _patient(request: HttpRequest, patient_pk: int, action: str, view: str) -> Patient:
    return read_restricted_or_404(
        Patient.objects.select_related("site", "organization"), request, action, view=view, pk=patient_pk
    )


def _coverage(request: HttpRequest, patient_pk: int, pk: int, action: str, view: str) -> Coverage:
    return read_restricted_or_404(
        Coverage.objects.select_related("patient__organization", "payer"),
        request,
        action,
        view=view,
        pk=pk,
        patient_id=patient_pk,
    )


def _tab(patient_pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("patients:chart", args=[patient_pk]) + "?tab=insurance")


def _saved_to_tab(request: HttpRequest, message: str, patient_pk: int) -> HttpResponseRedirect:
    messages.success(request, message)
    return _tab(patient_pk)


# --- Coverage ---------------------------------------------------------------------------------------------------------


@require_action(COVERAGE_EDIT)
@require_http_methods(["GET", "POST"])
def coverage_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, COVERAGE_EDIT, "insurance.coverage_add")
    form = CoverageForm(request.POST or None, patient=patient, initial={"effective_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.coverage_create(actor=staff_user(request), patient=patient, **form.coverage_fields())
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Coverage saved."))
            return _tab(patient.pk)
    return render(request, "insurance/coverage_form.html", {"form": form, "patient": patient, "coverage": None})


@require_action(COVERAGE_EDIT)
@require_http_methods(["GET", "POST"])
def coverage_edit(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    coverage = _coverage(request, patient_pk, pk, COVERAGE_EDIT, "insurance.coverage_edit")
    initial: dict[str, Any] = {name: getattr(coverage, name) for name in services.COVERAGE_FIELDS}
    form = CoverageForm(request.POST or None, patient=coverage.patient, coverage=coverage, initial=initial)
    return edit_with_version(
        request,
        form,
        record=coverage,
        version=coverage.version,
        save=lambda expected: services.coverage_update(
            actor=staff_user(request), coverage=coverage, expected_version=expected, **form.coverage_fields()
        ),
        saved=lambda _saved: _saved_to_tab(request, _("Coverage saved."), patient_pk),
        page=lambda: render(
            request, "insurance/coverage_form.html", {"form": form, "patient": coverage.patient, "coverage": coverage}
        ),
    )


@require_action(COVERAGE_EDIT)
@require_http_methods(["GET", "POST"])
def card_upload(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    coverage = _coverage(request, patient_pk, pk, COVERAGE_EDIT, "insurance.card_upload")
    form = CardForm(request.POST or None, request.FILES or None)
    return edit_with_version(
        request,
        form,
        record=coverage,
        version=coverage.version,
        save=lambda expected: services.coverage_card_attach(
            actor=staff_user(request),
            coverage=coverage,
            side=form.cleaned_data["side"],
            upload=form.cleaned_data["image"],
            expected_version=expected,
        ),
        saved=lambda _saved: _saved_to_tab(request, _("Card image saved."), patient_pk),
        page=lambda: render(
            request, "insurance/card_form.html", {"form": form, "patient": coverage.patient, "coverage": coverage}
        ),
    )


@require_action(COVERAGE_VIEW)
@require_GET
def coverage_card(request: HttpRequest, patient_pk: int, pk: int, side: str) -> FileResponse:
    """One side of the card, to someone who may see the coverage (the read is
    audited); never cached, never from a public media URL."""
    if side not in services.CARD_SIDES:
        raise Http404("no such side")
    coverage = _coverage(request, patient_pk, pk, COVERAGE_VIEW, f"insurance.card_{side}")
    field = coverage.card_front if side == "front" else coverage.card_back
    if not field:
        raise Http404(_("No image of that side of the card."))
    extension = field.name.rsplit(".", 1)[-1].lower()
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("The stored image is missing; upload it again.")) from None
    response = FileResponse(handle, as_attachment=extension == "pdf", filename=f"card-{side}.{extension}")
    response["Content-Type"] = CONTENT_TYPES.get(extension, "application/octet-stream")
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Eligibility ------------------------------------------------------------------------------------------------------


@require_action(ELIGIBILITY_CHECK)
@require_http_methods(["GET", "POST"])
def check_add(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """Record a check made by phone or on the payer's portal."""
    coverage = _coverage(request, patient_pk, pk, ELIGIBILITY_CHECK, "insurance.check_add")
    form = ManualCheckForm(
        request.POST or None,
        initial={"checked_at": timezone.localtime().replace(second=0, microsecond=0), "method": "phone"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.eligibility_check_record(actor=staff_user(request), coverage=coverage, **data)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Eligibility check recorded; the benefits found are on the coverage."))
            return _tab(patient_pk)
    return render(
        request, "insurance/check_form.html", {"form": form, "patient": coverage.patient, "coverage": coverage}
    )


@require_action(ELIGIBILITY_CHECK)
@require_http_methods(["GET", "POST"])
def check_send(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """Send a 270 through the clearinghouse, after the Part 2 gate."""
    coverage = _coverage(request, patient_pk, pk, ELIGIBILITY_CHECK, "insurance.check_send")
    form = ElectronicCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.eligibility_check_send(
                actor=staff_user(request), coverage=coverage, service_types=tuple(form.cleaned_data["service_types"])
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Eligibility request sent; the answer appears here when the payer replies."))
            return _tab(patient_pk)
    return render(
        request, "insurance/check_send.html", {"form": form, "patient": coverage.patient, "coverage": coverage}
    )


# --- Authorizations ---------------------------------------------------------------------------------------------------


@require_action(AUTHORIZATIONS_EDIT)
@require_http_methods(["GET", "POST"])
def authorization_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, AUTHORIZATIONS_EDIT, "insurance.authorization_add")
    form = AuthorizationForm(request.POST or None, patient=patient, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.authorization_create(
                actor=staff_user(request),
                patient=patient,
                episode=patient.episodes.filter(status=Episode.Status.ACTIVE).first(),
                **form.authorization_fields(),
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Authorization saved."))
            return _tab(patient.pk)
    return render(
        request, "insurance/authorization_form.html", {"form": form, "patient": patient, "authorization": None}
    )


@require_action(AUTHORIZATIONS_EDIT)
@require_http_methods(["GET", "POST"])
def authorization_edit(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    authorization = read_restricted_or_404(
        Authorization.objects.select_related("patient", "coverage__payer"),
        request,
        AUTHORIZATIONS_EDIT,
        view="insurance.authorization_edit",
        pk=pk,
        patient_id=patient_pk,
    )
    initial: dict[str, Any] = {name: getattr(authorization, name) for name in services.AUTHORIZATION_FIELDS}
    form = AuthorizationForm(request.POST or None, patient=authorization.patient, creating=False, initial=initial)
    return edit_with_version(
        request,
        form,
        record=authorization,
        version=authorization.version,
        save=lambda expected: services.authorization_update(
            actor=staff_user(request),
            authorization=authorization,
            expected_version=expected,
            **form.authorization_fields(),
        ),
        saved=lambda _saved: _saved_to_tab(request, _("Authorization saved."), patient_pk),
        page=lambda: render(
            request,
            "insurance/authorization_form.html",
            {"form": form, "patient": authorization.patient, "authorization": authorization},
        ),
    )
