# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for admissions, already restricted to the user's sites."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openiop.admissions import pipeline, prescreen
from openiop.admissions.models import Inquiry, ReferralSource, SelfCheckShare, Stage, StageChange, Urgency
from openiop.admissions.permissions import ADMISSIONS_SELFCHECK, ADMISSIONS_VIEW
from openiop.core.access import has_action

# Final columns show recent outcomes only; the board is for work in progress.
FINAL_WINDOW_DAYS = 30
FINAL_CARDS_SHOWN = 20


@dataclass
class Column:
    stage: str
    label: str
    is_open: bool
    count: int
    cards: list[Inquiry]


def inquiry_queryset() -> QuerySet[Inquiry]:
    """Unrestricted on purpose: views pass it to get_restricted_or_404."""
    related = (
        "site", "referral_source", "patient", "created_by", "prescreened_by", "benefits_checked_by",
        "assessment_clinician", "assessment_room", "episode", "track",
    )  # fmt: skip
    return Inquiry.objects.select_related(*related).prefetch_related(
        Prefetch("stage_changes", queryset=StageChange.objects.select_related("by"))
    )


def inquiry_board(*, user: Any, site_id: int | None = None) -> list[Column]:
    """One column per stage: every open inquiry, overdue first (urgent before
    soon), then by urgency, then oldest; and the outcomes of the last
    FINAL_WINDOW_DAYS days. Three queries whatever the number of inquiries."""
    visible = Inquiry.objects.restrict(user, ADMISSIONS_VIEW)
    if site_id is not None:
        visible = visible.filter(site_id=site_id)
    since = timezone.now() - dt.timedelta(days=FINAL_WINDOW_DAYS)
    urgency_rank = {Urgency.URGENT: 0, Urgency.SOON: 1, Urgency.ROUTINE: 2}
    now = timezone.now()

    def order(inquiry: Inquiry) -> tuple[bool, int, dt.datetime]:
        overdue = prescreen.is_overdue(inquiry.urgency, inquiry.stage_changed_at, now)
        return (not overdue, urgency_rank.get(inquiry.urgency, 3), inquiry.created_at)  # type: ignore[call-overload]

    open_cards = sorted(
        visible.filter(stage__in=pipeline.OPEN_STAGES).select_related("site", "referral_source"), key=order
    )
    final = list(
        visible.filter(stage__in=pipeline.FINAL_STAGES, stage_changed_at__gte=since)
        .select_related("site", "referral_source")
        .order_by("-stage_changed_at")
    )
    labels = dict(Stage.choices)
    columns = []
    for stage in pipeline.ALL_STAGES:
        if pipeline.is_open(stage):
            cards = [inquiry for inquiry in open_cards if inquiry.stage == stage]
            columns.append(Column(stage, str(labels[stage]), True, len(cards), cards))
        else:
            cards = [inquiry for inquiry in final if inquiry.stage == stage]
            columns.append(Column(stage, str(labels[stage]), False, len(cards), cards[:FINAL_CARDS_SHOWN]))
    return columns


@dataclass
class SourceRow:
    source: ReferralSource | None
    total: int
    open: int
    admitted: int
    referred: int
    closed: int

    @property
    def admitted_share(self) -> float | None:
        return self.admitted / self.total if self.total else None

    @property
    def decided(self) -> int:
        return self.admitted + self.referred + self.closed

    @property
    def conversion(self) -> float | None:
        """Admitted among inquiries that reached an outcome (open ones are still undecided)."""
        return self.admitted / self.decided if self.decided else None


def referral_report(*, user: Any, since: dt.date | None = None, include_inactive: bool = False) -> list[SourceRow]:
    """Inquiries per referral source at the user's sites, with how many were
    admitted. Active sources with no inquiries are listed too, and inactive
    ones when they have inquiries in the period (or INCLUDE_INACTIVE). Sorted
    by volume."""
    inquiries = Inquiry.objects.restrict(user, ADMISSIONS_VIEW)
    if since is not None:
        inquiries = inquiries.filter(created_at__date__gte=since)
    counts = {
        row["referral_source"]: row
        for row in inquiries.order_by()
        .values("referral_source")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(stage__in=pipeline.OPEN_STAGES)),
            admitted=Count("pk", filter=Q(stage=pipeline.ADMITTED)),
            referred=Count("pk", filter=Q(stage=pipeline.REFERRED)),
            closed=Count("pk", filter=Q(stage=pipeline.CLOSED)),
        )
    }
    empty = {"total": 0, "open": 0, "admitted": 0, "referred": 0, "closed": 0}
    rows = []
    for source in ReferralSource.objects.restrict(user, ADMISSIONS_VIEW):
        row = counts.get(source.pk, empty)
        if row["total"] or source.active or include_inactive:
            rows.append(SourceRow(source, *(row[key] for key in empty)))
    if None in counts:
        rows.append(SourceRow(None, *(counts[None][key] for key in empty)))
    rows.sort(key=lambda row: (-row.total, str(row.source or "~")))
    return rows


def selfcheck_share(user: Any, inquiry: Inquiry) -> SelfCheckShare | None:
    """The self-check result shared with INQUIRY, when the user may read it."""
    return (
        SelfCheckShare.objects.restrict(user, ADMISSIONS_SELFCHECK)
        .filter(inquiry=inquiry)
        .select_related("acknowledged_by")
        .first()
    )


def risk_was_shared(inquiry: Inquiry) -> bool:
    """Whether a risk was shared with INQUIRY: the fact everyone who may read
    the inquiry is told, without the outcome itself."""
    return SelfCheckShare.objects.filter(inquiry=inquiry, risk=True).exists()


def open_selfcheck_risks(user: Any) -> QuerySet[SelfCheckShare]:
    """Shared risks nobody has acknowledged, at the user's sites, the
    longest-waiting first."""
    return (
        SelfCheckShare.objects.restrict(user, ADMISSIONS_SELFCHECK)
        .filter(risk=True, acknowledged_at__isnull=True)
        .select_related("inquiry", "inquiry__site")
        .order_by("shared_at", "pk")
    )


def dashboard_selfcheck_risks(request: Any) -> dict[str, Any] | None:
    """Dashboard section: shared risks waiting for someone who may open the
    inquiry (the link must not answer 403)."""
    if not has_action(request.user, ADMISSIONS_VIEW):
        return None
    risks = list(open_selfcheck_risks(request.user)[:20])
    # Sites in more than one time zone: each time is read on its site's clock, abbreviation shown.
    return {"risks": risks, "many_zones": len(request.user.site_time_zones()) > 1} if risks else None


def chart_admission_panel(request: Any, patient: Any) -> dict[str, Any] | None:
    """Chart overview panel: what the admitting inquiry carried over to the
    episode (substances, insurer and member ID, referral source, consent to
    contact, track), when the user may read that inquiry."""
    inquiry = (
        Inquiry.objects.restrict(request.user, ADMISSIONS_VIEW)
        .filter(patient=patient, episode__isnull=False)
        .select_related("episode", "referral_source", "track", "site")
        .order_by("-stage_changed_at", "-pk")
        .first()
    )
    return {"inquiry": inquiry} if inquiry is not None else None
