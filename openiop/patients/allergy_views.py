# SPDX-License-Identifier: AGPL-3.0-or-later
"""The allergy list: the full list with its history, adding an allergy,
stating "no known allergies", marking an entry entered in error; and the panel
on the chart's overview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.patients import selectors, services
from openiop.patients.forms import AllergyErrorForm, AllergyForm, NoKnownAllergiesForm
from openiop.patients.models import Allergy, Patient
from openiop.patients.permissions import ALLERGY_RECORD, ALLERGY_VIEW


def _patient(request: HttpRequest, pk: int, action: str, view: str) -> Patient:
    return read_restricted_or_404(Patient.objects.all(), request, action, view=view, pk=pk)


def _list_url(patient_pk: int) -> str:
    return reverse("patients:allergies", args=[patient_pk])


def overview_panel(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """The allergy panel on the chart's overview (registered in apps.py). The
    chart page has logged reading the patient; the panel is part of it."""
    banner = selectors.allergies_for_banner(patient, user=request.user)
    if banner is None:
        return None
    return {"banner": banner, "patient": patient, "can_record": has_action(request.user, ALLERGY_RECORD)}


@require_action(ALLERGY_VIEW)
def allergy_list(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk, ALLERGY_VIEW, "allergies")
    return render(
        request,
        "patients/allergies.html",
        {
            "patient": patient,
            "entries": list(selectors.patient_allergies(user=request.user, patient=patient)),
            "banner": selectors.allergies_for_banner(patient, user=request.user),
            "can_record": has_action(request.user, ALLERGY_RECORD),
        },
    )


@require_action(ALLERGY_RECORD)
@require_http_methods(["GET", "POST"])
def allergy_add(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk, ALLERGY_RECORD, "allergy_add")
    form = AllergyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            allergy = services.allergy_record(actor=staff_user(request), patient=patient, **form.cleaned_data)
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("%(substance)s added to the allergy list.") % {"substance": allergy.substance})
            return HttpResponseRedirect(_list_url(patient.pk))
    return render(request, "patients/allergy_form.html", {"patient": patient, "form": form, "none_known": False})


@require_action(ALLERGY_RECORD)
@require_http_methods(["GET", "POST"])
def allergy_none_known(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk, ALLERGY_RECORD, "allergy_none_known")
    form = NoKnownAllergiesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allergy_record_none_known(actor=staff_user(request), patient=patient)
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Recorded: no known allergies."))
            return HttpResponseRedirect(_list_url(patient.pk))
    return render(request, "patients/allergy_form.html", {"patient": patient, "form": form, "none_known": True})


@require_action(ALLERGY_RECORD)
@require_http_methods(["GET", "POST"])
def allergy_entered_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    allergy = read_restricted_or_404(
        Allergy.objects.select_related("patient"), request, ALLERGY_RECORD, view="allergy_error", pk=pk
    )
    form = AllergyErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allergy_mark_entered_in_error(
                actor=staff_user(request), allergy=allergy, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Marked as entered in error. It stays on the record and leaves the list."))
            return HttpResponseRedirect(_list_url(allergy.patient_id))
    return render(
        request, "patients/allergy_error.html", {"patient": allergy.patient, "allergy": allergy, "form": form}
    )
