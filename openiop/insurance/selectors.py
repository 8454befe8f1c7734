# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for coverage, eligibility and authorizations.

``coverage_in_force``, ``coverages_in_force`` and ``authorizations_for`` are
for billing's own computations (charges are made by the program, not shown to
a user), so they take ids and are not restricted; everything a page shows
goes through ``restrict(user, action)``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.core.access import has_action
from openiop.insurance.models import (
    Authorization,
    AuthorizationStatus,
    CheckMethod,
    Coverage,
    CoveragePriority,
    CoverageToEnter,
    EligibilityCheck,
    EligibilityStatus,
    SelfPayElection,
)
from openiop.insurance.permissions import (
    AUTHORIZATIONS_ALERTS,
    AUTHORIZATIONS_EDIT,
    COVERAGE_EDIT,
    COVERAGE_VIEW,
    ELIGIBILITY_CHECK,
)
from openiop.patients.models import Episode, Patient

# Alert thresholds (issue 12): 80 % of units used, the last 3 days, the review day.
USED_SHARE_ALERT = 0.8
ENDING_ALERT_DAYS = 3
# Benefits are verified at each admission, then at least monthly.
RECHECK_DAYS = 30


def _in_force(queryset: QuerySet[Coverage], start: dt.date, end: dt.date) -> QuerySet[Coverage]:
    return queryset.filter(effective_date__lte=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))


def self_pay_election_in_force(patient_id: int, day: dt.date) -> SelfPayElection | None:
    """The patient's choice not to have their insurance billed, if in force on DAY."""
    return (
        SelfPayElection.objects.filter(patient_id=patient_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("-start_date", "-pk")
        .first()
    )


def coverage_in_force(patient_id: int, day: dt.date) -> Coverage | None:
    """The primary coverage in force on DAY, or None: the patient is self-pay
    that day (no coverage, or they asked us not to bill it)."""
    if self_pay_election_in_force(patient_id, day) is not None:
        return None
    queryset = Coverage.objects.filter(patient_id=patient_id, priority=CoveragePriority.PRIMARY)
    return _in_force(queryset, day, day).select_related("payer").order_by("-effective_date", "-pk").first()


def is_self_pay(patient_id: int, day: dt.date) -> bool:
    return coverage_in_force(patient_id, day) is None


def coverages_in_force(patient_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, list[Coverage]]:
    """For billing in bulk: patient id -> the coverages (every priority) in
    force on any day of START..END, primary first. Patients without are absent."""
    found: dict[int, list[Coverage]] = defaultdict(list)
    queryset = _in_force(Coverage.objects.filter(patient_id__in=list(patient_ids)), start, end)
    order = {priority: index for index, priority in enumerate(CoveragePriority.values)}
    rows = sorted(queryset.select_related("payer"), key=lambda c: (order.get(c.priority, 9), c.effective_date, c.pk))
    for coverage in rows:
        found[coverage.patient_id].append(coverage)
    return dict(found)


def authorizations_for(patient_id: int, start: dt.date, end: dt.date) -> list[Authorization]:
    """The approved authorizations of the patient covering any day of START..END,
    earliest first (what billing may draw down)."""
    return list(
        Authorization.objects.filter(
            patient_id=patient_id, status=AuthorizationStatus.APPROVED, start_date__lte=end, end_date__gte=start
        )
        .select_related("coverage__payer")
        .order_by("start_date", "pk")
    )


# --- Alerts and work lists --------------------------------------------------------------------------------------------


@dataclass
class AuthorizationAlert:
    authorization: Authorization
    reasons: list[str] = field(default_factory=list)


def authorization_alerts(user: Any, *, today: dt.date | None = None) -> list[AuthorizationAlert]:
    """Approved authorizations at the user's sites that need someone now: 80 %
    of units used, 3 days or fewer before the end date, or the concurrent
    review today or past. Soonest end first."""
    day = today or timezone.localdate()
    candidates = (
        Authorization.objects.restrict(user, AUTHORIZATIONS_ALERTS)
        .filter(status=AuthorizationStatus.APPROVED, end_date__gte=day, start_date__lte=day + dt.timedelta(days=1))
        .filter(
            Q(end_date__lte=day + dt.timedelta(days=ENDING_ALERT_DAYS))
            | Q(next_review_date__lte=day)
            | Q(units_used__gte=1)
        )
        .select_related("patient", "coverage__payer")
        .order_by("end_date", "pk")
    )
    alerts = []
    for authorization in candidates:
        reasons = []
        if authorization.units_used * 10 >= authorization.units_authorized * int(USED_SHARE_ALERT * 10):
            reasons.append(
                _("%(used)d of %(total)d units used")
                % {"used": authorization.units_used, "total": authorization.units_authorized}
            )
        days_left = (authorization.end_date - day).days
        if days_left <= ENDING_ALERT_DAYS:
            if days_left == 0:
                reasons.append(_("ends today"))
            elif days_left == 1:
                reasons.append(_("ends tomorrow"))
            else:
                reasons.append(_("ends in %(days)d days") % {"days": days_left})
        if authorization.next_review_date is not None and authorization.next_review_date <= day:
            reasons.append(
                _("concurrent review due today")
                if authorization.next_review_date == day
                else _("concurrent review overdue since %(day)s") % {"day": authorization.next_review_date.isoformat()}
            )
        if reasons:
            alerts.append(AuthorizationAlert(authorization, reasons))
    return alerts


@dataclass
class CheckDue:
    patient: Patient
    coverage: Coverage
    reason: str


def eligibility_checks_due(
    user: Any, *, today: dt.date | None = None, action: str = ELIGIBILITY_CHECK
) -> list[CheckDue]:
    """Coverages in force today of patients in treatment at the user's sites
    whose benefits were not verified since the admission, or not in the last
    30 days (a check sent and not yet answered counts as under way)."""
    day = today or timezone.localdate()
    coverages = _in_force(Coverage.objects.restrict(user, action), day, day).filter(
        patient__episodes__status=Episode.Status.ACTIVE
    )
    coverages = coverages.annotate(
        admitted=Max("patient__episodes__admission_date", filter=Q(patient__episodes__status=Episode.Status.ACTIVE)),
        last_check=Max(
            "eligibility_checks__checked_at", filter=~Q(eligibility_checks__status=EligibilityStatus.REJECTED)
        ),
    ).select_related("patient", "payer")
    due = []
    for coverage in coverages.order_by("patient__legal_last_name", "patient__legal_first_name", "pk").distinct():
        last = timezone.localdate(coverage.last_check) if coverage.last_check else None
        admitted = coverage.admitted
        if last is None or (admitted is not None and last < admitted):
            reason = _("not verified since the admission")
        elif (day - last).days > RECHECK_DAYS:
            reason = _("last verified %(day)s") % {"day": last.isoformat()}
        else:
            continue
        due.append(CheckDue(coverage.patient, coverage, reason))
    return due


def coverage_to_complete(user: Any, *, action: str = COVERAGE_EDIT) -> list[CoverageToEnter]:
    """Patients admitted with insurance named at the inquiry that could not be
    carried over: billing enters those coverages by hand."""
    return list(
        CoverageToEnter.objects.restrict(user, action)
        .filter(resolved_at__isnull=True)
        .select_related("patient")
        .order_by("created_at", "pk")
    )


# --- The chart tab and the dashboard ----------------------------------------------------------------------------------


def patient_insurance(user: Any, patient: Patient, *, today: dt.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    coverages = list(
        Coverage.objects.restrict(user, COVERAGE_VIEW).filter(patient=patient).select_related("payer", "created_by")
    )
    checks = list(
        EligibilityCheck.objects.restrict(user, COVERAGE_VIEW)
        .filter(patient=patient)
        .select_related("coverage__payer", "checked_by")[:20]
    )
    authorizations = list(
        Authorization.objects.restrict(user, COVERAGE_VIEW).filter(patient=patient).select_related("coverage__payer")
    )
    in_force = next(
        (c for c in coverages if c.priority == CoveragePriority.PRIMARY and c.in_force_on(day)),
        None,
    )
    return {
        "coverages": coverages,
        "in_force": in_force,
        "self_pay": in_force is None,
        "checks": checks,
        "pending_electronic": [c for c in checks if c.method == CheckMethod.ELECTRONIC and c.status == "pending"],
        "authorizations": authorizations,
        "today": day,
        "to_enter": list(
            CoverageToEnter.objects.restrict(user, COVERAGE_VIEW).filter(patient=patient, resolved_at__isnull=True)
        ),
        "can_edit": has_action(user, COVERAGE_EDIT),
        "can_check": has_action(user, ELIGIBILITY_CHECK),
        "can_authorize": has_action(user, AUTHORIZATIONS_EDIT),
    }


def coverage_panel(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """The chart overview's line on how care is paid: the primary coverage in
    force today (or self-pay) and the authorizations in force with units left."""
    day = timezone.localdate()
    coverages = _in_force(Coverage.objects.restrict(request.user, COVERAGE_VIEW).filter(patient=patient), day, day)
    in_force = coverages.filter(priority=CoveragePriority.PRIMARY).select_related("payer").first()
    authorizations = list(
        Authorization.objects.restrict(request.user, COVERAGE_VIEW).filter(
            patient=patient, status=AuthorizationStatus.APPROVED, start_date__lte=day, end_date__gte=day
        )
    )
    return {"patient": patient, "in_force": in_force, "authorizations": authorizations}


def authorizations_section(request: HttpRequest) -> dict[str, Any] | None:
    alerts = authorization_alerts(request.user)
    return {"alerts": alerts[:25], "count": len(alerts)} if alerts else None


def benefits_section(request: HttpRequest) -> dict[str, Any] | None:
    """Eligibility checks due and coverages to enter, for whoever verifies benefits."""
    due = eligibility_checks_due(request.user)
    to_enter = coverage_to_complete(request.user, action=ELIGIBILITY_CHECK)
    if not due and not to_enter:
        return None
    return {"due": due[:25], "due_count": len(due), "to_enter": to_enter[:25], "to_enter_count": len(to_enter)}
