# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs diagnoses adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.diagnoses.permissions import DIAGNOSES_EDIT
from openiop.diagnoses.selectors import problem_list
from openiop.patients.models import Patient


def diagnoses_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The chart's Diagnoses tab (registered in apps.py)."""
    log_read(patient, data={"view": "chart.diagnoses"})
    return {
        "patient": patient,
        "problems": problem_list(user=request.user, patient=patient),
        "can_edit": has_action(request.user, DIAGNOSES_EDIT),
        "today": timezone.localdate(),
    }
