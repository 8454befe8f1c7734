# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the assessments pages, always through the access path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When
from django.urls import reverse

from openiop.assessments import charts, safety_plan
from openiop.assessments.instruments import INSTRUMENTS, Instrument, get_instrument
from openiop.assessments.models import (
    InstrumentResult,
    MonitoringThreshold,
    PlacementAssessment,
    SafetyAlert,
    SafetyPlan,
    SafetyPlanReview,
    SafetyPlanVersion,
    WithdrawalCheck,
)
from openiop.assessments.permissions import ASSESSMENT_VIEW
from openiop.assessments.safety import MONITORED_INSTRUMENTS, WITHDRAWAL_KINDS
from openiop.core import navigation
from openiop.patients import transitions
from openiop.patients.models import CareTeamMember, Episode, LevelOfCareChange, Patient

if TYPE_CHECKING:
    from openiop.accounts.models import User


@dataclass(frozen=True)
class History:
    instrument: Instrument
    results: list[InstrumentResult]  # newest first
    chart: charts.TrendChart
    uses_subscales: bool

    @property
    def latest(self) -> InstrumentResult:
        return self.results[0]


def _band_lines(instrument: Instrument, sex: str | None) -> list[tuple[int, str]]:
    bands = instrument.bands_for(sex) if instrument.requires_sex else instrument.bands
    return [(band.min, band.name) for band in sorted(bands, key=lambda b: b.min)[1:]]


def patient_results(user: User, patient: Patient) -> QuerySet[InstrumentResult]:
    return (
        InstrumentResult.objects.restrict(user, ASSESSMENT_VIEW)
        .filter(patient=patient)
        .select_related("administered_by", "entered_in_error_by")
    )


def histories(results: list[InstrumentResult]) -> list[History]:
    """One history per instrument, in registry order, each charted over time
    (results entered in error are listed but not charted)."""
    grouped: dict[str, list[InstrumentResult]] = {}
    for result in results:
        grouped.setdefault(result.instrument_code, []).append(result)
    out = []
    for code, instrument in INSTRUMENTS.items():
        rows = sorted(grouped.get(code, []), key=lambda r: (r.administered_at, r.pk), reverse=True)
        if not rows:
            continue
        valid = [r for r in rows if r.entered_in_error_at is None]
        uses_subscales = bool(instrument.subscales) and instrument.max_total == 0
        if uses_subscales:
            # The BAM has no total: chart its "use" subscale, the one that should fall.
            first = instrument.subscales[0]
            low, high = instrument.subscale_range(first)
            series = [(r.administered_at, int(r.subscales.get(first.name, 0))) for r in valid]
            chart = charts.trend(series, y_min=low, y_max=high)
        else:
            sex = valid[0].sex_used or None if valid else None
            series = [(r.administered_at, r.total) for r in valid]
            chart = charts.trend(
                series, y_min=instrument.min_total, y_max=instrument.max_total, lines=_band_lines(instrument, sex)
            )
        out.append(History(instrument=instrument, results=rows, chart=chart, uses_subscales=uses_subscales))
    return out


def open_alerts(user: User, *, patient: Patient | None = None) -> QuerySet[SafetyAlert]:
    """Unacknowledged alerts the user may see, the user's own care-team
    patients first, then oldest first (the longest-waiting on top)."""
    alerts = SafetyAlert.objects.restrict(user, ASSESSMENT_VIEW).filter(acknowledged_at__isnull=True)
    if patient is not None:
        alerts = alerts.filter(patient=patient)
    on_team = CareTeamMember.objects.filter(episode__patient=OuterRef("patient"), episode__status="active", user=user)
    return (
        alerts.annotate(mine=Case(When(Exists(on_team), then=Value(0)), default=Value(1), output_field=IntegerField()))
        .select_related("patient", "raised_by", "source_result")
        .order_by("mine", "raised_at")
    )


def patient_alerts(user: User, patient: Patient) -> QuerySet[SafetyAlert]:
    return (
        SafetyAlert.objects.restrict(user, ASSESSMENT_VIEW)
        .filter(patient=patient)
        .select_related("raised_by", "acknowledged_by", "source_result")
    )


def patient_placements(user: User, patient: Patient) -> QuerySet[PlacementAssessment]:
    return (
        PlacementAssessment.objects.restrict(user, ASSESSMENT_VIEW)
        .filter(patient=patient)
        .select_related("assessed_by", "decided_by")
    )


@dataclass(frozen=True)
class FlowsheetRow:
    """One withdrawal score, from whatever path it came in by; ``check`` holds
    the vital signs when it was recorded on the flowsheet, else None."""

    result: InstrumentResult
    check: WithdrawalCheck | None
    escalated: bool


@dataclass(frozen=True)
class Flowsheet:
    code: str
    rows: list[FlowsheetRow]
    chart: charts.TrendChart
    pulse_chart: charts.TrendChart
    threshold: MonitoringThreshold | None


def flowsheets(user: User, patient: Patient) -> list[Flowsheet]:
    """Every CIWA-Ar and COWS score of the patient, oldest first, with the
    vital signs where a flowsheet check took them: a score entered on the
    instrument form (or by import) is a withdrawal score all the same."""
    results = list(
        InstrumentResult.objects.restrict(user, ASSESSMENT_VIEW)
        .filter(patient=patient, instrument_code__in=MONITORED_INSTRUMENTS)
        .select_related("administered_by", "withdrawal_check")
        .prefetch_related("alerts")
        .order_by("administered_at", "pk")
    )
    thresholds = {t.instrument_code: t for t in MonitoringThreshold.objects.all()}
    out = []
    for code in MONITORED_INSTRUMENTS:
        rows = [
            FlowsheetRow(
                result=result,
                check=getattr(result, "withdrawal_check", None),
                escalated=any(alert.kind in WITHDRAWAL_KINDS for alert in result.alerts.all()),
            )
            for result in results
            if result.instrument_code == code
        ]
        if not rows:
            continue
        instrument = get_instrument(code)
        threshold = thresholds.get(code)
        lines: list[tuple[int, str]] = _band_lines(instrument, None)
        if threshold is not None:
            lines.append((threshold.escalate_at, "escalate"))
        valid = [row for row in rows if row.result.entered_in_error_at is None]
        chart = charts.trend(
            [(row.result.administered_at, row.result.total) for row in valid],
            y_min=0,
            y_max=max([*(row.result.total for row in valid), (threshold.escalate_at if threshold else 0) + 5, 20]),
            lines=lines,
        )
        pulse_chart = charts.trend(
            [(row.result.administered_at, row.check.pulse) for row in valid if row.check is not None],
            y_min=40,
            y_max=160,
            lines=[(100, "pulse")],
        )
        out.append(Flowsheet(code=code, rows=rows, chart=chart, pulse_chart=pulse_chart, threshold=threshold))
    return out


def dashboard_alerts(request: Any) -> dict[str, Any] | None:
    """The first alerts (the user's own patients first, then the longest
    waiting) and how many there are, with a link to the full list."""
    queryset = open_alerts(request.user)
    alerts = list(queryset[: navigation.DASHBOARD_ROWS])
    if not alerts:
        return None
    total = queryset.count()  # always: the page's queries must not depend on how many there are
    return {
        "alerts": alerts,
        "total": total,
        "more": navigation.more_link(len(alerts), total, reverse("assessments:alerts")),
    }


# --- Safety plans -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyPlanStatus:
    """A patient's plan as the chart shows it: the current version, its
    reviews with the person (newest first) and, when the active episode has
    stepped down since the last review, the date of that step-down."""

    plan: SafetyPlan
    current: SafetyPlanVersion
    reviews: list[SafetyPlanReview]
    review_due_since: dt.date | None

    @property
    def patient(self) -> Patient:
        return self.plan.patient

    @property
    def last_review(self) -> SafetyPlanReview | None:
        return self.reviews[0] if self.reviews else None


def _active_step_downs(patient_ids: list[int]) -> dict[int, list[safety_plan.Moment]]:
    """When each patient's active episode stepped down."""
    changes = LevelOfCareChange.objects.filter(
        episode__patient_id__in=patient_ids, episode__status=Episode.Status.ACTIVE
    ).values_list("episode__patient_id", "from_level", "to_level", "effective_date", "decided_at")
    found: dict[int, list[safety_plan.Moment]] = {}
    for patient_id, from_level, to_level, effective_date, decided_at in changes:
        if transitions.direction(from_level, to_level) == transitions.STEP_DOWN:
            found.setdefault(patient_id, []).append(safety_plan.Moment(on=effective_date, at=decided_at))
    return found


def patient_safety_plan(user: User, patient: Patient, *, number: int | None = None) -> SafetyPlanStatus | None:
    """The patient's safety plan (version NUMBER, else the current one) if
    there is one the user may see."""
    plan = SafetyPlan.objects.restrict(user, ASSESSMENT_VIEW).filter(patient=patient, version__gt=0).first()
    if plan is None:
        return None
    current = plan.versions.select_related("written_by", "source_result").filter(number=number or plan.version).first()
    if current is None:
        return None
    plan.patient = patient
    reviews = list(current.reviews.select_related("reviewed_by"))
    due = None
    if current.number == plan.version:
        due = safety_plan.review_due(
            step_downs=_active_step_downs([patient.pk]).get(patient.pk, []),
            reviews=[safety_plan.Moment(on=review.reviewed_on, at=review.recorded_at) for review in reviews],
        )
    return SafetyPlanStatus(plan=plan, current=current, reviews=reviews, review_due_since=due)


@dataclass(frozen=True)
class PlanReviewDue:
    patient: Patient
    plan: SafetyPlan
    step_down_on: dt.date


def plans_due_for_review(user: User) -> list[PlanReviewDue]:
    """Safety plans the user may see whose patient's active episode stepped
    down after the current version was last reviewed with them, the longest
    waiting first. A fixed number of queries, whatever the number of plans."""
    # Only a plan whose patient's active episode changed level can be due (a
    # step-down is such a change): the others are never read into Python.
    changed_level = LevelOfCareChange.objects.filter(
        episode__patient=OuterRef("patient"), episode__status=Episode.Status.ACTIVE
    )
    plans = list(
        SafetyPlan.objects.restrict(user, ASSESSMENT_VIEW)
        .filter(version__gt=0, patient__episodes__status=Episode.Status.ACTIVE)
        .filter(Exists(changed_level))
        .select_related("patient")
    )
    step_downs = _active_step_downs([plan.patient_id for plan in plans])
    reviews: dict[int, list[safety_plan.Moment]] = {}
    for plan_id, reviewed_on, recorded_at in SafetyPlanReview.objects.filter(
        version__plan__in=[plan.pk for plan in plans if plan.patient_id in step_downs],
        version__number=F("version__plan__version"),
    ).values_list("version__plan_id", "reviewed_on", "recorded_at"):
        reviews.setdefault(plan_id, []).append(safety_plan.Moment(on=reviewed_on, at=recorded_at))
    due = []
    for plan in plans:
        since = safety_plan.review_due(step_downs=step_downs.get(plan.patient_id, []), reviews=reviews.get(plan.pk, []))
        if since is not None:
            due.append(PlanReviewDue(patient=plan.patient, plan=plan, step_down_on=since))
    return sorted(due, key=lambda row: (row.step_down_on, row.patient.pk))


def dashboard_safety_plans(request: Any) -> dict[str, Any] | None:
    due = plans_due_for_review(request.user)
    if not due:
        return None
    return {"plans": due[:20], "total": len(due)}
