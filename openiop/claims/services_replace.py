# SPDX-License-Identifier: AGPL-3.0-or-later
"""Corrected claims (frequency 7) and voids (8) for a claim the payer has.

Both name the payer's claim number of the original (from its 277CA or 835),
bill the same charges and go out as a file like any claim; the original
becomes void only once its replacement is in the outbox, so a replacement
the scrubber or pyx12 refuses leaves everything as it was (the replacement
is stopped with the reason). A corrected claim is scrubbed like a new one
(its original's lines are not counted as overlapping it); a void only asks
the payer to cancel, so it is not.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.audit.services import log_action
from openiop.claims import scrubber
from openiop.claims.models import Claim, ClaimStatus
from openiop.claims.services import _Group, claim_copy_create, scrub_group, write_claim_file

CORRECTED = "7"
VOID = "8"
# A claim the payer knows and has not been replaced: what may be corrected or voided.
REPLACEABLE = (
    ClaimStatus.ACCEPTED,
    ClaimStatus.DENIED,
    ClaimStatus.PAID,
    ClaimStatus.PARTIALLY_PAID,
)


def claim_replace(*, actor: Any, claim: Claim, frequency: str) -> Claim:
    """A corrected claim (7) or a void (8) of CLAIM, written to the outbox."""
    if frequency not in (CORRECTED, VOID):
        raise ValidationError("Choose a corrected claim (7) or a void (8).")
    if claim.status == ClaimStatus.REJECTED:
        raise ValidationError(
            "A rejected claim never reached adjudication: its charges are ready again and the next build bills "
            "them on a new claim once the reason is fixed."
        )
    if claim.status not in REPLACEABLE:
        raise ValidationError(f"A claim that is {claim.get_status_display().lower()} cannot be corrected or voided.")
    if not claim.payer_claim_control_number:
        raise ValidationError(
            "The payer's claim number is not known yet (it comes with the 277CA or the 835); "
            "a rejected claim that never reached the payer is fixed and built again instead."
        )
    problems: list[str] = []
    if frequency == CORRECTED:
        problems = _scrub_correction(claim)
    with transaction.atomic():
        replacement = claim_copy_create(
            actor=actor,
            source=claim,
            action="claim.replace",
            data={"replaces": claim.patient_control_number},
            frequency=frequency,
            replaces=claim,
            status=ClaimStatus.SCRUBBER_REJECTED if problems else ClaimStatus.BUILT,
            problems=problems,
        )
    if problems:
        return replacement
    path = write_claim_file([replacement], actor=actor)
    replacement.refresh_from_db()
    if path is not None:
        claim.status = ClaimStatus.VOID
        claim.updated_at = timezone.now()
        claim.save(update_fields=["status", "updated_at"])
        log_action("claim.void", obj=claim, actor=actor, data={"claim": claim.patient_control_number})
    return replacement


def _scrub_correction(claim: Claim) -> list[str]:
    """What stops CLAIM's corrected claim, built from its charges as they are now."""
    from openiop.diagnoses.selectors import claim_diagnoses

    charges = [
        line.charge
        for line in claim.lines.select_related(
            "charge__patient",
            "charge__episode__primary_counsellor",
            "charge__coverage",
            "charge__payer",
            "charge__authorization",
            "charge__note__author",
        ).order_by("service_date", "pk")
    ]
    if not charges:
        return ["The claim has no lines to correct."]
    diagnoses = claim_diagnoses([claim.patient_id], claim.statement_end)[claim.patient_id]
    found, _, _ = scrub_group(
        _Group(claim.claim_type, charges), today=timezone.localdate(), diagnoses=diagnoses, ignoring_claim_id=claim.pk
    )
    return [problem.message for problem in scrubber.blocking(found)]
