# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read an 835 health care claim payment/advice (005010X221A1).

An 835 is refused whole (``X12Error``) unless it balances the way the guide
requires, because posting half of a remittance that does not add up would
leave the ledger wrong in ways nobody notices:

- the payment (BPR02) equals the sum of the claims paid (CLP04) minus the
  provider-level adjustments (PLB amounts; a negative one, such as interest,
  adds to the payment);
- each claim's charge minus its payment equals its adjustments (claim and
  line CAS), and each line's likewise.

Adjustment groups are CO (contractual: written off), PR (the patient's
responsibility), OA (other) and PI (payer initiated); anything else is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openiop.x12.errors import X12Error
from openiop.x12.reader import (
    Segment,
    Transaction,
    first,
    optional_amount,
    parse_amount,
    parse_date,
    require_transactions,
    split_loops,
)

ADJUSTMENT_GROUPS = {
    "CO": "Contractual obligation (written off)",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction",
    "PR": "Patient responsibility",
}

CLAIM_STATUSES = {
    "1": "Processed as primary",
    "2": "Processed as secondary",
    "3": "Processed as tertiary",
    "4": "Denied",
    "19": "Processed as primary, forwarded to another payer",
    "20": "Processed as secondary, forwarded to another payer",
    "21": "Processed as tertiary, forwarded to another payer",
    "22": "Reversal of a previous payment",
    "23": "Not our claim, forwarded to another payer",
    "25": "Predetermination pricing only, no payment",
}
DENIED, REVERSAL = "4", "22"

# PLB03-1 provider adjustment reasons seen most often.
PROVIDER_ADJUSTMENT_REASONS = {
    "50": "Late charge",
    "72": "Authorized return",
    "90": "Early payment allowance",
    "B2": "Rebate",
    "B3": "Recovery allowance",
    "BD": "Bad debt adjustment",
    "CS": "Adjustment",
    "FB": "Forwarding balance",
    "IS": "Interim settlement",
    "J1": "Nonreimbursable",
    "L3": "Penalty",
    "L6": "Interest owed",
    "LE": "Levy",
    "WO": "Overpayment recovery",
    "WU": "Unspecified recovery",
}

# Claim adjustment reason codes (X12 CARC list, in plain words) and, for the
# ones that deny payment, what the billing specialist does next.
CARCS: dict[str, tuple[str, str]] = {
    "1": ("Deductible: the patient owes this until the deductible is met.", ""),
    "2": ("Coinsurance: the patient's share of the allowed amount.", ""),
    "3": ("Copay: the patient's fixed amount for the service.", ""),
    "4": (
        "The procedure code does not agree with the modifier, or a required modifier is missing.",
        "Correct the modifier and send a corrected claim (frequency 7).",
    ),
    "5": (
        "The procedure code or type of bill does not agree with the place of service.",
        "Check the type of bill or place of service and send a corrected claim.",
    ),
    "16": (
        "The claim lacks information or has a billing error.",
        "Read the remark codes, add or fix what is missing and send a corrected claim (frequency 7).",
    ),
    "18": (
        "Exact duplicate of a claim or service already processed.",
        "Check that the first claim was paid; if this is not a duplicate, send a corrected "
        "claim (frequency 7), otherwise close it.",
    ),
    "22": (
        "Another payer may be primary (coordination of benefits).",
        "Confirm the order of coverage with the patient, bill the primary payer, then send "
        "this payer a secondary claim.",
    ),
    "23": ("Adjusted for what a prior payer paid or adjusted.", ""),
    "24": ("Covered under a capitation or managed-care agreement.", ""),
    "26": (
        "The service was before the coverage started.",
        "Verify eligibility for the dates; bill other coverage or move the balance to self-pay.",
    ),
    "27": (
        "The service was after the coverage ended.",
        "Verify eligibility for the dates; bill other coverage or move the balance to self-pay.",
    ),
    "29": (
        "The time limit for filing has expired.",
        "Appeal only with proof of timely filing (an accepted 999/277CA); otherwise write it "
        "off, the patient may not be billed.",
    ),
    "31": (
        "The payer cannot identify the patient as its member.",
        "Check the member ID, name and date of birth against the card and resubmit.",
    ),
    "45": ("The charge exceeds the fee schedule or contracted amount: written off.", ""),
    "50": (
        "Not deemed medically necessary by the payer.",
        "Appeal with the clinical record (assessment, level-of-care criteria, treatment plan) "
        "or ask for a peer-to-peer review.",
    ),
    "96": (
        "Non-covered charge.",
        "Check the plan's benefits; bill the patient only if they agreed in advance, otherwise write it off.",
    ),
    "97": (
        "Bundled: the payment for another service on the claim includes this one.",
        "Check the codes and modifiers; if separately billable, send a corrected claim, otherwise write it off.",
    ),
    "109": (
        "Not covered by this payer.",
        "Verify eligibility to find the right payer and bill it.",
    ),
    "119": (
        "The benefit maximum for this period has been reached.",
        "Bill secondary coverage or the patient, and tell the clinical team benefits are exhausted.",
    ),
    "146": (
        "The diagnosis was invalid for the dates of service.",
        "Correct the ICD-10-CM code and send a corrected claim.",
    ),
    "167": (
        "The diagnosis is not covered.",
        "Check the diagnoses with the clinician; correct and resubmit or appeal.",
    ),
    "181": (
        "The procedure code was invalid on the date of service.",
        "Correct the HCPCS/CPT code and send a corrected claim.",
    ),
    "197": (
        "Prior authorization was absent.",
        "Find or obtain the authorization (retro-authorization if the payer allows) and send "
        "a corrected claim with its number (REF*G1).",
    ),
    "198": (
        "The authorization was exceeded.",
        "Request more units for these dates (concurrent review), then send a corrected claim or appeal.",
    ),
    "204": (
        "The service is not covered under the patient's current benefit plan.",
        "Tell the patient; bill them only if they agreed in advance, otherwise write it off.",
    ),
    "253": ("Sequestration: a reduction in federal payment.", ""),
}


def describe_carc(code: str) -> str:
    """The plain-English meaning of a claim adjustment reason code."""
    entry = CARCS.get(code)
    return entry[0] if entry else f"Adjustment reason {code} (see the X12 CARC list)."


def next_step(code: str) -> str:
    """What to do about a denial with this CARC; "" when it is not a denial."""
    entry = CARCS.get(code)
    return entry[1] if entry else ""


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO, OA, PI, PR
    reason: str  # the CARC
    amount: Decimal
    quantity: Decimal | None = None

    @property
    def description(self) -> str:
        return describe_carc(self.reason)

    @property
    def next_step(self) -> str:
        return next_step(self.reason)


@dataclass(frozen=True)
class ServiceLine:
    qualifier: str  # SVC01-1: HC (HCPCS/CPT), NU (revenue code only), ...
    procedure: str  # SVC01-2, e.g. "H0015"
    modifiers: tuple[str, ...]
    revenue_code: str  # SVC04 on institutional lines (or SVC01-2 when NU)
    charge: Decimal
    paid: Decimal
    units: Decimal | None  # SVC05 units paid
    service_date: date | None  # DTM*472 (or *150, the first day of a range)
    control_number: str  # REF*6R: our line item control number
    adjustments: tuple[Adjustment, ...]
    allowed: Decimal | None = None  # AMT*B6
    remarks: tuple[str, ...] = ()  # LQ*HE remittance advice remark codes


@dataclass(frozen=True)
class ClaimPayment:
    patient_control_number: str  # CLP01: our claim's CLM01
    status: str  # CLP02
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_number: str  # CLP07
    facility_code: str  # CLP08: type of bill facility or place of service
    frequency: str  # CLP09
    patient_last_name: str
    patient_first_name: str
    member_id: str
    statement_from: date | None
    statement_to: date | None
    adjustments: tuple[Adjustment, ...]  # claim-level CAS
    lines: tuple[ServiceLine, ...]

    @property
    def status_description(self) -> str:
        return CLAIM_STATUSES.get(self.status, f"Claim status {self.status}")

    @property
    def is_denied(self) -> bool:
        return self.status == DENIED

    @property
    def is_reversal(self) -> bool:
        return self.status == REVERSAL

    def all_adjustments(self) -> list[Adjustment]:
        return [*self.adjustments, *(a for line in self.lines for a in line.adjustments)]


@dataclass(frozen=True)
class ProviderAdjustment:
    provider_id: str  # PLB01
    fiscal_period_end: date | None  # PLB02
    reason: str  # PLB03-1, e.g. WO overpayment recovery, L6 interest
    reference: str  # PLB03-2, often the claim the adjustment concerns
    amount: Decimal  # positive takes money back, negative adds to the payment

    @property
    def description(self) -> str:
        return PROVIDER_ADJUSTMENT_REASONS.get(self.reason, f"Provider adjustment {self.reason}")


@dataclass(frozen=True)
class Remittance:
    payer_name: str
    payer_id: str  # REF*2U, else N1*PR N104, else TRN03
    payee_name: str
    payee_id: str  # N1*PE N104 (NPI with XX)
    trace_number: str  # TRN02: check or EFT trace number
    payer_trace_id: str  # TRN03
    payment_amount: Decimal  # BPR02
    payment_method: str  # BPR04: ACH, CHK, NON, ...
    payment_date: date | None  # BPR16
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    interchange_control_number: str
    transaction_control_number: str

    @property
    def key(self) -> tuple[str, str]:
        """What identifies this payment across re-imports: payer and trace number."""
        return (self.payer_trace_id or self.payer_id, self.trace_number)

    @property
    def claims_paid(self) -> Decimal:
        return sum((claim.paid for claim in self.claims), Decimal(0))

    @property
    def provider_adjustment_total(self) -> Decimal:
        return sum((plb.amount for plb in self.provider_adjustments), Decimal(0))


def read_835(text: str) -> list[Remittance]:
    """Every remittance (one per 835 transaction) in ``text``; X12Error when it
    is malformed or does not balance."""
    return [
        _read_remittance(transaction)
        for transaction in require_transactions(text, "835", "005010X221", "remittance advice")
    ]


def _read_remittance(transaction: Transaction) -> Remittance:
    body = [s for s in transaction.body if s.id != "PLB"]
    header, claims_area = split_loops(body, ["LX", "CLP"])
    bpr = first(header, "BPR")
    trn = first(header, "TRN")
    if bpr is None:
        raise X12Error(
            "The 835 has no payment information (BPR).",
            segment_position=transaction.segments[0].position,
        )
    if trn is None or not trn[2]:
        raise X12Error(
            "The 835 has no check or EFT trace number (TRN).",
            segment_position=transaction.segments[0].position,
        )
    _, parties = split_loops(header, ["N1"])
    payer = next((loop for loop in parties if loop[0][1] == "PR"), None)
    payee = next((loop for loop in parties if loop[0][1] == "PE"), None)
    if payer is None or payee is None:
        raise X12Error(
            "The 835 does not name both the payer (N1*PR) and the payee (N1*PE).",
            segment_position=bpr.position,
        )
    payer_ref = first(payer, "REF", e1="2U")
    claims = tuple(_read_claim(loop) for loop in claims_area if loop[0].id == "CLP")
    remittance = Remittance(
        payer_name=payer[0][2],
        payer_id=(payer_ref[2] if payer_ref else "") or payer[0][4] or trn[3],
        payee_name=payee[0][2],
        payee_id=payee[0][4],
        trace_number=trn[2],
        payer_trace_id=trn[3],
        payment_amount=parse_amount(bpr[2], bpr, "payment amount"),
        payment_method=bpr[4],
        payment_date=parse_date(bpr[16], bpr, "payment date") if bpr[16] else None,
        claims=claims,
        provider_adjustments=tuple(
            adjustment for segment in transaction.body if segment.id == "PLB" for adjustment in _read_plb(segment)
        ),
        interchange_control_number=transaction.interchange_control_number,
        transaction_control_number=transaction.control_number,
    )
    _check_balance(remittance, bpr)
    return remittance


def _check_balance(remittance: Remittance, bpr: Segment) -> None:
    expected = remittance.claims_paid - remittance.provider_adjustment_total
    if remittance.payment_amount != expected:
        raise X12Error(
            f"The remittance does not balance: the payment (BPR02) is "
            f"{_money(remittance.payment_amount)} but the claims paid "
            f"{_money(remittance.claims_paid)} less {_money(remittance.provider_adjustment_total)} "
            f"of provider-level adjustments is {_money(expected)}. The file was not posted.",
            segment_position=bpr.position,
        )


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}" if amount >= 0 else f"-${-amount:,.2f}"


def _read_claim(loop: Sequence[Segment]) -> ClaimPayment:
    claim_segments, line_loops = split_loops(loop, ["SVC"])
    clp = claim_segments[0]
    if not clp[1] or not clp[2]:
        raise X12Error("A claim (CLP) has no patient control number or status.", segment_position=clp.position)
    patient = first(claim_segments, "NM1", e1="QC")
    start = first(claim_segments, "DTM", e1="232")
    end = first(claim_segments, "DTM", e1="233")
    claim = ClaimPayment(
        patient_control_number=clp[1],
        status=clp[2],
        charge=parse_amount(clp[3], clp, "claim charge"),
        paid=parse_amount(clp[4], clp, "claim payment"),
        patient_responsibility=optional_amount(clp[5], clp, "patient responsibility") or Decimal(0),
        payer_claim_number=clp[7],
        facility_code=clp[8],
        frequency=clp[9],
        patient_last_name=patient[3] if patient else "",
        patient_first_name=patient[4] if patient else "",
        member_id=patient[9] if patient else "",
        statement_from=parse_date(start[2], start, "statement date") if start else None,
        statement_to=parse_date(end[2], end, "statement date") if end else None,
        adjustments=_read_adjustments(claim_segments),
        lines=tuple(_read_line(line) for line in line_loops),
    )
    adjusted = sum((a.amount for a in claim.all_adjustments()), Decimal(0))
    if claim.charge - claim.paid != adjusted:
        raise X12Error(
            f"Claim {claim.patient_control_number} does not balance: charged "
            f"{_money(claim.charge)}, paid {_money(claim.paid)}, but adjustments total "
            f"{_money(adjusted)}.",
            segment_position=clp.position,
        )
    return claim


def _read_line(loop: Sequence[Segment]) -> ServiceLine:
    svc = loop[0]
    composite = svc.components(1)
    if len(composite) < 2:
        raise X12Error(
            f"The service line's procedure “{svc[1]}” is not a qualifier and a code.",
            segment_position=svc.position,
        )
    qualifier, procedure = composite[0], composite[1]
    date_segment = first(loop, "DTM", e1="472") or first(loop, "DTM", e1="150")
    control = first(loop, "REF", e1="6R")
    allowed = first(loop, "AMT", e1="B6")
    line = ServiceLine(
        qualifier=qualifier,
        procedure=procedure,
        modifiers=tuple(m for m in composite[2:6] if m),
        revenue_code=svc[4] or (procedure if qualifier == "NU" else ""),
        charge=parse_amount(svc[2], svc, "line charge"),
        paid=parse_amount(svc[3], svc, "line payment"),
        units=optional_amount(svc[5], svc, "units"),
        service_date=(parse_date(date_segment[2], date_segment, "service date") if date_segment else None),
        control_number=control[2] if control else "",
        adjustments=_read_adjustments(loop),
        allowed=optional_amount(allowed[2], allowed, "allowed amount") if allowed else None,
        remarks=tuple(s[2] for s in loop if s.id == "LQ" and s[2]),
    )
    adjusted = sum((a.amount for a in line.adjustments), Decimal(0))
    if line.charge - line.paid != adjusted:
        raise X12Error(
            f"Service line {line.control_number or line.procedure} does not balance: charged "
            f"{_money(line.charge)}, paid {_money(line.paid)}, but adjustments total "
            f"{_money(adjusted)}.",
            segment_position=svc.position,
        )
    return line


def _read_adjustments(segments: Sequence[Segment]) -> tuple[Adjustment, ...]:
    adjustments: list[Adjustment] = []
    for cas in (s for s in segments if s.id == "CAS"):
        group = cas[1]
        if group not in ADJUSTMENT_GROUPS:
            raise X12Error(
                f"The adjustment group “{group}” is not one of CO, OA, PI or PR.",
                segment_position=cas.position,
            )
        # Up to six reason/amount/quantity triples follow the group code.
        for index in range(2, 20, 3):
            reason = cas[index]
            if not reason:
                continue
            adjustments.append(
                Adjustment(
                    group=group,
                    reason=reason,
                    amount=parse_amount(cas[index + 1], cas, "adjustment amount"),
                    quantity=optional_amount(cas[index + 2], cas, "adjustment quantity"),
                )
            )
    return tuple(adjustments)


def _read_plb(plb: Segment) -> list[ProviderAdjustment]:
    period_end = parse_date(plb[2], plb, "fiscal period date") if plb[2] else None
    adjustments: list[ProviderAdjustment] = []
    # Up to six reason:reference / amount pairs.
    for index in range(3, 15, 2):
        composite = plb.components(index)
        if not composite:
            continue
        adjustments.append(
            ProviderAdjustment(
                provider_id=plb[1],
                fiscal_period_end=period_end,
                reason=composite[0],
                reference=composite[1] if len(composite) > 1 else "",
                amount=parse_amount(plb[index + 1], plb, "provider adjustment amount"),
            )
        )
    return adjustments
