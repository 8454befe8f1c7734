# SPDX-License-Identifier: AGPL-3.0-or-later
"""Open safety alerts in the patient banner (registered in apps.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count

from openiop.assessments.models import SafetyAlert
from openiop.assessments.permissions import ASSESSMENT_VIEW

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def safety_alerts_item(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """Unacknowledged alerts counted by kind, in one query however many there
    are; None when there are none."""
    by_kind = list(
        SafetyAlert.objects.restrict(request.user, ASSESSMENT_VIEW)
        .filter(patient=patient, acknowledged_at__isnull=True)
        .order_by()
        .values("kind")
        .annotate(count=Count("pk"))
        .order_by("kind")
    )
    if not by_kind:
        return None
    labels = dict(SafetyAlert.Kind.choices)
    return {
        "patient": patient,
        "total": sum(row["count"] for row in by_kind),
        "kinds": [(str(labels.get(row["kind"], row["kind"])), row["count"]) for row in by_kind],
    }
