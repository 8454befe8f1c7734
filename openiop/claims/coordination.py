# SPDX-License-Identifier: AGPL-3.0-or-later
"""Secondary claims: what the primary payer did, carried to the next payer.

Once a primary claim's 835 has posted and left the patient something to pay
(PR), the patient's secondary coverage in force on the claim's dates is
billed for the same lines. The secondary claim carries the primary's payment
and every adjustment it made, as the payer sent them (loop 2320 CAS and
AMT*D, 2330B, and per line 2430 SVD/CAS/DTP*573), netted over all its
remittances so that a reversal and its correction count once.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.claims.models import Claim, ClaimStatus, Posting
from openiop.insurance.models import Coverage, CoveragePriority
from openiop.x12 import claims as x12

# Primary claims the payer has finished with: what a secondary claim may follow.
ADJUDICATED = (ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED)
LATER_PRIORITY: dict[str, str] = {CoveragePriority.PRIMARY: CoveragePriority.SECONDARY}


def _net(postings: list[Posting]) -> dict[tuple[str, str], Decimal]:
    """(group, reason) -> amount over the postings, reversals included; zeros dropped."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for posting in postings:
        for item in posting.adjustments or []:
            totals[(str(item["group"]), str(item["reason"]))] += Decimal(str(item["amount"]))
    return {key: value for key, value in totals.items() if value != 0}


def _adjustments(totals: dict[tuple[str, str], Decimal]) -> tuple[x12.Adjustment, ...]:
    return tuple(x12.Adjustment(group, reason, amount) for (group, reason), amount in sorted(totals.items()))


def prior_payment(primary: Claim, policy: x12.Policy) -> tuple[x12.PriorPayment, dict[int, x12.LineAdjudication]]:
    """The primary's adjudication as loop 2320 (claim level) and loops 2430,
    keyed by the charge each primary line billed."""
    postings = list(primary.postings.select_related("payment").order_by("created_at", "pk"))
    adjudicated_on = max(
        (posting.payment.paid_on or timezone.localdate(posting.payment.imported_at) for posting in postings),
        default=timezone.localdate(),
    )
    claim_level = [posting for posting in postings if posting.line_id is None]
    by_line: dict[int, list[Posting]] = defaultdict(list)
    for posting in postings:
        if posting.line_id is not None:
            by_line[posting.line_id].append(posting)
    lines: dict[int, x12.LineAdjudication] = {}
    for line in primary.lines.all():
        if line.pk not in by_line:
            continue
        lines[line.charge_id] = x12.LineAdjudication(
            payer_id=policy.payer.payer_id,
            paid=line.paid,
            adjudicated_on=adjudicated_on,
            adjustments=_adjustments(_net(by_line[line.pk])),
            paid_units=Decimal(line.units),
        )
    payment = x12.PriorPayment(
        policy=policy,
        paid=primary.paid,
        adjudicated_on=adjudicated_on,
        adjustments=_adjustments(_net(claim_level)),
        remaining_patient_liability=primary.patient_responsibility,
        claim_control_number=primary.payer_claim_control_number,
    )
    return payment, lines


def secondary_coverage(primary: Claim) -> Coverage | None:
    """The patient's next coverage (secondary after primary), in force on the
    claim's first day, with another payer."""
    priority = LATER_PRIORITY.get(primary.coverage.priority)
    if priority is None:
        return None
    candidates = (
        Coverage.objects.filter(patient_id=primary.patient_id, priority=priority)
        .exclude(payer_id=primary.payer_id)
        .select_related("payer")
        .order_by("-effective_date", "pk")
    )
    return next((c for c in candidates if c.in_force_on(primary.statement_start)), None)


def claims_needing_secondary() -> list[tuple[Claim, Coverage]]:
    """Primary claims adjudicated with patient responsibility left and a
    secondary coverage, not yet billed to it."""
    primaries = (
        Claim.objects.filter(
            status__in=ADJUDICATED,
            coverage__priority=CoveragePriority.PRIMARY,
            patient_responsibility__gt=0,
            primary_claim__isnull=True,
        )
        .exclude(later_claims__status__in=[s for s in ClaimStatus if s != ClaimStatus.SCRUBBER_REJECTED])
        .select_related("coverage", "payer", "patient", "site__organization", "episode")
        .order_by("statement_start", "pk")
    )
    found = []
    for primary in primaries:
        coverage = secondary_coverage(primary)
        if coverage is not None:
            found.append((primary, coverage))
    return found


@transaction.atomic
def secondary_claim_create(*, actor: Any, primary: Claim, coverage: Coverage) -> Claim:
    """A claim to COVERAGE for PRIMARY's lines, carrying PRIMARY's
    remittance; written to the outbox by the caller (``write_claim_file``)."""
    from openiop.claims.services import claim_copy_create

    Claim.objects.filter(primary_claim=primary, status=ClaimStatus.SCRUBBER_REJECTED).delete()
    return claim_copy_create(
        actor=actor,
        source=primary,
        action="claim.build",
        data={"secondary_to": primary.patient_control_number},
        payer=coverage.payer,
        coverage=coverage,
        primary_claim=primary,
    )
