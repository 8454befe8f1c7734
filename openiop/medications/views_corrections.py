# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pages that change what was recorded: a medication's dose or directions, a
medication entered in error, a drug-test result corrected, and the answer to
an offer to restore the sobriety date (see corrections.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.locking import StaleEditError
from openiop.core.views import attach_error
from openiop.medications import corrections, selectors
from openiop.medications.forms import ChangeForm, CorrectionForm, InErrorForm, RestoreForm
from openiop.medications.models import DrugTestReview, Medication, SobrietyDate, TestResult
from openiop.medications.permissions import DRUGTESTS_CORRECT, DRUGTESTS_REVIEW, MEDICATIONS_MANAGE
from openiop.medications.views import _chart, _medication, _prescribers


def _detail(medication: Medication) -> str:
    return reverse("medications:detail", args=[medication.patient_id, medication.pk])


# --- Medications -------------------------------------------------------------


@require_action(MEDICATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def medication_change(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    medication = _medication(request, patient_pk, pk, MEDICATIONS_MANAGE)
    changeable = medication.stop_date is None and not medication.entered_in_error
    initial: dict[str, Any] = {
        "version": medication.version,
        "dose": medication.dose,
        "route": medication.route,
        "frequency": medication.frequency,
        "prescriber": medication.prescriber_id,
        "outside_prescriber": medication.outside_prescriber,
        "indication": medication.indication,
        "start_date": timezone.localdate(),
    }
    form = ChangeForm(
        request.POST if request.method == "POST" else None,
        prescribers=_prescribers(medication.patient, also=medication.prescriber_id),
        initial=initial,
    )
    if request.method == "GET":
        log_read(medication, data={"view": "medication_change"})
    elif changeable and form.is_valid():
        data = form.cleaned_data
        try:
            replacement = corrections.medication_change(
                actor=staff_user(request),
                medication=medication,
                expected_version=data["version"],
                dose=data["dose"],
                route=data["route"],
                frequency=data["frequency"],
                prescriber=data["prescriber"],
                outside_prescriber=data["outside_prescriber"],
                indication=data["indication"],
                start_date=data["start_date"],
                reason=data["reason"],
            )
        except StaleEditError as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(
                request,
                _("Changed %(name)s to %(summary)s from %(date)s. The previous entry stopped that day.")
                % {"name": replacement.name, "summary": replacement.summary(), "date": replacement.start_date},
            )
            return HttpResponseRedirect(_detail(replacement))
    return render(
        request,
        "medications/medication_change.html",
        {"medication": medication, "patient": medication.patient, "form": form, "changeable": changeable},
    )


@require_action(MEDICATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def medication_in_error(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    medication = _medication(request, patient_pk, pk, MEDICATIONS_MANAGE)
    form = InErrorForm(request.POST if request.method == "POST" else None, initial={"version": medication.version})
    if request.method == "GET":
        log_read(medication, data={"view": "medication_in_error"})
    elif not medication.entered_in_error and form.is_valid():
        try:
            outcome = corrections.medication_mark_in_error(
                actor=staff_user(request),
                medication=medication,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEditError as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("%(name)s is marked entered in error.") % {"name": medication})
            if outcome.reinstated is not None:
                messages.info(
                    request,
                    _("The entry it had replaced (%(summary)s) is current again.")
                    % {"summary": outcome.reinstated.summary()},
                )
            if outcome.reviews:
                messages.warning(
                    request,
                    ngettext(
                        "A drug-test positive this entry explained is now unexpected: a clinician review is pending.",
                        "%(n)d drug tests have positives this entry explained, now unexpected: "
                        "clinician reviews are pending.",
                        len(outcome.reviews),
                    )
                    % {"n": len(outcome.reviews)},
                )
            return HttpResponseRedirect(_chart(medication.patient, "medications"))
    return render(
        request,
        "medications/medication_in_error.html",
        {
            "medication": medication,
            "patient": medication.patient,
            "form": form,
            "newer": medication.replacements.filter(entered_in_error_at__isnull=True).first(),
        },
    )


# --- Drug-test results -------------------------------------------------------


@require_action(DRUGTESTS_CORRECT)
@require_http_methods(["GET", "POST"])
def result_correct(request: HttpRequest, patient_pk: int, specimen_pk: int, pk: int) -> HttpResponse:
    queryset = TestResult.objects.select_related(
        "specimen", "specimen__patient", "specimen__site", "recorded_by", "supersedes"
    )
    result = get_restricted_or_404(
        queryset, request, DRUGTESTS_CORRECT, pk=pk, specimen_id=specimen_pk, specimen__patient_id=patient_pk
    )
    specimen = result.specimen
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={"result": result.result, "cutoff": result.cutoff},
    )
    if request.method == "GET":
        log_read(result, data={"view": "result_correct"})
    elif result.is_current and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = corrections.result_correct(
                actor=staff_user(request),
                result=result,
                new_result=data["result"],
                cutoff=data["cutoff"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Result corrected; the original is kept and marked superseded."))
            if outcome.review is not None:
                messages.warning(
                    request,
                    _(
                        "The correction shows an unexpected positive: a clinician review is pending. "
                        "The sobriety date does not change until a clinician confirms it."
                    ),
                )
            for review in outcome.now_explained:
                messages.info(
                    request,
                    _("The pending review (%(classes)s) has nothing unexpected left: a clinician can dismiss it.")
                    % {"classes": ", ".join(review.drug_class_labels())},
                )
            for review in outcome.restore_offers:
                messages.warning(
                    request,
                    _(
                        "This correction takes away the unexpected positive that a clinician confirmed and that "
                        "reset the sobriety date to %(reset)s. A clinician decides whether to restore the earlier "
                        "date (%(before)s)."
                    )
                    % {
                        "reset": specimen.collected_on.isoformat(),
                        "before": review.sobriety_date_before.isoformat() if review.sobriety_date_before else "—",
                    },
                )
            if outcome.restore_offers and has_action(request.user, DRUGTESTS_REVIEW):
                first = outcome.restore_offers[0]
                return HttpResponseRedirect(reverse("medications:sobriety_restore", args=[patient_pk, first.pk]))
            return HttpResponseRedirect(reverse("medications:specimen", args=[patient_pk, specimen.pk]))
    history = list(
        TestResult.objects.filter(specimen=specimen, method=result.method, drug_class=result.drug_class).select_related(
            "recorded_by"
        )
    )
    return render(
        request,
        "medications/result_correct.html",
        {
            "result": result,
            "specimen": specimen,
            "patient": specimen.patient,
            "form": form,
            "history": history,
            "newest": next((row for row in history if row.is_current), None),
        },
    )


@require_action(DRUGTESTS_REVIEW)
@require_http_methods(["GET", "POST"])
def sobriety_restore(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    queryset = DrugTestReview.objects.select_related(
        "patient", "specimen", "specimen__site", "decided_by", "restore_decided_by"
    )
    review = get_restricted_or_404(queryset, request, DRUGTESTS_REVIEW, pk=pk, patient_id=patient_pk)
    form = RestoreForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        log_read(review, data={"view": "sobriety_restore"})
    elif review.restore_pending and form.is_valid():
        data = form.cleaned_data
        try:
            corrections.sobriety_restore_decide(
                actor=staff_user(request),
                review=review,
                restore=data["decision"] == RestoreForm.RESTORE,
                note=data["note"],
            )
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            current = selectors.current_sobriety_date(review.patient)
            messages.success(
                request,
                _("Saved. Sobriety date: %(date)s.") % {"date": current.date.isoformat() if current else "—"},
            )
            return HttpResponseRedirect(_chart(review.patient, "drug-tests"))
    corrected = list(
        TestResult.objects.filter(specimen=review.specimen, supersedes__isnull=False)
        .select_related("recorded_by", "supersedes")
        .order_by("-recorded_at", "-pk")
    )
    return render(
        request,
        "medications/sobriety_restore.html",
        {
            "review": review,
            "patient": review.patient,
            "form": form if review.restore_pending else None,
            "blocker": corrections.restore_blocker(review) if review.restore_pending else None,
            "sobriety": selectors.current_sobriety_date(review.patient),
            "reset": SobrietyDate.objects.filter(review=review, source=SobrietyDate.Source.REVIEW).first(),
            "corrected": corrected,
            "reading": selectors.specimen_interpretation(review.specimen),
        },
    )
