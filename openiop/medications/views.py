# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.models import User
from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.core.views import attach_error
from openiop.medications import catalogue, selectors, services
from openiop.medications.forms import (
    AdherenceForm,
    DecisionForm,
    MedicationForm,
    ResultsForm,
    SobrietyDateForm,
    SpecimenForm,
    StopForm,
    cutoff_unit,
)
from openiop.medications.models import AdherenceNote, DrugTestReview, Medication, SobrietyDate, Specimen, TestResult
from openiop.medications.permissions import (
    DRUGTESTS_CORRECT,
    DRUGTESTS_RECORD,
    DRUGTESTS_REVIEW,
    DRUGTESTS_VIEW,
    MEDICATIONS_ADHERENCE,
    MEDICATIONS_MANAGE,
    MEDICATIONS_VIEW,
)
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site


def _patient(request: HttpRequest, patient_pk: int, action: str, view: str) -> Patient:
    return read_restricted_or_404(Patient.objects.select_related("site"), request, action, view=view, pk=patient_pk)


def _chart(patient: Patient, tab: str) -> str:
    return reverse("patients:chart", args=[patient.pk]) + f"?tab={tab}"


def _patient_site_ids(patient: Patient) -> set[int]:
    return {patient.site_id, *Episode.objects.filter(patient=patient).values_list("site_id", flat=True)}


# --- Medications -------------------------------------------------------------


def _prescribers(patient: Patient, *, also: int | None = None) -> QuerySet[User]:
    """Prescribers on staff at the patient's sites (and ALSO, the current
    entry's prescriber, so a change can keep them)."""
    reach = Q(is_active=True, roles__code=RoleCode.PRESCRIBER, sites__in=_patient_site_ids(patient))
    if also is not None:
        reach |= Q(pk=also)
    return User.objects.filter(reach).distinct().order_by("last_name", "first_name")


@require_action(MEDICATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def medication_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, MEDICATIONS_MANAGE, "medication_add")
    prescribers = _prescribers(patient)
    initial: dict[str, Any] = {"start_date": timezone.localdate()}
    if prescribers.filter(pk=staff_user(request).pk).exists():
        initial["prescriber"] = staff_user(request).pk
    form = MedicationForm(request.POST or None, prescribers=prescribers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            medication = services.medication_add(
                actor=staff_user(request),
                patient=patient,
                catalogue_code=data["catalogue_code"],
                name=data["name"],
                dose=data["dose"],
                route=data["route"],
                frequency=data["frequency"],
                indication=data["indication"],
                prescriber=data["prescriber"],
                outside_prescriber=data["outside_prescriber"],
                dispensed_by_otp=data["dispensed_by_otp"],
                otp_name=data["otp_name"],
                expected_classes=data["expected_classes"],
                start_date=data["start_date"],
                stop_date=data["stop_date"],
                stop_reason=data["stop_reason"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": medication.name})
            return HttpResponseRedirect(_chart(patient, "medications"))
    return render(
        request,
        "medications/medication_form.html",
        {"form": form, "patient": patient, "catalogue": catalogue.MEDICATION_CATALOGUE},
    )


def _medication(request: HttpRequest, patient_pk: int, pk: int, action: str) -> Medication:
    queryset = Medication.objects.select_related(
        "patient", "prescriber", "stopped_by", "created_by", "entered_in_error_by", "replaces"
    ).prefetch_related(Prefetch("adherence_notes", queryset=AdherenceNote.objects.select_related("author")))
    return get_restricted_or_404(queryset, request, action, pk=pk, patient_id=patient_pk)


def _medication_page(
    request: HttpRequest,
    medication: Medication,
    *,
    stop_form: StopForm | None = None,
    note_form: AdherenceForm | None = None,
) -> HttpResponse:
    log_read(medication, data={"view": "medication"})
    can_manage = has_action(request.user, MEDICATIONS_MANAGE)
    current = medication.stop_date is None and not medication.entered_in_error
    can_stop = current and can_manage
    if stop_form is None and can_stop:
        stop_form = StopForm(initial={"version": medication.version, "stop_date": timezone.localdate()})
    if note_form is None and has_action(request.user, MEDICATIONS_ADHERENCE) and not medication.entered_in_error:
        note_form = AdherenceForm(initial={"noted_on": timezone.localdate()})
    return render(
        request,
        "medications/medication_detail.html",
        {
            "medication": medication,
            "patient": medication.patient,
            "stop_form": stop_form if can_stop else None,
            "note_form": note_form,
            "can_change": can_stop,
            "can_mark_in_error": can_manage and not medication.entered_in_error,
            "links": selectors.medication_links(medication),
            "entry": catalogue.CATALOGUE_BY_CODE.get(medication.catalogue_code),
        },
    )


@require_action(MEDICATIONS_VIEW)
def medication_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    return _medication_page(request, _medication(request, patient_pk, pk, MEDICATIONS_VIEW))


@require_action(MEDICATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def medication_stop(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    medication = _medication(request, patient_pk, pk, MEDICATIONS_MANAGE)
    if request.method == "GET":
        return _medication_page(request, medication)
    form = StopForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.medication_stop(
                actor=staff_user(request),
                medication=medication,
                stop_date=data["stop_date"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except StaleEditError as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Stopped %(name)s.") % {"name": medication.name})
            return HttpResponseRedirect(_chart(medication.patient, "medications"))
    return _medication_page(request, medication, stop_form=form)


@require_action(MEDICATIONS_ADHERENCE)
@require_http_methods(["GET", "POST"])
def adherence_add(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    medication = _medication(request, patient_pk, pk, MEDICATIONS_ADHERENCE)
    if request.method == "GET":
        return _medication_page(request, medication)
    form = AdherenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.adherence_note_add(
                actor=staff_user(request),
                medication=medication,
                noted_on=data["noted_on"],
                status=data["status"],
                text=data["text"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Adherence note saved."))
            return HttpResponseRedirect(reverse("medications:detail", args=[medication.patient_id, medication.pk]))
    return _medication_page(request, medication, note_form=form)


# --- Drug tests ------------------------------------------------------------


def _collectors(request: HttpRequest) -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True, sites__in=staff_user(request).site_ids(), roles__actions__code=DRUGTESTS_RECORD
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@require_action(DRUGTESTS_RECORD)
@require_http_methods(["GET", "POST"])
def specimen_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, DRUGTESTS_RECORD, "specimen_add")
    user = staff_user(request)
    sites = Site.objects.filter(pk__in=user.site_ids(), is_active=True).order_by("name")
    episode = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()
    default_site = next(
        (site for site in sites if site.pk in {episode.site_id if episode else None, patient.site_id}),
        sites.first(),
    )
    initial: dict[str, Any] = {"collected_by": user.pk, "specimen_type": Specimen.Type.URINE}
    if default_site is not None:
        initial["site"] = default_site.pk
        initial["collected_at"] = timezone.localtime(timezone.now(), ZoneInfo(default_site.time_zone)).replace(
            tzinfo=None, second=0, microsecond=0
        )
    form = SpecimenForm(request.POST or None, sites=sites, collectors=_collectors(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            specimen = services.specimen_record(
                actor=user,
                patient=patient,
                site=data["site"],
                specimen_type=data["specimen_type"],
                collected_at=data["collected_at"],
                observed=data["observed"],
                collected_by=data["collected_by"],
                notes=data["notes"],
                presumptive=form.entries(unit=cutoff_unit(data["specimen_type"])),
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            reviews = specimen.reviews.filter(status=DrugTestReview.Status.PENDING)
            if reviews.exists():
                messages.warning(
                    request,
                    _(
                        "Unexpected positive: a clinician review is pending. "
                        "The sobriety date does not change until a clinician confirms it."
                    ),
                )
            else:
                messages.success(request, _("Specimen recorded."))
            return HttpResponseRedirect(reverse("medications:specimen", args=[patient.pk, specimen.pk]))
    return render(request, "medications/specimen_form.html", {"form": form, "patient": patient})


def _specimen(request: HttpRequest, patient_pk: int, pk: int, action: str, view: str) -> Specimen:
    queryset = (
        Specimen.objects.select_related("patient", "site", "collected_by", "recorded_by")
        .prefetch_related(
            Prefetch(
                "results",
                queryset=TestResult.objects.select_related("recorded_by").order_by(
                    "drug_class", "method", "recorded_at", "pk"
                ),
            )
        )
        .prefetch_related(
            Prefetch("reviews", queryset=DrugTestReview.objects.select_related("decided_by", "restore_decided_by"))
        )
    )
    return read_restricted_or_404(queryset, request, action, view=view, pk=pk, patient_id=patient_pk)


@require_action(DRUGTESTS_VIEW)
def specimen_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    specimen = _specimen(request, patient_pk, pk, DRUGTESTS_VIEW, "specimen")
    return render(
        request,
        "medications/specimen_detail.html",
        {
            "specimen": specimen,
            "patient": specimen.patient,
            "reading": selectors.specimen_interpretation(specimen),
            "medications": selectors.medications_for(request.user, specimen.patient).filter(
                entered_in_error_at__isnull=True
            ),
            "can_record": has_action(request.user, DRUGTESTS_RECORD),
            "can_correct": has_action(request.user, DRUGTESTS_CORRECT),
            "can_review": has_action(request.user, DRUGTESTS_REVIEW),
            "citation": catalogue.TESTING_CITATION,
        },
    )


@require_action(DRUGTESTS_RECORD)
@require_http_methods(["GET", "POST"])
def results_add(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    specimen = _specimen(request, patient_pk, pk, DRUGTESTS_RECORD, "specimen_results")
    form = ResultsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.results_record(
                actor=staff_user(request),
                specimen=specimen,
                method=data["method"],
                results=form.entries(unit=cutoff_unit(specimen.specimen_type)),
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            if review is not None:
                messages.warning(request, _("Unexpected positive: a clinician review is pending."))
            else:
                messages.success(request, _("Results recorded."))
            return HttpResponseRedirect(reverse("medications:specimen", args=[specimen.patient_id, specimen.pk]))
    return render(
        request,
        "medications/results_form.html",
        {"form": form, "specimen": specimen, "patient": specimen.patient},
    )


@require_action(DRUGTESTS_VIEW)
def trend(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = _patient(request, patient_pk, DRUGTESTS_VIEW, "drug_test_trend")
    rows = selectors.specimen_rows(request.user, patient)
    return render(
        request,
        "medications/trend.html",
        {"patient": patient, "trend": selectors.trend(rows), "sobriety": selectors.current_sobriety_date(patient)},
    )


@require_action(DRUGTESTS_REVIEW)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    queryset = DrugTestReview.objects.select_related(
        "patient", "specimen", "specimen__site", "specimen__collected_by", "decided_by", "restore_decided_by"
    )
    item = get_restricted_or_404(queryset, request, DRUGTESTS_REVIEW, pk=pk, patient_id=patient_pk)
    form = DecisionForm(request.POST or None)
    if request.method == "GET":
        log_read(item, data={"view": "drug_test_review"})
    elif form.is_valid():
        data = form.cleaned_data
        decide = services.review_confirm if data["decision"] == DecisionForm.CONFIRM else services.review_dismiss
        try:
            decided = decide(actor=staff_user(request), review=item, note=data["note"])
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            if decided.status == DrugTestReview.Status.CONFIRMED:
                current = selectors.current_sobriety_date(item.patient)
                messages.success(
                    request,
                    _("Confirmed. Sobriety date: %(date)s.") % {"date": current.date.isoformat() if current else "—"},
                )
            else:
                messages.success(request, _("Dismissed. The sobriety date is unchanged."))
            return HttpResponseRedirect(_chart(item.patient, "drug-tests"))
    specimen = Specimen.objects.prefetch_related("results").get(pk=item.specimen_id)
    return render(
        request,
        "medications/review.html",
        {
            "review": item,
            "patient": item.patient,
            "form": form if item.is_pending else None,
            "reading": selectors.specimen_interpretation(specimen),
            "sobriety": selectors.current_sobriety_date(item.patient),
        },
    )


@require_action(DRUGTESTS_REVIEW)
@require_http_methods(["GET", "POST"])
def sobriety_date_set(request: HttpRequest, patient_pk: int) -> HttpResponse:
    # The page lists the patient's sobriety-date history.
    patient = _patient(request, patient_pk, DRUGTESTS_REVIEW, "sobriety_date")
    form = SobrietyDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sobriety_date_set(
                actor=staff_user(request), patient=patient, date=data["date"], note=data["note"], source=data["source"]
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Sobriety date set."))
            return HttpResponseRedirect(_chart(patient, "drug-tests"))
    history = SobrietyDate.objects.filter(patient=patient).select_related("set_by", "review").order_by("-set_at", "-pk")
    return render(request, "medications/sobriety_form.html", {"form": form, "patient": patient, "history": history})
