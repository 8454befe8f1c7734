# SPDX-License-Identifier: AGPL-3.0-or-later
"""Problem-list pages: add (with a code search that works with or without
script), edit, resolve or rule out, mark primary, mark entered in error. The
list itself is the chart's Diagnoses tab, where every page returns."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.views import attach_error
from openiop.diagnoses import codes, services
from openiop.diagnoses.forms import DiagnosisEditForm, DiagnosisForm, EnteredInErrorForm, MarkPrimaryForm, ResolveForm
from openiop.diagnoses.models import Diagnosis, DiagnosisStatus
from openiop.diagnoses.permissions import DIAGNOSES_EDIT
from openiop.patients.models import Episode, Patient

# A search shows this many codes; more words narrow it.
SEARCH_LIMIT = 20
# Longer queries are cut: nobody types a description this long.
QUERY_MAX_LENGTH = 100


def _tab_url(patient_pk: int) -> str:
    return reverse("patients:chart", args=[patient_pk]) + "?tab=diagnoses"


def _diagnosis(request: HttpRequest, pk: int, view: str) -> Diagnosis:
    return read_restricted_or_404(
        Diagnosis.objects.select_related("patient"), request, DIAGNOSES_EDIT, view=view, pk=pk
    )


def _search_context(request: HttpRequest) -> dict[str, Any]:
    """The code search's query, its matches and the code picked from them
    (``?code=``), for the plain GET form and the htmx fragment alike."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    picked = codes.normalize(request.GET.get("code", ""))[:12]
    return {
        "query": query,
        "matches": [(codes.display(code), description) for code, description in codes.search(query, SEARCH_LIMIT)]
        if query
        else [],
        "picked": picked if picked and codes.is_billable(picked) else "",
    }


@require_action(DIAGNOSES_EDIT)
@require_GET
def code_search(request: HttpRequest) -> HttpResponse:
    """The matches for ``?q=`` as a list of links that pick a code on the
    page it is placed in (htmx swaps it in as one types). No patient data."""
    return render(request, "diagnoses/_matches.html", _search_context(request))


@require_action(DIAGNOSES_EDIT)
@require_http_methods(["GET", "POST"])
def diagnosis_add(request: HttpRequest, pk: int) -> HttpResponse:
    patient = read_restricted_or_404(Patient.objects.all(), request, DIAGNOSES_EDIT, view="diagnosis_add", pk=pk)
    search = _search_context(request)
    has_primary = Diagnosis.objects.filter(patient=patient, status=DiagnosisStatus.ACTIVE, is_primary=True).exists()
    initial = {"code": codes.display(search["picked"]) if search["picked"] else "", "is_primary": not has_primary}
    form = DiagnosisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        episode = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()
        try:
            diagnosis = services.diagnosis_create(
                actor=staff_user(request), patient=patient, episode=episode, **form.cleaned_data
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("%(diagnosis)s added to the problem list.") % {"diagnosis": diagnosis})
            return HttpResponseRedirect(_tab_url(patient.pk))
    return render(
        request,
        "diagnoses/diagnosis_form.html",
        {"patient": patient, "form": form, "creating": True, "picked_description": codes.describe(search["picked"]),
         **search},
    )  # fmt: skip


@require_action(DIAGNOSES_EDIT)
@require_http_methods(["GET", "POST"])
def diagnosis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    diagnosis = _diagnosis(request, pk, "diagnosis_edit")
    if diagnosis.status == DiagnosisStatus.ENTERED_IN_ERROR:
        messages.error(request, _("This diagnosis was entered in error; it stays on the record as it is."))
        return HttpResponseRedirect(_tab_url(diagnosis.patient_id))
    search = _search_context(request)
    initial = {
        "code": codes.display(search["picked"] or diagnosis.code),
        "onset_date": diagnosis.onset_date,
        "version": diagnosis.version,
    }
    form = DiagnosisEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_update(
                actor=staff_user(request),
                diagnosis=diagnosis,
                expected_version=form.cleaned_data["version"],
                code=form.cleaned_data["code"],
                onset_date=form.cleaned_data["onset_date"],
                episode=diagnosis.episode,
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(_tab_url(diagnosis.patient_id))
    return render(
        request,
        "diagnoses/diagnosis_form.html",
        {"patient": diagnosis.patient, "diagnosis": diagnosis, "form": form, "creating": False,
         "picked_description": codes.describe(search["picked"]), **search},
    )  # fmt: skip


def _closing_page(request: HttpRequest, diagnosis: Diagnosis, template: str, form: Any) -> HttpResponse:
    return render(request, template, {"patient": diagnosis.patient, "diagnosis": diagnosis, "form": form})


@require_action(DIAGNOSES_EDIT)
@require_http_methods(["GET", "POST"])
def diagnosis_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    diagnosis = _diagnosis(request, pk, "diagnosis_resolve")
    form = ResolveForm(request.POST or None, initial={"on": timezone.localdate(), "version": diagnosis.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_resolve(
                actor=staff_user(request),
                diagnosis=diagnosis,
                expected_version=form.cleaned_data["version"],
                outcome=form.cleaned_data["outcome"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("%(diagnosis)s closed; it stays on the record.") % {"diagnosis": diagnosis})
            return HttpResponseRedirect(_tab_url(diagnosis.patient_id))
    return _closing_page(request, diagnosis, "diagnoses/diagnosis_resolve.html", form)


@require_action(DIAGNOSES_EDIT)
@require_http_methods(["GET", "POST"])
def diagnosis_mark_primary(request: HttpRequest, pk: int) -> HttpResponse:
    diagnosis = _diagnosis(request, pk, "diagnosis_primary")
    # No fields: an empty POST is still a submission (``request.POST or None`` would not bind it).
    form = MarkPrimaryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_mark_primary(actor=staff_user(request), diagnosis=diagnosis)
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("%(diagnosis)s is now the primary diagnosis.") % {"diagnosis": diagnosis})
            return HttpResponseRedirect(_tab_url(diagnosis.patient_id))
    current = (
        Diagnosis.objects.filter(patient_id=diagnosis.patient_id, status=DiagnosisStatus.ACTIVE, is_primary=True)
        .exclude(pk=diagnosis.pk)
        .first()
    )
    return render(
        request,
        "diagnoses/diagnosis_primary.html",
        {"patient": diagnosis.patient, "diagnosis": diagnosis, "form": form, "current": current},
    )


@require_action(DIAGNOSES_EDIT)
@require_http_methods(["GET", "POST"])
def diagnosis_entered_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    diagnosis = _diagnosis(request, pk, "diagnosis_error")
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_mark_entered_in_error(
                actor=staff_user(request), diagnosis=diagnosis, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Marked as entered in error. It stays on the record and leaves the list."))
            return HttpResponseRedirect(_tab_url(diagnosis.patient_id))
    return _closing_page(request, diagnosis, "diagnoses/diagnosis_error.html", form)
