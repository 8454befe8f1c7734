# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for Good Faith Estimates, restricted to what the user may see: a
patient's estimates (chart tab), the estimates due and overdue, and the
patients whose billed charges exceed their estimate by $400 or more (the
billing workspace's dispute-right flags)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from openiop.billing.models import Charge, ChargeStatus
from openiop.estimates import arithmetic, notices
from openiop.estimates.models import EstimateStatus, GoodFaithEstimate
from openiop.estimates.permissions import ESTIMATES_VIEW
from openiop.patients.models import Patient

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)
LISTED = 50


def _billed() -> Subquery:
    """Charges that stand, for the estimate's patient, in its period, from its
    provider (the organization's sites)."""
    charges = (
        Charge.objects.filter(
            patient=OuterRef("patient"),
            service_date__gte=OuterRef("period_start"),
            service_date__lte=OuterRef("period_end"),
            site__organization=OuterRef("organization"),
        )
        .exclude(status=ChargeStatus.VOIDED)
        .order_by()
        .values("patient")
        .annotate(billed=Sum("amount"))
        .values("billed")
    )
    return Subquery(charges, output_field=MONEY)


def with_billed(estimates: QuerySet[GoodFaithEstimate]) -> QuerySet[GoodFaithEstimate]:
    return estimates.annotate(billed=Coalesce(_billed(), Value(Decimal(0)), output_field=MONEY))


def current_issued(user: Any) -> QuerySet[GoodFaithEstimate]:
    """Issued estimates not replaced by a newer issued version."""
    return (
        GoodFaithEstimate.objects.restrict(user, ESTIMATES_VIEW)
        .filter(status=EstimateStatus.ISSUED)
        .exclude(superseded_by__status=EstimateStatus.ISSUED)
    )


@dataclass(frozen=True)
class DisputeFlag:
    patient: Patient
    estimate: GoodFaithEstimate
    billed: Decimal
    over: Decimal

    @property
    def text(self) -> str:
        return notices.dispute_flag_text(self.over)


def dispute_flags(user: Any) -> list[DisputeFlag]:
    """Patients whose billed charges exceed their current estimate by $400
    or more, most over first. One query."""
    flags = []
    for estimate in with_billed(current_issued(user)).select_related("patient"):
        billed = arithmetic.money(estimate.billed)  # type: ignore[attr-defined]
        if arithmetic.may_dispute(billed, estimate.total):
            over = arithmetic.billed_over_estimate(billed, estimate.total)
            flags.append(DisputeFlag(estimate.patient, estimate, billed, over))
    return sorted(flags, key=lambda flag: (-flag.over, flag.patient.pk))


def workspace_section(request: HttpRequest) -> dict[str, Any] | None:
    flags = dispute_flags(request.user)
    return {"flags": flags[:LISTED], "count": len(flags)} if flags else None


@dataclass(frozen=True)
class DueEstimate:
    estimate: GoodFaithEstimate
    patient: Patient
    overdue: bool


def due_estimates(user: Any, *, today: dt.date | None = None) -> list[DueEstimate]:
    """Estimates with a deadline not yet given to the patient (no delivery
    recorded), overdue ones first, then by due date."""
    today = today or timezone.localdate()
    rows = (
        GoodFaithEstimate.objects.restrict(user, ESTIMATES_VIEW)
        .filter(due_on__isnull=False, deliveries__isnull=True, superseded_by__isnull=True)
        .select_related("patient")
        .order_by("due_on", "pk")
    )
    return [DueEstimate(row, row.patient, row.due_on < today) for row in rows if row.due_on is not None]


def overdue_section(request: HttpRequest) -> dict[str, Any] | None:
    """The dashboard block: estimates past their deadline, for billing."""
    overdue = [entry for entry in due_estimates(request.user) if entry.overdue]
    return {"overdue": overdue[:LISTED], "count": len(overdue)} if overdue else None


def patient_estimates(user: Any, patient: Patient) -> list[GoodFaithEstimate]:
    rows = (
        with_billed(GoodFaithEstimate.objects.restrict(user, ESTIMATES_VIEW).filter(patient=patient))
        .select_related("supersedes", "superseded_by", "issued_by")
        .prefetch_related("lines", "deliveries")
        .order_by("-version")
    )
    return list(rows)
