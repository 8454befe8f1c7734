# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the claims pages, restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from openiop.claims.models import Claim, ClaimStatus, UnmatchedRemittance
from openiop.core.access import has_action


def claim_queryset(user: Any, action: str) -> QuerySet[Claim]:
    return (
        Claim.objects.restrict(user, action)
        .select_related("patient", "payer", "site")
        .order_by("-statement_start", "-pk")
    )


@dataclass(frozen=True)
class Reason:
    code: str
    group: str
    description: str
    next_step: str


@dataclass(frozen=True)
class Denial:
    claim: Claim
    reasons: list[Reason]
    messages: list[str]


def reasons_for(claim: Claim) -> list[Reason]:
    """Each adjustment reason the payer gave that is not the patient's share,
    in plain words with the next step (CARC 197: get the authorization...)."""
    from openiop.x12.remittance import describe_carc, next_step

    seen: dict[tuple[str, str], Reason] = {}
    for posting in claim.postings.all():
        for adjustment in posting.adjustments:
            if adjustment["group"] == "PR" or posting.is_reversal:
                continue
            key = (adjustment["group"], adjustment["reason"])
            seen.setdefault(
                key,
                Reason(
                    adjustment["reason"],
                    adjustment["group"],
                    describe_carc(adjustment["reason"]),
                    next_step(adjustment["reason"]),
                ),
            )
    return list(seen.values())


def denials(user: Any, action: str) -> list[Denial]:
    """Denied and rejected claims, oldest first: the work queue."""
    claims = (
        claim_queryset(user, action)
        .filter(status__in=(ClaimStatus.DENIED, ClaimStatus.REJECTED))
        .prefetch_related("postings")
        .order_by("updated_at", "pk")
    )
    queue = []
    for claim in claims[:200]:
        reasons = reasons_for(claim)
        messages = [] if reasons else list(claim.problems)
        queue.append(Denial(claim, reasons, messages))
    return queue


def unmatched_payments(user: Any, action: str) -> list[UnmatchedRemittance]:
    """Claim payments from 835s that answer no claim we sent, waiting for a
    person to match them (they name no patient we know, so they are not
    scoped by site; whoever works claims sees them)."""
    if not has_action(user, action):
        return []
    rows = UnmatchedRemittance.objects.filter(resolved_at__isnull=True).select_related("payment")
    return list(rows.order_by("pk")[:200])
