# SPDX-License-Identifier: AGPL-3.0-or-later
"""The payer, or self-pay, in the patient banner (registered in apps.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from openiop.insurance.models import Coverage, CoveragePriority
from openiop.insurance.permissions import COVERAGE_VIEW

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def payer_item(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The primary coverage in force today (one query); without one the
    patient is self-pay today."""
    today = timezone.localdate()
    coverage = (
        Coverage.objects.restrict(request.user, COVERAGE_VIEW)
        .filter(patient=patient, priority=CoveragePriority.PRIMARY, effective_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("payer")
        .order_by("-effective_date", "-pk")
        .first()
    )
    return {"coverage": coverage, "patient": patient}
