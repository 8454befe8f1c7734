# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs assessments adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openiop.accounts.staff import staff_user
from openiop.assessments import selectors
from openiop.assessments.instruments import INSTRUMENTS
from openiop.assessments.permissions import (
    ALERT_RAISE,
    ASSESSMENT_ADMINISTER,
    PLACEMENT_DECIDE,
    SAFETY_PLAN_WRITE,
    WITHDRAWAL_RECORD,
)
from openiop.core.access import has_action
from openiop.patients.models import Patient


def chart_tab_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    user = staff_user(request)
    results = list(selectors.patient_results(user, patient))
    return {
        "histories": selectors.histories(results),
        "alerts": list(selectors.patient_alerts(user, patient)[:50]),
        "placements": list(selectors.patient_placements(user, patient)),
        "instruments": list(INSTRUMENTS.values()),
        "can_administer": has_action(user, ASSESSMENT_ADMINISTER),
        "can_raise": has_action(user, ALERT_RAISE),
        "can_place": has_action(user, PLACEMENT_DECIDE),
        "can_monitor": has_action(user, WITHDRAWAL_RECORD),
        "safety_plan": selectors.patient_safety_plan(user, patient),
        "can_plan": has_action(user, SAFETY_PLAN_WRITE),
    }
