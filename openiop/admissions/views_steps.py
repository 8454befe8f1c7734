# SPDX-License-Identifier: AGPL-3.0-or-later
"""The pipeline steps that are forms of their own: the pre-screen, the
benefits check, booking the assessment and admitting (which opens the
episode of care). Each saves in one transaction or not at all, and a refusal
comes back beside the field it concerns."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.admissions import pipeline, selectors, services
from openiop.admissions.forms import AdmitForm, AssessmentForm, BenefitsForm, PrescreenForm, clinical_staff_at
from openiop.admissions.models import Inquiry
from openiop.admissions.permissions import ADMISSIONS_MANAGE
from openiop.admissions.views import add_errors
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.services import log_read
from openiop.core.roles import CLINICAL_ROLES, RoleCode
from openiop.patients.models import Patient
from openiop.patients.permissions import PATIENT_VIEW
from openiop.scheduling.services import local_datetime

COUNSELLOR_ROLES = (RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR)


def _inquiry(request: HttpRequest, pk: int) -> Inquiry:
    return get_restricted_or_404(selectors.inquiry_queryset(), request, ADMISSIONS_MANAGE, pk=pk)


def _page(request: HttpRequest, inquiry: Inquiry, form: Any, step: str, status: int = 200) -> HttpResponse:
    titles = {
        "prescreen": _("Pre-screen"),
        "benefits": _("Benefits check"),
        "assessment": _("Schedule the assessment"),
        "admit": _("Admit and open the episode of care"),
    }
    context = {"inquiry": inquiry, "form": form, "step": step, "title": titles[step]}
    return render(request, "admissions/inquiry_step.html", context, status=status)


def _closed_page(request: HttpRequest, inquiry: Inquiry) -> HttpResponse:
    messages.info(
        request,
        _("This inquiry is %(stage)s, a final stage; it is kept as it was.")
        % {"stage": inquiry.get_stage_display().lower()},
    )
    return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))


@require_action(ADMISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def inquiry_prescreen(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _inquiry(request, pk)
    if not inquiry.is_open:
        return _closed_page(request, inquiry)
    form = PrescreenForm(request.POST or None, instance=inquiry)
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry_prescreen"})
    elif form.is_valid():
        try:
            saved = services.prescreen_record(
                actor=request.user,  # type: ignore[arg-type]
                inquiry=inquiry,
                expected_version=form.cleaned_data["version"],
                **form.step_fields(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            escalations = saved.escalations()
            for escalation in escalations:
                messages.error(request, escalation.message)
            if not escalations:
                messages.success(request, _("Pre-screen saved. No answer needs escalating."))
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return _page(request, inquiry, form, "prescreen", status=400 if form.errors else 200)


@require_action(ADMISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def inquiry_benefits(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _inquiry(request, pk)
    if not inquiry.is_open:
        return _closed_page(request, inquiry)
    form = BenefitsForm(request.POST or None, instance=inquiry)
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry_benefits"})
    elif form.is_valid():
        try:
            services.benefits_record(
                actor=request.user,  # type: ignore[arg-type]
                inquiry=inquiry,
                expected_version=form.cleaned_data["version"],
                **form.step_fields(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Benefits check saved."))
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return _page(request, inquiry, form, "benefits", status=400 if form.errors else 200)


def _not_next(request: HttpRequest, inquiry: Inquiry, stage: str) -> HttpResponse | None:
    """Back to the inquiry, saying why, when STAGE is not its next step."""
    if inquiry.is_open and pipeline.allowed_moves(inquiry.stage)[0] == stage:
        return None
    try:
        pipeline.check_move(inquiry.stage, stage)
    except pipeline.MoveRefused as refused:
        messages.error(request, refused.message)
    return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))


@require_action(ADMISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def inquiry_schedule_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """Move to "assessment scheduled" by booking the assessment: clinician,
    day, time and room, under the scheduling rules."""
    inquiry = _inquiry(request, pk)
    if (refused := _not_next(request, inquiry, pipeline.ASSESSMENT_SCHEDULED)) is not None:
        return refused
    clinicians = clinical_staff_at(inquiry.site, COUNSELLOR_ROLES)
    form = AssessmentForm(request.POST or None, inquiry=inquiry, clinicians=clinicians)
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry_assessment"})
    elif form.is_valid():
        data = form.cleaned_data
        booking = services.AssessmentBooking(
            clinician=data["clinician"],
            start=local_datetime(inquiry.site, data["day"], data["start_time"]),
            end=local_datetime(inquiry.site, data["day"], data["end_time"]),
            room=data["room"],
        )
        try:
            services.inquiry_move(
                actor=request.user,  # type: ignore[arg-type]
                inquiry=inquiry,
                to_stage=pipeline.ASSESSMENT_SCHEDULED,
                expected_version=data["version"],
                note=data["note"],
                assessment=booking,
            )
        except pipeline.MoveRefused as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Assessment booked."))
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return _page(request, inquiry, form, "assessment", status=400 if form.errors else 200)


def _linkable_patients(request: HttpRequest, inquiry: Inquiry) -> Any:
    """Existing charts the user may see that look like this person: the
    navigator may admit by linking one rather than registering a duplicate."""
    matches = services.possible_duplicates(
        phone=inquiry.phone, first_name=inquiry.first_name, last_name=inquiry.last_name,
        birth_date=inquiry.birth_date, email=inquiry.email, exclude_pk=inquiry.pk,
    )  # fmt: skip
    return Patient.objects.restrict(request.user, PATIENT_VIEW).filter(
        pk__in=[match.record.pk for match in matches.patients]
    )


@require_action(ADMISSIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def inquiry_admit(request: HttpRequest, pk: int) -> HttpResponse:
    """Admit: register the person (or link their chart) and open the episode
    of care with its level, program, track and care team, in one step."""
    inquiry = _inquiry(request, pk)
    if (refused := _not_next(request, inquiry, pipeline.ADMITTED)) is not None:
        return refused
    form = AdmitForm(
        request.POST or None,
        inquiry=inquiry,
        counsellors=clinical_staff_at(inquiry.site, COUNSELLOR_ROLES),
        team=clinical_staff_at(inquiry.site, tuple(CLINICAL_ROLES)),
        linkable_patients=_linkable_patients(request, inquiry),
        initial={"admission_date": timezone.localdate()},
    )
    if request.method == "GET":
        log_read(inquiry, data={"view": "inquiry_admit"})
    elif form.is_valid():
        data = form.cleaned_data
        details = services.EpisodeDetails(
            admission_date=data["admission_date"],
            level_of_care=data["level_of_care"],
            program=data["program"],
            primary_counsellor=data["primary_counsellor"],
            care_team=tuple(data["care_team"]),
            track=data.get("track"),
        )
        try:
            moved = services.inquiry_move(
                actor=request.user,  # type: ignore[arg-type]
                inquiry=inquiry,
                to_stage=pipeline.ADMITTED,
                expected_version=data["version"],
                note=data["note"],
                existing_patient=data.get("existing_patient"),
                episode=details,
            )
        except pipeline.MoveRefused as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            patient = moved.patient
            assert patient is not None  # admitting always sets the chart
            messages.success(
                request,
                _("Admitted: chart %(mrn)s with an active episode of care from %(date)s.")
                % {"mrn": patient.mrn, "date": f"{data['admission_date']:%Y-%m-%d}"},
            )
            if Patient.objects.restrict(request.user, PATIENT_VIEW).filter(pk=patient.pk).exists():
                return HttpResponseRedirect(reverse("patients:chart", args=[patient.pk]))
            return HttpResponseRedirect(reverse("admissions:detail", args=[inquiry.pk]))
    return _page(request, inquiry, form, "admit", status=400 if form.errors else 200)
