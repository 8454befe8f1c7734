# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs medications adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone

from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.medications import catalogue
from openiop.medications.models import AdherenceNote, DrugTestReview, Medication
from openiop.medications.permissions import (
    DRUGTESTS_RECORD,
    DRUGTESTS_REVIEW,
    DRUGTESTS_VIEW,
    MEDICATIONS_ADHERENCE,
    MEDICATIONS_MANAGE,
)
from openiop.medications.selectors import current_sobriety_date, medications_for, specimen_rows

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def medications_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    medications = list(
        medications_for(request.user, patient)
        .select_related("entered_in_error_by", "replaces")
        .prefetch_related(Prefetch("adherence_notes", queryset=AdherenceNote.objects.select_related("author")))
    )
    log_read(patient, data={"view": "chart.medications"})
    today = timezone.localdate()
    by_pk = {m.pk: m for m in medications}
    active = [
        (m, _chain_start(m, by_pk))
        for m in medications
        if not m.entered_in_error and (m.stop_date is None or m.stop_date >= today)
    ]
    active_pks = {m.pk for m, _since in active}
    return {
        "active": active,
        "moud": [(m, since) for m, since in active if m.catalogue_code],
        # Stopped, changed and entered-in-error entries: the history, newest first.
        "history": [m for m in medications if m.pk not in active_pks],
        "can_manage": has_action(request.user, MEDICATIONS_MANAGE),
        "can_note": has_action(request.user, MEDICATIONS_ADHERENCE),
        "citation": catalogue.MOUD_CITATION,
    }


def drug_tests_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    rows = specimen_rows(request.user, patient, limit=20)
    log_read(patient, data={"view": "chart.drug_tests"})
    reviews = DrugTestReview.objects.restrict(request.user, DRUGTESTS_VIEW).filter(patient=patient)
    return {
        "rows": rows,
        "sobriety": current_sobriety_date(patient),
        "restore_offers": list(
            reviews.filter(restore_offered_at__isnull=False, restore_outcome="").select_related("specimen")
        ),
        "pending": list(reviews.filter(status=DrugTestReview.Status.PENDING).select_related("specimen")),
        "decided": list(
            reviews.exclude(status=DrugTestReview.Status.PENDING)
            .select_related("specimen", "decided_by")
            .order_by("-decided_at")[:5]
        ),
        "can_record": has_action(request.user, DRUGTESTS_RECORD),
        "can_review": has_action(request.user, DRUGTESTS_REVIEW),
    }


def _chain_start(medication: Medication, by_pk: dict[int, Medication]) -> dt.date:
    """When the patient started this medication, across dose changes."""
    start, seen = medication.start_date, {medication.pk}
    previous = by_pk.get(medication.replaces_id) if medication.replaces_id else None
    while previous is not None and previous.pk not in seen and not previous.entered_in_error:
        start, seen = previous.start_date, seen | {previous.pk}
        previous = by_pk.get(previous.replaces_id) if previous.replaces_id else None
    return start
