# SPDX-License-Identifier: AGPL-3.0-or-later
"""Patients' and clinicians' weekly availability windows."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.models import User
from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.services import log_read
from openiop.core.views import attach_error
from openiop.scheduling import services
from openiop.scheduling.forms import (
    ClinicianAvailabilityEditForm,
    ClinicianAvailabilityForm,
    PatientAvailabilityEditForm,
    PatientAvailabilityForm,
)
from openiop.scheduling.models import ClinicianAvailability, PatientAvailability
from openiop.scheduling.permissions import SCHEDULING_MANAGE
from openiop.scheduling.views.common import _patient, _pk
from openiop.sites.models import Site

# --- Patients: availability and appointments ------------------------------------------------------------------------


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def patient_availability(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or remove the patient's weekly windows (free, work, school)."""
    patient = _patient(request, pk, SCHEDULING_MANAGE)
    form = PatientAvailabilityForm(request.POST or None if "remove" not in request.POST else None)
    if request.method == "POST" and "remove" in request.POST:
        window = get_restricted_or_404(
            PatientAvailability.objects.filter(patient=patient), request, SCHEDULING_MANAGE, pk=_pk(request, "remove")
        )
        services.patient_availability_remove(actor=staff_user(request), window=window)
        messages.success(request, _("Window removed."))
        return HttpResponseRedirect(reverse("scheduling:availability", args=[patient.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_availability_add(actor=staff_user(request), patient=patient, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Window added."))
            return HttpResponseRedirect(reverse("scheduling:availability", args=[patient.pk]))
    log_read(patient, data={"view": "availability"})
    return render(
        request,
        "scheduling/availability.html",
        {"patient": patient, "form": form, "windows": PatientAvailability.objects.filter(patient=patient)},
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def clinician_availability(request: HttpRequest, pk: int) -> HttpResponse:
    """A staff member's weekly windows for individual appointments."""
    staff = get_restricted_or_404(User.objects.filter(is_active=True).distinct(), request, SCHEDULING_MANAGE, pk=pk)
    sites = Site.objects.restrict(request.user, SCHEDULING_MANAGE).filter(pk__in=staff.site_ids())
    if request.method == "POST" and "remove" in request.POST:
        window = get_restricted_or_404(
            ClinicianAvailability.objects.filter(user=staff), request, SCHEDULING_MANAGE, pk=_pk(request, "remove")
        )
        services.clinician_availability_remove(actor=staff_user(request), window=window)
        messages.success(request, _("Window removed."))
        return HttpResponseRedirect(reverse("scheduling:clinician_availability", args=[staff.pk]))
    form = ClinicianAvailabilityForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            services.clinician_availability_add(actor=staff_user(request), user=staff, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Window added."))
            return HttpResponseRedirect(reverse("scheduling:clinician_availability", args=[staff.pk]))
    return render(
        request,
        "scheduling/clinician_availability.html",
        {
            "staff": staff,
            "form": form,
            "windows": ClinicianAvailability.objects.restrict(request.user, SCHEDULING_MANAGE)
            .filter(user=staff)
            .select_related("site"),
        },
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def patient_availability_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one of a patient's weekly windows."""
    window = get_restricted_or_404(
        PatientAvailability.objects.select_related("patient"), request, SCHEDULING_MANAGE, pk=pk
    )
    patient = window.patient
    form = PatientAvailabilityEditForm(
        request.POST or None,
        initial={
            "kind": window.kind,
            "weekday": window.weekday,
            "start_time": window.start_time,
            "end_time": window.end_time,
            "note": window.note,
            "fingerprint": services.window_fingerprint(window),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.patient_availability_update(
                actor=staff_user(request),
                window=window,
                kind=data["kind"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                note=data["note"],
                expected=data["fingerprint"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Window changed."))
            return HttpResponseRedirect(reverse("scheduling:availability", args=[patient.pk]))
    log_read(patient, data={"view": "availability_edit", "window": window.pk})
    return render(
        request,
        "scheduling/window_form.html",
        {
            "form": form,
            "title": _("Change a window: %(name)s") % {"name": patient.display_name},
            "back": reverse("scheduling:availability", args=[patient.pk]),
            "back_label": patient.display_name,
        },
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def clinician_availability_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one of a staff member's weekly windows."""
    window = get_restricted_or_404(
        ClinicianAvailability.objects.select_related("user", "site"), request, SCHEDULING_MANAGE, pk=pk
    )
    staff = window.user
    sites = Site.objects.restrict(request.user, SCHEDULING_MANAGE).filter(pk__in=staff.site_ids())
    form = ClinicianAvailabilityEditForm(
        request.POST or None,
        sites=sites,
        initial={
            "site": window.site_id,
            "weekday": window.weekday,
            "start_time": window.start_time,
            "end_time": window.end_time,
            "weekly_caseload": window.weekly_caseload,
            "fingerprint": services.window_fingerprint(window),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.clinician_availability_update(
                actor=staff_user(request),
                window=window,
                site=data["site"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                weekly_caseload=data["weekly_caseload"],
                expected=data["fingerprint"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Window changed."))
            return HttpResponseRedirect(reverse("scheduling:clinician_availability", args=[staff.pk]))
    return render(
        request,
        "scheduling/window_form.html",
        {
            "form": form,
            "title": _("Change a window: %(name)s") % {"name": staff},
            "back": reverse("scheduling:clinician_availability", args=[staff.pk]),
            "back_label": str(staff),
        },
    )
