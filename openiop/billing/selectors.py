# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the billing workspace and the dashboards, restricted to what the
user may see (``restrict``): charges to review and why they are held, the
insurance work waiting (authorizations running out, eligibility checks due,
coverage still to enter), each narrowed by site and payer."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from openiop.billing.models import Charge, ChargeStatus
from openiop.billing.permissions import BILLING_MISSING_AUTHORIZATION, BILLING_VIEW
from openiop.billing.rules import HoldReason

# How many reasons and rows a dashboard block shows (the workspace has the rest).
TOP_REASONS = 3
DASHBOARD_ROWS = 10


def charge_queryset(user: Any, action: str = BILLING_VIEW) -> QuerySet[Charge]:
    """Every charge the user may see, with what a row shows, newest day first."""
    return (
        Charge.objects.restrict(user, action)
        .select_related("patient", "site", "payer", "authorization")
        .order_by("-service_date", "patient__legal_last_name", "kind", "pk")
    )


def with_hold_reason(charges: QuerySet[Charge], reason: str) -> QuerySet[Charge]:
    """Charges whose stored reasons include REASON. ``hold_reasons`` is a JSON
    list of codes; a quoted code cannot match part of another code, and
    ``icontains`` works on SQLite and PostgreSQL alike (``contains`` on a
    JSON field does not on SQLite)."""
    return charges.filter(hold_reasons__icontains=f'"{reason}"')


@dataclass(frozen=True)
class ReasonCount:
    code: str
    text: str
    count: int


def held_reason_groups(charges: QuerySet[Charge]) -> list[tuple[list[str], int]]:
    """The held charges among CHARGES counted in the database per stored list
    of reasons (a handful of lists, however many charges): one query. The
    count is of distinct charges, as a scope rule's join may repeat a row."""
    groups = (
        charges.filter(status=ChargeStatus.HELD)
        .order_by()
        .values("hold_reasons")
        .annotate(charges=Count("pk", distinct=True))
        .values_list("hold_reasons", "charges")
    )
    return [(list(reasons or []), count) for reasons, count in groups]


def reason_counts(charges: QuerySet[Charge], *, groups: list[tuple[list[str], int]] | None = None) -> list[ReasonCount]:
    """How many held charges each reason holds, most first (a charge held for
    two reasons counts under both). GROUPS: ``held_reason_groups(charges)``
    when the caller already has them."""
    counts: Counter[str] = Counter()
    for reasons, count in held_reason_groups(charges) if groups is None else groups:
        for code in set(reasons):
            counts[code] += count
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [ReasonCount(code, _reason_text(code), count) for code, count in ordered]


def _reason_text(code: str) -> str:
    try:
        return HoldReason(code).text
    except ValueError:
        return code


@dataclass
class Worklist:
    """The insurance work waiting, beside the charges, for the same filters."""

    authorizations: list[Any] = field(default_factory=list)
    checks_due: list[Any] = field(default_factory=list)
    to_enter: list[Any] = field(default_factory=list)


def _keep(site_id: int | None, payer_id: int | None, *, site: Any, payer: Any) -> bool:
    return (site is None or site_id == site.pk) and (payer is None or payer_id == payer.pk)


def worklist(user: Any, *, today: dt.date, site: Any = None, payer: Any = None) -> Worklist:
    """Authorizations running out (80 % used, ending within 3 days, review
    due), eligibility checks due (each admission, then monthly) and patients
    admitted with insurance still to enter, at the user's sites, narrowed to
    SITE and PAYER when given (a coverage to enter has no payer yet: shown
    only when no payer is asked for)."""
    from openiop.insurance import selectors as insurance

    alerts = [
        alert
        for alert in insurance.authorization_alerts(user, today=today)
        if _keep(alert.authorization.patient.site_id, alert.authorization.coverage.payer_id, site=site, payer=payer)
    ]
    checks = [
        due
        for due in insurance.eligibility_checks_due(user, today=today, action=BILLING_VIEW)
        if _keep(due.patient.site_id, due.coverage.payer_id, site=site, payer=payer)
    ]
    to_enter = (
        []
        if payer is not None
        else [
            entry
            for entry in insurance.coverage_to_complete(user, action=BILLING_VIEW)
            if site is None or entry.patient.site_id == site.pk
        ]
    )
    return Worklist(alerts, checks, to_enter)


# --- Dashboard sections -----------------------------------------------------------------------------------------------


def held_section(request: HttpRequest) -> dict[str, Any] | None:
    """The billing specialist's block: how many charges are held and the
    reasons that hold most of them."""
    charges = charge_queryset(request.user)
    groups = held_reason_groups(charges)  # the total and the reasons from one grouped query
    held = sum(count for _reasons, count in groups)
    if not held:
        return None
    return {"held": held, "reasons": reason_counts(charges, groups=groups)[:TOP_REASONS]}


def missing_authorization_section(request: HttpRequest) -> dict[str, Any] | None:
    """Attendance charged with no authorization in force where the payer
    requires one: the charges are held until an authorization covers the
    day. On the billing and the clinical dashboards, newest first."""
    held = with_hold_reason(
        charge_queryset(request.user, BILLING_MISSING_AUTHORIZATION).filter(status=ChargeStatus.HELD),
        HoldReason.NO_AUTHORIZATION,
    )
    rows = list(held[:DASHBOARD_ROWS])
    if not rows:
        return None
    return {"charges": rows, "count": held.count(), "today": timezone.localdate()}


# --- The chart --------------------------------------------------------------------------------------------------------

# The chart's billing tab shows the last three months of charges.
CHART_DAYS = 90
# A concurrent review is prepared in the week before it is due.
REVIEW_PREPARE_DAYS = 7
