# SPDX-License-Identifier: AGPL-3.0-or-later
"""The primary diagnosis in the patient banner (registered in apps.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openiop.diagnoses import selectors

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def primary_diagnosis_item(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """The active primary diagnosis (one query), or None."""
    diagnosis = selectors.header_primary(user=request.user, patient=patient)
    return None if diagnosis is None else {"diagnosis": diagnosis, "patient": patient}
