# SPDX-License-Identifier: AGPL-3.0-or-later
"""The sobriety date in the patient banner (registered in apps.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from openiop.medications.models import SobrietyDate
from openiop.medications.permissions import DRUGTESTS_VIEW

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def sobriety_item(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """The current sobriety date and the days since (one query)."""
    current = (
        SobrietyDate.objects.restrict(request.user, DRUGTESTS_VIEW)
        .filter(patient=patient)
        .only("pk", "patient_id", "date", "set_at")
        .order_by("-set_at", "-pk")
        .first()
    )
    if current is None:
        return None
    return {"date": current.date, "days": (timezone.localdate() - current.date).days, "patient": patient}
