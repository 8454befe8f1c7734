# SPDX-License-Identifier: AGPL-3.0-or-later
"""Answers a payer would send, written for the demo's own claims: a 999
accepting a claim file, a 277CA accepting or rejecting claims, and an 835
paying, partly paying, denying or reversing them (claim-level adjustments,
balanced as the reader requires). The demo imports most of them through the
real importers and leaves two in the inbox. Everything is synthetic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openiop.claims.models import Claim
from openiop.x12.envelope import Envelope, interchange

CLEARINGHOUSE_ID = "DEMOCLEARING"


@dataclass(frozen=True)
class Remit:
    """One claim's answer in an 835: CLP02 status (1 paid, 4 denied, 22
    reversal), the payment and claim-level (group, reason, amount) adjustments."""

    claim: Claim
    status: str
    paid: Decimal
    adjustments: tuple[tuple[str, str, Decimal], ...] = ()
    payer_claim_number: str = ""


@dataclass(frozen=True)
class Ack:
    claim: Claim
    accepted: bool
    payer_claim_number: str = ""
    reason: str = ""


def _envelope(number: int, sender: str, created: datetime) -> Envelope:
    return Envelope(
        sender_id=sender[:15],
        receiver_id="OPENIOP",
        interchange_control_number=number,
        group_control_number=number,
        created=created,
        usage="T",
    )


def _money(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')).normalize():f}"
    return "0" if text in ("-0", "0.00") else text


def ack_999(claims_group: int, version: str, sets: int, *, number: int, created: datetime) -> str:
    """A 999 accepting every transaction set of the claim file sent as group CLAIMS_GROUP."""
    body = [f"AK1*HC*{claims_group}*{version}"]
    for index in range(1, sets + 1):
        body += [f"AK2*837*{index:04d}*{version}", "IK5*A"]
    body.append(f"AK9*A*{sets}*{sets}*{sets}")
    return interchange(
        _envelope(number, CLEARINGHOUSE_ID, created),
        functional_code="FA",
        transaction_code="999",
        version="005010X231A1",
        transactions=[body],
    )


def ack_277ca(answers: Sequence[Ack], *, number: int, created: datetime) -> str:
    """A 277CA answering each claim: accepted into adjudication (with the
    payer's claim number) or rejected with the payer's words."""
    day = created.strftime("%Y%m%d")
    total = sum((answer.claim.total for answer in answers), Decimal(0))
    body = [
        f"BHT*0085*08*DEMO{number}*{day}*{created.strftime('%H%M')}*TH",
        "HL*1**20*1",
        f"NM1*AY*2*DEMO CLEARINGHOUSE*****46*{CLEARINGHOUSE_ID}",
        f"TRN*1*DEMO{number}",
        f"DTP*050*D8*{day}",
        f"DTP*009*D8*{day}",
        "HL*2*1*21*1",
        "NM1*41*2*OPENIOP DEMO*****46*OPENIOP",
        f"TRN*2*{number}",
        f"STC*A1:19:PR*{day}*WQ*{_money(total)}",
        f"QTY*AA*{len(answers)}",
        f"AMT*YY*{_money(total)}",
        "HL*3*2*19*1",
        f"NM1*85*2*OPENIOP DEMO*****XX*{answers[0].claim.site.organization.npi}",
        "TRN*1*0",
        f"STC*A1:19:PR**WQ*{_money(total)}",
        f"QTY*QC*{len(answers)}",
        f"AMT*YY*{_money(total)}",
    ]
    for level, answer in enumerate(answers, start=4):
        claim = answer.claim
        body += [
            f"HL*{level}*3*PT",
            f"NM1*QC*1*{claim.patient.legal_last_name.upper()}*{claim.patient.legal_first_name.upper()}"
            f"****MI*{claim.coverage.member_id}",
            f"TRN*2*{claim.patient_control_number}",
        ]
        if answer.accepted:
            body.append(f"STC*A2:20:PR*{day}*WQ*{_money(claim.total)}")
            if answer.payer_claim_number:
                body.append(f"REF*1K*{answer.payer_claim_number}")
        else:
            body.append(f"STC*A3:21:IL*{day}*U*{_money(claim.total)}********{answer.reason.upper()}")
        body.append(f"DTP*472*RD8*{claim.statement_start.strftime('%Y%m%d')}-{claim.statement_end.strftime('%Y%m%d')}")
    return interchange(
        _envelope(number, CLEARINGHOUSE_ID, created),
        functional_code="HN",
        transaction_code="277",
        version="005010X214",
        transactions=[body],
    )


def remittance_835(remits: Sequence[Remit], *, number: int, created: datetime) -> str:
    """One payer's 835 for REMITS (claims of that payer); BPR02 is the sum of
    the payments, each claim's charge = paid + its adjustments."""
    first = remits[0].claim
    payer = first.payer
    organization = first.site.organization
    day = created.strftime("%Y%m%d")
    total = sum((-remit.paid if remit.status == "22" else remit.paid for remit in remits), Decimal(0))
    # Taking back more than is paid leaves a debt the payer carries forward
    # (PLB FB, negative): the payment is then zero and still balances.
    carried = min(total, Decimal(0))
    total -= carried
    method = f"BPR*I*{_money(total)}*C*ACH*CCP*01*011000015*DA*123456789*1371234567**01*021000021*DA*987654321*{day}"
    if total == 0:
        method = f"BPR*H*0*C*NON************{day}"
    body = [
        method,
        f"TRN*1*DEMO{number}{payer.payer_id}*1371234567",
        f"N1*PR*{payer.name.upper()}",
        "N3*PO BOX 100",
        "N4*SPRINGFIELD*IL*62701",
        f"REF*2U*{payer.payer_id}",
        "PER*BL*EDI SUPPORT*TE*8005550100",
        f"N1*PE*{organization.name.upper()}*XX*{organization.npi}",
        "N3*100 MAIN STREET",
        "N4*SPRINGFIELD*IL*62704",
        f"REF*TJ*{organization.tax_id}",
        "LX*1",
    ]
    for remit in remits:
        claim = remit.claim
        sign = Decimal(-1) if remit.status == "22" else Decimal(1)
        patient = sum((amount for group, _, amount in remit.adjustments if group == "PR"), Decimal(0))
        body.append(
            f"CLP*{claim.patient_control_number}*{remit.status}*{_money(sign * claim.total)}*"
            f"{_money(sign * remit.paid)}*{_money(sign * patient)}*12*{remit.payer_claim_number}*13*1"
        )
        for group in dict.fromkeys(group for group, _, _ in remit.adjustments):
            reasons = [(reason, amount) for g, reason, amount in remit.adjustments if g == group]
            body.append("CAS*" + group + "".join(f"*{reason}*{_money(sign * amount)}*" for reason, amount in reasons))
            body[-1] = body[-1].rstrip("*")
        body += [
            f"NM1*QC*1*{claim.patient.legal_last_name.upper()}*{claim.patient.legal_first_name.upper()}"
            f"****MI*{claim.coverage.member_id}",
            f"DTM*232*{claim.statement_start.strftime('%Y%m%d')}",
            f"DTM*233*{claim.statement_end.strftime('%Y%m%d')}",
        ]
    if carried:
        body.append(f"PLB*{organization.npi}*{created.year}1231*FB:DEMO{number}*{_money(carried)}")
    return interchange(
        _envelope(number, payer.payer_id, created),
        functional_code="HP",
        transaction_code="835",
        version="005010X221A1",
        transactions=[body],
    )
