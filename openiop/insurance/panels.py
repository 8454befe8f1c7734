# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs insurance adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openiop.audit.services import log_read
from openiop.insurance.selectors import patient_insurance
from openiop.patients.models import Patient


def insurance_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    log_read(patient, data={"view": "chart.insurance"})
    return patient_insurance(request.user, patient)
