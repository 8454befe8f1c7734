# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the assessments pages, always through the access path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from openiop.assessments import charts
from openiop.assessments.instruments import INSTRUMENTS, Instrument, get_instrument
from openiop.assessments.models import (
    InstrumentResult,
    MonitoringThreshold,
    PlacementAssessment,
    SafetyAlert,
    WithdrawalCheck,
)
from openiop.assessments.permissions import ASSESSMENT_VIEW
from openiop.assessments.safety import MONITORED_INSTRUMENTS, WITHDRAWAL_KINDS
from openiop.patients.models import CareTeamMember

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.patients.models import Patient


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
    alerts = list(open_alerts(request.user)[:20])
    if not alerts:
        return None
    return {"alerts": alerts}
