# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for medications and drug tests: chart tabs, the trend, the dashboard.

Lists start from ``restrict`` (what the user may see); the interpretation of a
specimen always uses *all* the patient's medications, because whether a
positive is expected cannot depend on who is looking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet

from openiop.core.access import has_action
from openiop.medications import catalogue, interpretation
from openiop.medications.models import DrugTestReview, Medication, SobrietyDate, Specimen, TestResult
from openiop.medications.permissions import (
    DRUGTESTS_REVIEW,
    DRUGTESTS_VIEW,
    MEDICATIONS_VIEW,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def spans(medications: Iterable[Medication]) -> list[interpretation.MedicationSpan]:
    """What the interpretation compares with: every entry but those entered in error."""
    return [medication.span() for medication in medications if not medication.entered_in_error]


def specimen_interpretation(
    specimen: Specimen, medications: list[interpretation.MedicationSpan] | None = None
) -> interpretation.Interpretation:
    """The reading of the specimen's current results (a corrected result
    counts, the version it superseded does not)."""
    if medications is None:
        medications = spans(Medication.objects.filter(patient_id=specimen.patient_id))
    return interpretation.interpret(
        [result.as_input() for result in specimen.results.all() if result.is_current],
        medications,
        specimen.collected_on,
    )


def unexpected_by_specimen(patient: Patient) -> dict[int, set[str]]:
    """The unexpected classes of each of PATIENT's specimens (whoever looks):
    taken before and after a change to compare."""
    medications = spans(Medication.objects.filter(patient=patient))
    specimens = Specimen.objects.filter(patient=patient).prefetch_related("results")
    return {
        specimen.pk: set(specimen_interpretation(specimen, medications).unexpected_classes) for specimen in specimens
    }


def current_sobriety_date(patient: Patient) -> SobrietyDate | None:
    return SobrietyDate.objects.filter(patient=patient).select_related("set_by").order_by("-set_at", "-pk").first()


@dataclass(frozen=True)
class SpecimenRow:
    specimen: Specimen
    reading: interpretation.Interpretation

    def label(self, finding: interpretation.Finding) -> str:
        return catalogue.drug_class_label(finding.drug_class)


def specimen_rows(user: Any, patient: Patient, *, limit: int | None = None) -> list[SpecimenRow]:
    specimens = (
        Specimen.objects.restrict(user, DRUGTESTS_VIEW)
        .filter(patient=patient)
        .select_related("collected_by", "site")
        .prefetch_related(Prefetch("results", queryset=TestResult.objects.order_by("drug_class", "method")))
        .order_by("-collected_at", "-pk")
    )
    if limit is not None:
        specimens = specimens[:limit]
    medications = spans(Medication.objects.filter(patient=patient))
    return [SpecimenRow(specimen, specimen_interpretation(specimen, medications)) for specimen in specimens]


def medications_for(user: Any, patient: Patient, action: str = MEDICATIONS_VIEW) -> QuerySet[Medication]:
    return (
        Medication.objects.restrict(user, action)
        .filter(patient=patient)
        .select_related("prescriber", "stopped_by", "created_by")
    )


@dataclass(frozen=True)
class MedicationLinks:
    """Where an entry sits in its chain of changes."""

    replaces: Medication | None
    replaced_by: Medication | None  # the valid replacement
    replaced_in_error: list[Medication]  # replacements later marked entered in error
    history: list[Medication]  # the chain, oldest first (only when there was a change)


def medication_links(medication: Medication) -> MedicationLinks:
    by_pk = {m.pk: m for m in Medication.objects.filter(patient_id=medication.patient_id).select_related("stopped_by")}
    replacements = [m for m in by_pk.values() if m.replaces_id == medication.pk]
    replaced_by = next((m for m in replacements if not m.entered_in_error), None)
    chain = [medication]
    while chain[0].replaces_id and chain[0].replaces_id in by_pk and len(chain) < len(by_pk):
        chain.insert(0, by_pk[chain[0].replaces_id])
    while len(chain) < len(by_pk):
        newer = next((m for m in by_pk.values() if m.replaces_id == chain[-1].pk and not m.entered_in_error), None)
        if newer is None:
            break
        chain.append(newer)
    return MedicationLinks(
        replaces=by_pk.get(medication.replaces_id) if medication.replaces_id else None,
        replaced_by=replaced_by,
        replaced_in_error=sorted((m for m in replacements if m.entered_in_error), key=lambda m: m.pk),
        history=chain if len(chain) > 1 else [],
    )


def pending_reviews_section(request: HttpRequest) -> dict[str, Any] | None:
    visible = DrugTestReview.objects.restrict(request.user, DRUGTESTS_VIEW).select_related(
        "patient", "specimen", "specimen__site"
    )
    reviews = list(visible.filter(status=DrugTestReview.Status.PENDING).order_by("created_at", "pk")[:50])
    restores = list(
        visible.filter(restore_offered_at__isnull=False, restore_outcome="").order_by("restore_offered_at", "pk")[:50]
    )
    if not reviews and not restores:
        return None
    return {"reviews": reviews, "restores": restores, "can_review": has_action(request.user, DRUGTESTS_REVIEW)}


# --- Trend -------------------------------------------------------------------

CELL_SYMBOLS = {
    interpretation.Verdict.UNEXPECTED: "+!",
    interpretation.Verdict.EXPECTED: "+",
    interpretation.Verdict.NEGATIVE: "−",
    interpretation.Verdict.EXPECTED_ABSENT: "−?",
    interpretation.Verdict.INVALID: "inv",
}


@dataclass(frozen=True)
class TrendCell:
    verdict: str
    symbol: str
    x: int = 0
    y: int = 0


@dataclass(frozen=True)
class Trend:
    dates: list[dt.date]
    classes: list[tuple[str, str]]  # (code, label)
    table: list[tuple[str, list[TrendCell | None]]]  # one row per class
    svg: dict[str, Any]


def trend(rows: list[SpecimenRow]) -> Trend:
    """Date x class grid of verdicts (oldest first), with the same grid laid
    out as SVG coordinates for the chart. Several specimens on one date merge
    with the worst verdict winning (unexpected over expected over negative)."""
    rank = {
        interpretation.Verdict.UNEXPECTED: 4,
        interpretation.Verdict.EXPECTED: 3,
        interpretation.Verdict.EXPECTED_ABSENT: 2,
        interpretation.Verdict.INVALID: 1,
        interpretation.Verdict.NEGATIVE: 0,
    }
    grid: dict[tuple[dt.date, str], interpretation.Verdict] = {}
    for row in rows:
        for finding in row.reading.findings:
            key = (row.specimen.collected_on, finding.drug_class)
            if key not in grid or rank[finding.verdict] > rank[grid[key]]:
                grid[key] = finding.verdict
    dates = sorted({day for day, _code in grid})
    tested = {code for _day, code in grid}
    classes = [(c.code, str(c.label)) for c in catalogue.DRUG_CLASSES if c.code in tested]
    left, top, step_x, step_y = 170, 30, 44, 26
    table = []
    for row_index, (code, label) in enumerate(classes):
        cells: list[TrendCell | None] = []
        for column, day in enumerate(dates):
            verdict = grid.get((day, code))
            cells.append(
                TrendCell(
                    verdict=verdict.value,
                    symbol=CELL_SYMBOLS[verdict],
                    x=left + column * step_x + step_x // 2,
                    y=top + row_index * step_y + step_y // 2,
                )
                if verdict is not None
                else None
            )
        table.append((label, cells))
    svg = {
        "width": left + max(len(dates), 1) * step_x + 10,
        "height": top + max(len(classes), 1) * step_y + 10,
        "left": left,
        "top": top,
        "step_x": step_x,
        "step_y": step_y,
        "labels": [(label, top + i * step_y + step_y // 2 + 4) for i, (_code, label) in enumerate(classes)],
        "dates": [(day, left + i * step_x + step_x // 2) for i, day in enumerate(dates)],
    }
    return Trend(dates=dates, classes=classes, table=table, svg=svg)
