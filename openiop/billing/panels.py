# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs billing adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from openiop.audit.services import log_read
from openiop.billing.models import ChargeStatus
from openiop.billing.permissions import BILLING_REVIEW_PACKET, BILLING_VIEW
from openiop.billing.selectors import CHART_DAYS, REVIEW_PREPARE_DAYS, charge_queryset
from openiop.core.access import has_action
from openiop.patients.models import Patient


def chart_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The patient's charges of the last three months, held ones with their
    reasons, and the authorizations they draw down."""
    from openiop.insurance.models import Authorization

    log_read(patient, data={"view": "chart.billing"})
    since = timezone.localdate() - dt.timedelta(days=CHART_DAYS)
    charges = charge_queryset(request.user).filter(patient=patient, service_date__gte=since)
    authorizations = (
        Authorization.objects.restrict(request.user, BILLING_VIEW)
        .filter(patient=patient)
        .select_related("coverage__payer")
        .order_by("-start_date", "-pk")
    )
    return {
        "patient": patient,
        "charges": list(charges.exclude(status=ChargeStatus.VOIDED)),
        "authorizations": list(authorizations),
        "can_review_packet": has_action(request.user, BILLING_REVIEW_PACKET),
    }


def review_panel(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """On the chart's overview: approved authorizations whose concurrent
    review is due within a week (or past), with the way to the packet."""
    from openiop.insurance.models import Authorization, AuthorizationStatus

    today = timezone.localdate()
    due = list(
        Authorization.objects.restrict(request.user, BILLING_REVIEW_PACKET)
        .filter(
            patient=patient,
            status=AuthorizationStatus.APPROVED,
            end_date__gte=today,
            next_review_date__lte=today + dt.timedelta(days=REVIEW_PREPARE_DAYS),
        )
        .select_related("coverage__payer")
        .order_by("next_review_date", "pk")
    )
    return {"authorizations": due, "today": today} if due else None
