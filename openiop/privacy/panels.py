# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs privacy adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openiop.audit.services import log_read
from openiop.patients.models import Patient
from openiop.privacy.selectors import patient_privacy

if TYPE_CHECKING:
    from django.http import HttpRequest


def privacy_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    log_read(patient, data={"view": "chart.privacy"})
    return patient_privacy(request.user, patient)
