# SPDX-License-Identifier: AGPL-3.0-or-later
"""Safety plan pages: the plan on the chart, writing a version, the printable
copy the person takes home, and recording a review with the person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.assessments import safety_plan, selectors, services
from openiop.assessments.forms import SafetyPlanForm, SafetyPlanReviewForm
from openiop.assessments.models import InstrumentResult, SafetyPlanVersion
from openiop.assessments.permissions import ASSESSMENT_VIEW, SAFETY_PLAN_WRITE
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.patients.models import Patient


def _patient(request: HttpRequest, patient_pk: int, action: str, view: str) -> Patient:
    return read_restricted_or_404(Patient.objects.all(), request, action, view=view, pk=patient_pk)


def _plan_url(patient: Patient) -> str:
    return reverse("assessments:safety_plan", args=[patient.pk])


def _steps(version: SafetyPlanVersion) -> list[tuple[safety_plan.Step, list[str]]]:
    return [(step, safety_plan.entries(getattr(version, step.key))) for step in safety_plan.STEPS]


@require_action(ASSESSMENT_VIEW)
def safety_plan_detail(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, ASSESSMENT_VIEW, "safety_plan")
    number = request.GET.get("version", "")
    status = selectors.patient_safety_plan(
        staff_user(request), patient, number=int(number) if number.isdigit() else None
    )
    if status is None and number:
        raise Http404(_("No such version of the safety plan."))
    return render(
        request,
        "assessments/safety_plan.html",
        {
            "patient": patient,
            "status": status,
            "steps": _steps(status.current) if status else [],
            "versions": list(status.plan.versions.select_related("written_by")) if status else [],
            "is_current": status is not None and status.current.number == status.plan.version,
            "can_write": has_action(request.user, SAFETY_PLAN_WRITE),
        },
    )


def _source_result(request: HttpRequest, patient: Patient) -> InstrumentResult | None:
    """The screener result a plan is started from (?result=), when it is this
    patient's and the user may see it; anything else is ignored."""
    raw = request.GET.get("result", "")
    if not raw.isdigit():
        return None
    return (
        InstrumentResult.objects.restrict(request.user, ASSESSMENT_VIEW)
        .filter(pk=int(raw), patient=patient, entered_in_error_at__isnull=True)
        .first()
    )


@require_action(SAFETY_PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def safety_plan_edit(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, SAFETY_PLAN_WRITE, "safety_plan_edit")
    status = selectors.patient_safety_plan(staff_user(request), patient)
    source = _source_result(request, patient)
    initial: dict[str, Any] = {"version": status.plan.version if status else 0}
    if status is not None:
        initial.update({key: getattr(status.current, key) for key in safety_plan.STEP_KEYS})
    else:
        initial["crisis_contacts"] = safety_plan.CRISIS_LINES
    form = SafetyPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.safety_plan_write(
                actor=staff_user(request),
                patient=patient,
                content=form.content(),
                expected_version=form.cleaned_data["version"],
                source_result=source,
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(
                request,
                _("Safety plan version %(version)d saved. Go through it with the person and print their copy.")
                % {"version": version.number},
            )
            return HttpResponseRedirect(_plan_url(patient))
    return render(
        request,
        "assessments/safety_plan_form.html",
        {"patient": patient, "form": form, "status": status, "source": source},
    )


@require_action(ASSESSMENT_VIEW)
def safety_plan_print(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, ASSESSMENT_VIEW, "safety_plan_print")
    status = selectors.patient_safety_plan(staff_user(request), patient)
    if status is None:
        raise Http404(_("This patient has no safety plan yet."))
    return render(
        request,
        "assessments/safety_plan_print.html",
        {"patient": patient, "status": status, "steps": _steps(status.current)},
    )


@require_action(SAFETY_PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def safety_plan_review(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, SAFETY_PLAN_WRITE, "safety_plan_review")
    status = selectors.patient_safety_plan(staff_user(request), patient)
    if status is None:
        messages.error(request, _("There is no safety plan to review yet: write one first."))
        return HttpResponseRedirect(reverse("assessments:safety_plan_edit", args=[patient.pk]))
    form = SafetyPlanReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_plan_review(
                actor=staff_user(request),
                plan=status.plan,
                reviewed_on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Recorded: the plan was reviewed with the patient."))
            return HttpResponseRedirect(_plan_url(patient))
    return render(
        request,
        "assessments/safety_plan_review.html",
        {"patient": patient, "status": status, "steps": _steps(status.current), "form": form},
    )
