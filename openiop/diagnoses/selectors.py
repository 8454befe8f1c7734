# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of the problem list.

``primary_diagnosis`` and ``claim_diagnoses`` are the contract billing builds
claims on (REVENUE.md): system reads, not restricted to a user, called by
services that already hold the patient. Everything a person sees goes through
``Diagnosis.objects.restrict(user, DIAGNOSES_VIEW)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from openiop.core.access import has_action
from openiop.diagnoses import codes
from openiop.diagnoses.models import Diagnosis, DiagnosisStatus
from openiop.diagnoses.permissions import DIAGNOSES_VIEW
from openiop.patients.models import Patient

# The statuses a claim may carry: active, or resolved after the day billed.
_MAY_APPLY = (DiagnosisStatus.ACTIVE, DiagnosisStatus.RESOLVED)


def _applying_on(day: dt.date) -> Q:
    return (
        Q(status__in=_MAY_APPLY)
        & (Q(onset_date__isnull=True) | Q(onset_date__lte=day))
        & (Q(status=DiagnosisStatus.ACTIVE) | Q(resolved_on__gt=day))
    )


def _claim_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    _patient_id, code, is_primary, status, onset, pk = row
    # The primary first, then substance use disorders (an IOP's reason for
    # the service), then the oldest onset; no onset after those with one. A
    # primary resolved since still carries the flag (marking another primary
    # clears only an active one's), so on days it applied it was THE primary:
    # it goes before one marked primary after it resolved.
    return (
        not is_primary,
        is_primary and status == DiagnosisStatus.ACTIVE,
        not code.startswith(codes.SUD_PREFIXES),
        onset is None,
        onset or dt.date.min,
        pk,
    )


def claim_diagnoses(patient_ids: Iterable[int], on: dt.date) -> dict[int, list[str]]:
    """For each patient, the ICD-10-CM codes (no dot) that applied ON that
    day, principal first; an empty list for a patient without any (billing
    holds the claim). One query whatever the number of patients."""
    ids = list(dict.fromkeys(patient_ids))
    found: dict[int, list[str]] = {patient_id: [] for patient_id in ids}
    if not ids:
        return found
    rows = (
        Diagnosis.objects.filter(_applying_on(on), patient_id__in=ids)
        .order_by()
        .values_list("patient_id", "code", "is_primary", "status", "onset_date", "pk")
    )
    for row in sorted(rows, key=lambda row: (row[0], *_claim_order(row))):
        listed = found[row[0]]
        if row[1] not in listed:
            listed.append(row[1])
    return found


def primary_diagnosis(patient_id: int, on: dt.date | None = None) -> Diagnosis | None:
    """The primary diagnosis now (ON None: the active one marked primary) or
    the one that was primary and applied on day ON; None without one."""
    if on is None:
        return (
            Diagnosis.objects.filter(patient_id=patient_id, status=DiagnosisStatus.ACTIVE, is_primary=True)
            .select_related("patient")
            .first()
        )
    # A primary resolved since keeps its flag (marking another primary clears
    # only an active one's), so on a day it applied it was the primary: it
    # goes first ("resolved" sorts after "active", hence descending).
    return (
        Diagnosis.objects.filter(_applying_on(on), patient_id=patient_id, is_primary=True)
        .select_related("patient")
        .order_by("-status", "-pk")
        .first()
    )


# --- What people see ------------------------------------------------------------------------------------------------


def patient_diagnoses(*, user: Any, patient: Patient) -> QuerySet[Diagnosis]:
    """Every entry of the patient's problem list the user may see, closed and
    entered-in-error ones included."""
    return (
        Diagnosis.objects.restrict(user, DIAGNOSES_VIEW)
        .filter(patient=patient)
        .select_related("entered_by", "entered_in_error_by", "episode")
    )


@dataclass(frozen=True)
class ProblemList:
    active: list[Diagnosis]  # the primary first
    closed: list[Diagnosis]  # resolved and ruled out
    entered_in_error: list[Diagnosis]

    @property
    def primary(self) -> Diagnosis | None:
        return next((entry for entry in self.active if entry.is_primary), None)


def problem_list(*, user: Any, patient: Patient) -> ProblemList:
    """The problem list in three parts, in one query."""
    entries = list(patient_diagnoses(user=user, patient=patient).order_by("-is_primary", "-entered_at", "-pk"))
    return ProblemList(
        active=[entry for entry in entries if entry.status == DiagnosisStatus.ACTIVE],
        closed=[entry for entry in entries if entry.status in {DiagnosisStatus.RESOLVED, DiagnosisStatus.RULED_OUT}],
        entered_in_error=[entry for entry in entries if entry.status == DiagnosisStatus.ENTERED_IN_ERROR],
    )


def header_primary(*, user: Any, patient: Patient) -> Diagnosis | None:
    """The primary diagnosis for the chart's header line, if the user may see
    diagnoses (one query; the chart page has logged reading the patient)."""
    if not has_action(user, DIAGNOSES_VIEW):
        return None
    return (
        Diagnosis.objects.restrict(user, DIAGNOSES_VIEW)
        .filter(patient=patient, status=DiagnosisStatus.ACTIVE, is_primary=True)
        .only("pk", "patient_id", "code", "description", "is_primary", "status")
        .first()
    )
