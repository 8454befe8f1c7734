# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs estimates adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.estimates import arithmetic
from openiop.estimates.permissions import ESTIMATES_ISSUE
from openiop.estimates.selectors import patient_estimates
from openiop.patients.models import Patient


def estimates_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    log_read(patient, data={"view": "chart.estimates"})
    estimates = patient_estimates(request.user, patient)
    for estimate in estimates:
        billed = arithmetic.money(estimate.billed)  # type: ignore[attr-defined]
        estimate.over = arithmetic.billed_over_estimate(billed, estimate.total)  # type: ignore[attr-defined]
        estimate.may_dispute = estimate.is_issued and arithmetic.may_dispute(billed, estimate.total)  # type: ignore[attr-defined]
    return {
        "estimates": estimates,
        "can_issue": has_action(request.user, ESTIMATES_ISSUE),
        "today": timezone.localdate(),
    }
