# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read a 277CA claim acknowledgement (005010X214).

The 277CA answers each claim of a batch we sent: accepted into the payer's
adjudication system, or rejected before it (so it must be fixed and sent
again). Its levels are HL 20 (the clearinghouse or payer), 21 (us, the
receiver, with the batch totals), 19 (the billing provider) and PT (one per
claim). The claim is identified by TRN02 in its loop, which echoes the patient
control number we sent in CLM01; REF*1K is the payer's own claim number. Status
codes come in STC composites: category (A1, A2, A3...), status (the claim
status code list) and the entity concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openiop.x12.errors import X12Error
from openiop.x12.reader import (
    HierarchicalLevel,
    Segment,
    first,
    hierarchical_levels,
    optional_amount,
    parse_date,
    require_transactions,
)

CLAIM_LEVEL, PROVIDER_LEVEL = "PT", "19"

# Claim status category codes seen on a 277CA.
CATEGORIES = {
    "A0": "Forwarded to another entity",
    "A1": "Received",
    "A2": "Accepted into adjudication",
    "A3": "Returned as unprocessable",
    "A4": "Not found",
    "A5": "Split claim",
    "A6": "Rejected for missing information",
    "A7": "Rejected for invalid information",
    "A8": "Rejected for a relational field in error",
    "DR01": "Received by the data reporting system",
    "E0": "Response not possible: error in the submitted data",
    "E1": "Response not possible: system status",
}
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8", "E0"})
REJECT_ACTION = "U"  # STC03: reject; "WQ" accept

# Claim status codes (the external code list) most common on acknowledgements.
STATUSES = {
    "0": "Cannot provide further status electronically",
    "19": "The entity acknowledges receipt of the claim",
    "20": "Accepted for processing",
    "21": "Missing or invalid information",
    "23": "Returned to the entity",
    "24": "Entity not approved as an electronic submitter",
    "25": "Entity not approved",
    "26": "Entity not found",
    "27": "Policy canceled",
    "29": "Subscriber and policy number do not match",
    "30": "Subscriber and subscriber ID do not match",
    "31": "Subscriber and policyholder name do not match",
    "32": "Subscriber and policy number not found",
    "33": "Subscriber and subscriber ID not found",
    "35": "Claim not found",
    "54": "Duplicate of a claim already processed",
    "97": "Patient eligibility not found with the entity",
    "116": "Claim submitted to the wrong payer",
    "145": "Entity's primary identifier",
    "164": "Entity's contract or member number",
    "187": "Date(s) of service",
    "254": "Principal diagnosis code",
    "255": "Diagnosis code",
    "400": "Claim is out of balance",
    "454": "Procedure code for services rendered",
    "562": "Entity's National Provider Identifier (NPI)",
}

ENTITIES = {
    "40": "receiver",
    "41": "submitter",
    "71": "attending provider",
    "77": "service location",
    "82": "rendering provider",
    "85": "billing provider",
    "87": "pay-to provider",
    "DN": "referring provider",
    "FA": "facility",
    "IL": "subscriber",
    "PR": "payer",
    "QC": "patient",
}


@dataclass(frozen=True)
class ClaimStatus:
    category: str
    code: str
    entity: str

    @property
    def rejected(self) -> bool:
        return self.category in REJECTED_CATEGORIES

    @property
    def description(self) -> str:
        """E.g. "Rejected for invalid information: Entity's National Provider
        Identifier (NPI) (rendering provider)"."""
        category = CATEGORIES.get(self.category, f"Category {self.category}")
        text = category
        if self.code:
            text += ": " + STATUSES.get(self.code, f"status {self.code}")
        if self.entity:
            text += f" ({ENTITIES.get(self.entity, 'entity ' + self.entity)})"
        return text


@dataclass(frozen=True)
class ClaimAcknowledgement:
    patient_control_number: str  # TRN02 of the claim loop: our CLM01
    accepted: bool
    statuses: tuple[ClaimStatus, ...]
    action: str  # STC03: WQ accepted, U rejected
    amount: Decimal | None  # STC04: the claim's total charge
    message: str  # STC12, the payer's free text
    payer_claim_number: str  # REF*1K
    clearinghouse_trace: str  # REF*D9
    patient_last_name: str
    patient_first_name: str
    member_id: str
    billing_provider_id: str  # NPI of the 2100C NM1*85
    service_from: date | None
    service_to: date | None
    status_date: date | None  # STC02

    @property
    def description(self) -> str:
        text = "; ".join(status.description for status in self.statuses)
        return f"{text}. {self.message}" if self.message else text


def read_277ca(text: str) -> list[ClaimAcknowledgement]:
    """One acknowledgement per claim in the 277CA(s) of ``text``; X12Error when unreadable."""
    acknowledgements: list[ClaimAcknowledgement] = []
    for transaction in require_transactions(text, "277", "005010X214", "claim acknowledgment"):
        levels = hierarchical_levels(transaction)
        if not levels:
            raise X12Error(
                "The 277CA has no hierarchical levels (HL).",
                segment_position=transaction.segments[0].position,
            )
        acknowledgements.extend(_read_claim(level) for level in levels if level.level_code == CLAIM_LEVEL)
    return acknowledgements


def _read_claim(level: HierarchicalLevel) -> ClaimAcknowledgement:
    segments = level.segments
    trn = first(segments, "TRN", e1="2")
    if trn is None or not trn[2]:
        raise X12Error(
            "A claim in the 277CA has no patient control number (TRN*2).",
            segment_position=segments[0].position,
        )
    stcs = [s for s in segments if s.id == "STC"]
    if not stcs:
        raise X12Error(
            f"Claim {trn[2]} in the 277CA has no status (STC).",
            segment_position=trn.position,
        )
    # A status given for the whole provider (2200C) also holds for its claims when it rejects.
    inherited = [
        status
        for parent in level.ancestors()
        if parent.level_code == PROVIDER_LEVEL
        for stc in parent.segments
        if stc.id == "STC"
        for status in _statuses(stc)
        if status.rejected
    ]
    statuses = tuple(status for stc in stcs for status in _statuses(stc)) + tuple(inherited)
    main = stcs[0]
    patient = first(segments, "NM1", e1="QC")
    provider = next(
        (first(parent.segments, "NM1", e1="85") for parent in level.ancestors() if parent.level_code == PROVIDER_LEVEL),
        None,
    )
    service_from, service_to = _service_dates(segments)
    payer_ref = first(segments, "REF", e1="1K")
    trace_ref = first(segments, "REF", e1="D9")
    rejected = any(status.rejected for status in statuses) or any(stc[3] == REJECT_ACTION for stc in stcs)
    return ClaimAcknowledgement(
        patient_control_number=trn[2],
        accepted=not rejected,
        statuses=statuses,
        action=main[3],
        amount=optional_amount(main[4], main, "claim amount"),
        message=" ".join(stc[12] for stc in stcs if stc[12]),
        payer_claim_number=payer_ref[2] if payer_ref else "",
        clearinghouse_trace=trace_ref[2] if trace_ref else "",
        patient_last_name=patient[3] if patient else "",
        patient_first_name=patient[4] if patient else "",
        member_id=patient[9] if patient else "",
        billing_provider_id=provider[9] if provider else "",
        service_from=service_from,
        service_to=service_to,
        status_date=parse_date(main[2], main, "status date") if main[2] else None,
    )


def _statuses(stc: Segment) -> list[ClaimStatus]:
    statuses = []
    # STC01, and up to two more statuses in STC10 and STC11.
    for index in (1, 10, 11):
        parts = stc.components(index)
        if not parts or not parts[0]:
            continue
        padded = (*parts, "", "")
        statuses.append(ClaimStatus(category=padded[0], code=padded[1], entity=padded[2]))
    if not statuses:
        raise X12Error("A status (STC) has no category code.", segment_position=stc.position)
    return statuses


def _service_dates(segments: Sequence[Segment]) -> tuple[date | None, date | None]:
    dtp = first(segments, "DTP", e1="472")
    if dtp is None:
        return None, None
    if dtp[2] == "RD8":
        start, _, end = dtp[3].partition("-")
        return (
            parse_date(start, dtp, "service date"),
            parse_date(end, dtp, "service date"),
        )
    day = parse_date(dtp[3], dtp, "service date")
    return day, day
