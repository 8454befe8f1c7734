# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs assistance adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from openiop.assistance.models import Award, IncomeAttestation, PaymentPlan, PlanStatus
from openiop.assistance.permissions import ASSISTANCE_MANAGE, ASSISTANCE_VIEW
from openiop.assistance.selectors import STATUS_LABELS, plan_view, undiscounted_charges
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.ledger import selectors as ledger_selectors
from openiop.patients.models import Patient


def ways_to_pay_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The chart tab: the attestation and its discount tier, the plans with
    their schedules, the awards, and the self-pay charges still undiscounted."""
    user = request.user
    log_read(patient, data={"view": "chart.ways_to_pay"})
    today = timezone.localdate()
    attestations = list(IncomeAttestation.objects.restrict(user, ASSISTANCE_VIEW).filter(patient=patient)[:5])
    current = next((a for a in attestations if a.is_valid_on(today)), None)
    plans = [
        plan_view(plan, today)
        for plan in PaymentPlan.objects.restrict(user, ASSISTANCE_VIEW).filter(patient=patient).order_by("-created_at")
    ]
    awards = list(
        Award.objects.restrict(user, ASSISTANCE_VIEW).filter(patient=patient).select_related("fund").order_by("-pk")
    )
    undiscounted = undiscounted_charges(patient)
    return {
        "patient": patient,
        "today": today,
        "balance": ledger_selectors.patient_balance(patient.pk),
        "attestation": current,
        "last_attestation": attestations[0] if attestations else None,
        "reverification_due": current.reverification_due(today) if current else bool(attestations),
        "attestations": attestations,
        "undiscounted_count": undiscounted.count() if current else 0,
        "plans": plans,
        "active_plan": next((view for view in plans if view.plan.status == PlanStatus.ACTIVE), None),
        "awards": awards,
        "status_labels": STATUS_LABELS,
        "can_manage": has_action(user, ASSISTANCE_MANAGE),
    }
