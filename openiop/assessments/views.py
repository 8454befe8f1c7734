# SPDX-License-Identifier: AGPL-3.0-or-later
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
from openiop.assessments import placement, safety, selectors, services
from openiop.assessments.forms import (
    AcknowledgeForm,
    ApplyDecisionForm,
    DecisionForm,
    EnteredInErrorForm,
    InstrumentForm,
    PlacementForm,
    SafetyConcernForm,
    WithdrawalCheckForm,
)
from openiop.assessments.instruments import SUICIDAL_IDEATION, get_instrument
from openiop.assessments.models import InstrumentResult, PlacementAssessment, SafetyAlert
from openiop.assessments.permissions import (
    ALERT_ACKNOWLEDGE,
    ALERT_RAISE,
    ASSESSMENT_ADMINISTER,
    ASSESSMENT_VIEW,
    PLACEMENT_DECIDE,
    SAFETY_PLAN_WRITE,
    WITHDRAWAL_RECORD,
)
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import log_list_read, read_restricted_or_404
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.patients import services as episode_services
from openiop.patients.models import Patient, Sex
from openiop.patients.permissions import EPISODE_MANAGE


def _chart_url(patient: Patient, tab: str = "assessments") -> str:
    return reverse("patients:chart", args=[patient.pk]) + f"?tab={tab}"


# --- Chart tab ----------------------------------------------------------------------------------------------------


# --- Instruments --------------------------------------------------------------------------------------------------


def _instrument_or_404(code: str) -> Any:
    try:
        return get_instrument(code)
    except ValueError:
        raise Http404(_("No such instrument.")) from None


def _sex_for(patient: Patient) -> str | None:
    return patient.sex_at_birth if patient.sex_at_birth in (Sex.MALE, Sex.FEMALE) else None


@require_action(ASSESSMENT_ADMINISTER)
@require_http_methods(["GET", "POST"])
def administer(request: HttpRequest, patient_pk: int, code: str) -> HttpResponse:
    patient = read_restricted_or_404(
        Patient.objects.all(), request, ASSESSMENT_ADMINISTER, view="administer", pk=patient_pk
    )
    instrument = _instrument_or_404(code)
    known_sex = _sex_for(patient)
    ask_sex = instrument.requires_sex and known_sex is None
    form = InstrumentForm(request.POST or None, instrument=instrument, ask_sex=ask_sex)
    _bands, band_rule = services.bands_in_force(instrument.code)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.result_record(
                actor=staff_user(request),
                patient=patient,
                code=instrument.code,
                answers=form.answers(),
                administered_at=form.when(),
                sex=form.cleaned_data.get("sex") or known_sex,
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            return HttpResponseRedirect(reverse("assessments:result", args=[result.pk]))
    return render(
        request,
        "assessments/administer.html",
        {"patient": patient, "instrument": instrument, "form": form, "band_rule": band_rule},
    )


@require_action(ASSESSMENT_VIEW)
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_restricted_or_404(
        InstrumentResult.objects.select_related("patient", "administered_by"), request, ASSESSMENT_VIEW, pk=pk
    )
    log_read(result, data={"view": "result"})
    instrument = get_instrument(result.instrument_code)
    answered = [
        (item, value, next((c for c in item.choices if c.value == value), None))
        for item, value in zip(instrument.items, result.answers, strict=False)
    ]
    return render(
        request,
        "assessments/result.html",
        {
            "result": result,
            "patient": result.patient,
            "instrument": instrument,
            "answered": answered,
            "alerts": list(result.alerts.select_related("acknowledged_by")),
            "can_correct": has_action(request.user, ASSESSMENT_ADMINISTER) and result.entered_in_error_at is None,
            **_follow_up(request, result),
        },
    )


def _follow_up(request: HttpRequest, result: InstrumentResult) -> dict[str, Any]:
    """What the result asks for next: a suicide item answered on a screen asks
    for the C-SSRS screener; a moderate or high triage for a safety plan."""
    if result.entered_in_error_at is not None:
        return {}
    concerns = safety.concerns(
        code=result.instrument_code, total=result.total, band=result.band, flags=result.flags, thresholds={}
    )
    kinds = {concern.kind for concern in concerns}
    user = staff_user(request)
    wants_plan = bool(kinds & safety.SAFETY_PLAN_KINDS)
    return {
        "offer_screener": SUICIDAL_IDEATION in result.flags and has_action(user, ASSESSMENT_ADMINISTER),
        "offer_safety_plan": wants_plan and has_action(user, SAFETY_PLAN_WRITE),
        "has_safety_plan": wants_plan and selectors.patient_safety_plan(user, result.patient) is not None,
    }


@require_action(ASSESSMENT_ADMINISTER)
@require_http_methods(["GET", "POST"])
def result_entered_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    result = read_restricted_or_404(
        InstrumentResult.objects.select_related("patient"), request, ASSESSMENT_ADMINISTER, view="result_error", pk=pk
    )
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.result_mark_entered_in_error(
                actor=staff_user(request), result=result, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Marked as entered in error. It stays on the record and leaves the charts."))
            return HttpResponseRedirect(reverse("assessments:result", args=[result.pk]))
    return render(
        request, "assessments/entered_in_error.html", {"result": result, "patient": result.patient, "form": form}
    )


# --- Safety alerts ------------------------------------------------------------------------------------------------


@require_action(ASSESSMENT_VIEW)
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = list(selectors.open_alerts(staff_user(request))[:200])
    log_list_read("alert_list", alerts)
    return render(request, "assessments/alert_list.html", {"alerts": alerts})


def _alert(request: HttpRequest, pk: int, action: str, view: str) -> SafetyAlert:
    return read_restricted_or_404(
        SafetyAlert.objects.select_related("patient", "raised_by", "acknowledged_by", "source_result"),
        request,
        action,
        view=view,
        pk=pk,
    )


def _render_alert(request: HttpRequest, alert: SafetyAlert, form: AcknowledgeForm) -> HttpResponse:
    return render(
        request,
        "assessments/alert.html",
        {
            "alert": alert,
            "patient": alert.patient,
            "form": form,
            "can_acknowledge": has_action(request.user, ALERT_ACKNOWLEDGE) and alert.is_open,
        },
    )


@require_action(ASSESSMENT_VIEW)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk, ASSESSMENT_VIEW, "alert")
    return _render_alert(request, alert, AcknowledgeForm())


@require_action(ALERT_ACKNOWLEDGE)
@require_http_methods(["GET", "POST"])
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk, ALERT_ACKNOWLEDGE, "alert_acknowledge")
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_acknowledge(actor=staff_user(request), alert=alert, note=form.cleaned_data["note"])
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Alert acknowledged."))
            return HttpResponseRedirect(reverse("assessments:alert", args=[alert.pk]))
    return _render_alert(request, alert, form)


@require_action(ALERT_RAISE)
@require_http_methods(["GET", "POST"])
def safety_concern(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = read_restricted_or_404(Patient.objects.all(), request, ALERT_RAISE, view="safety_concern", pk=patient_pk)
    form = SafetyConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.alert_raise(
                actor=staff_user(request),
                patient=patient,
                kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT,
                detail=form.cleaned_data["detail"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            return HttpResponseRedirect(reverse("assessments:alert", args=[alert.pk]))
    return render(request, "assessments/safety_concern.html", {"patient": patient, "form": form})


# --- Placement ----------------------------------------------------------------------------------------------------


@require_action(PLACEMENT_DECIDE)
@require_http_methods(["GET", "POST"])
def placement_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = read_restricted_or_404(
        Patient.objects.all(), request, PLACEMENT_DECIDE, view="placement_new", pk=patient_pk
    )
    suggestions = placement.suggest_ratings(services.suggestion_inputs(patient))
    suggested: dict[int, int] = {}
    for suggestion in suggestions:
        suggested[suggestion.dimension] = max(suggestion.rating, suggested.get(suggestion.dimension, 0))
    episode = services.active_episode(patient)
    adolescent = episode is not None and episode.program == "adolescent_iop"
    form = PlacementForm(request.POST or None, suggested=suggested, initial={"adolescent": adolescent})
    if request.method == "POST" and form.is_valid():
        try:
            run = services.placement_run(
                actor=staff_user(request),
                patient=patient,
                ratings=form.ratings(),
                notes=form.notes(),
                fit=form.fit(),
                adolescent=form.cleaned_data["adolescent"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            return HttpResponseRedirect(reverse("assessments:placement", args=[run.pk]))
    by_dimension: dict[int, list[placement.Suggestion]] = {}
    for suggestion in suggestions:
        by_dimension.setdefault(suggestion.dimension, []).append(suggestion)
    rows = [(d, rating, note, by_dimension.get(d.number, [])) for d, rating, note in form.dimension_rows()]
    return render(
        request,
        "assessments/placement_form.html",
        {"patient": patient, "form": form, "rows": rows, "rule_set": placement.load_rule_set()},
    )


def _placement(request: HttpRequest, pk: int, action: str, view: str) -> PlacementAssessment:
    return read_restricted_or_404(
        PlacementAssessment.objects.select_related("patient", "assessed_by", "decided_by"),
        request,
        action,
        view=view,
        pk=pk,
    )


def _render_placement(request: HttpRequest, run: PlacementAssessment, form: DecisionForm) -> HttpResponse:
    dimensions = {d.number: d for d in placement.DIMENSIONS}
    ratings = [
        (dimensions[int(number)], value) for number, value in sorted(run.ratings.items(), key=lambda kv: int(kv[0]))
    ]
    factors = {f.code: f for f in placement.FIT_FACTORS}
    fit = [(factors[code].question if code in factors else code, answer) for code, answer in run.fit_answers.items()]
    episode = services.active_episode(run.patient)
    return render(
        request,
        "assessments/placement.html",
        {
            "run": run,
            "episode": episode,
            "can_apply": (
                run.is_decided
                and episode is not None
                and episode.level_of_care != run.decided_level
                and has_action(request.user, EPISODE_MANAGE)
            ),
            "patient": run.patient,
            "ratings": ratings,
            "fit": fit,
            "form": form,
            "can_decide": has_action(request.user, PLACEMENT_DECIDE) and not run.is_decided,
            "severe_withdrawal": int(run.ratings.get("1", {}).get("rating", 0)) >= 3,
        },
    )


def _decision_form(run: PlacementAssessment, data: Any = None) -> DecisionForm:
    return DecisionForm(
        data, initial={"level": run.recommended_level, "withdrawal_management": run.recommended_withdrawal_management}
    )


@require_action(ASSESSMENT_VIEW)
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _placement(request, pk, ASSESSMENT_VIEW, "placement")
    return _render_placement(request, run, _decision_form(run))


@require_action(PLACEMENT_DECIDE)
@require_http_methods(["GET", "POST"])
def placement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    run = _placement(request, pk, PLACEMENT_DECIDE, "placement_decide")
    form = _decision_form(run, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_decide(
                actor=staff_user(request),
                run=run,
                level=form.cleaned_data["level"],
                withdrawal_management=form.cleaned_data["withdrawal_management"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Placement decision recorded."))
            return HttpResponseRedirect(reverse("assessments:placement", args=[run.pk]))
    return _render_placement(request, run, form)


@require_action(EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def placement_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Step the active episode up or down to the decided level, linked to this
    placement (the episode keeps the change in its history)."""
    run = _placement(request, pk, EPISODE_MANAGE, "placement_apply")
    episode = services.active_episode(run.patient)
    if not run.is_decided or episode is None:
        messages.error(request, _("Only a decided placement can change an active episode's level."))
        return HttpResponseRedirect(reverse("assessments:placement", args=[run.pk]))
    reason = _("Placement version %(version)d decided %(level)s.") % {
        "version": run.version,
        "level": run.get_decided_level_display(),
    }
    if run.decision_reason:
        reason = f"{reason} {run.decision_reason}"
    form = ApplyDecisionForm(request.POST or None, initial={"effective_date": timezone.localdate(), "reason": reason})
    if request.method == "POST" and form.is_valid():
        try:
            episode_services.episode_change_level(
                actor=staff_user(request),
                episode=episode,
                to_level=run.decided_level,
                effective_date=form.cleaned_data["effective_date"],
                reason=form.cleaned_data["reason"],
                expected_version=episode.version,
                placement_decision_id=run.pk,
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("The episode's level of care was changed."))
            return HttpResponseRedirect(reverse("patients:chart", args=[run.patient_id]) + "?tab=episodes")
    return render(
        request,
        "assessments/placement_apply.html",
        {"run": run, "patient": run.patient, "episode": episode, "form": form},
    )


# --- Withdrawal monitoring ----------------------------------------------------------------------------------------


def _monitored_code(request: HttpRequest) -> str:
    code = request.GET.get("instrument", "CIWA-Ar")
    return code if code in services.MONITORED_INSTRUMENTS else "CIWA-Ar"


def _render_flowsheet(request: HttpRequest, patient: Patient, form: WithdrawalCheckForm) -> HttpResponse:
    return render(
        request,
        "assessments/flowsheet.html",
        {
            "patient": patient,
            "instrument": form.instrument,
            "form": form,
            "can_record": has_action(request.user, WITHDRAWAL_RECORD),
            # Whoever may score a CIWA-Ar or COWS on the instrument form may
            # do so from here (and the score lands on this flowsheet).
            "can_administer": has_action(request.user, ASSESSMENT_ADMINISTER),
            "sheets": selectors.flowsheets(staff_user(request), patient),
            "alerts": list(selectors.open_alerts(staff_user(request), patient=patient)),
            "monitored": services.MONITORED_INSTRUMENTS,
        },
    )


@require_action(ASSESSMENT_VIEW)
def flowsheet(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_restricted_or_404(Patient.objects.all(), request, ASSESSMENT_VIEW, pk=patient_pk)
    log_read(patient, data={"view": "withdrawal_flowsheet"})
    form = WithdrawalCheckForm(instrument=get_instrument(_monitored_code(request)))
    return _render_flowsheet(request, patient, form)


@require_action(WITHDRAWAL_RECORD)
@require_http_methods(["GET", "POST"])
def withdrawal_record(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = read_restricted_or_404(
        Patient.objects.all(), request, WITHDRAWAL_RECORD, view="withdrawal_record", pk=patient_pk
    )
    instrument = get_instrument(_monitored_code(request))
    form = WithdrawalCheckForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.withdrawal_check_record(
                actor=staff_user(request),
                patient=patient,
                code=instrument.code,
                answers=form.answers(),
                administered_at=form.when(),
                notes=form.cleaned_data["notes"],
                **form.vitals(),
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            if check.escalated or check.result.flags:
                messages.error(request, _("This score needs attention now: see the alert at the top."))
            else:
                messages.success(request, _("Check recorded."))
            url = reverse("assessments:flowsheet", args=[patient.pk]) + f"?instrument={instrument.code}"
            return HttpResponseRedirect(url)
    return _render_flowsheet(request, patient, form)
