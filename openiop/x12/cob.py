# SPDX-License-Identifier: AGPL-3.0-or-later
"""Coordination of benefits on a claim sent to a later payer: loop 2320 (with
2330A/2330B) for what each earlier payer did, from its 835, and loop 2430 for
its payment of each line.

The guides' balancing rule is checked before anything is written: for each
earlier payer, claim charge = paid + every claim and line adjustment, each
adjudicated line's charge = its paid amount + its adjustments, and the lines'
payments add up to the claim's. A claim that does not balance is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from openiop.x12.claims import (
    CLAIM_FILING_INDICATORS,
    PATIENT_RELATIONS,
    RESPONSIBILITY,
    SELF,
    Adjustment,
    LineAdjudication,
    PriorPayment,
    payer_loop,
    person_name,
)
from openiop.x12.segments import BuildError, Composite, amount, code, d8, identifier, segment, text

ADJUSTMENT_GROUPS = ("CO", "CR", "OA", "PI", "PR")
_REASONS_PER_CAS = 6


def adjustments(items: Iterable[Adjustment], who: str) -> list[str]:
    """CAS segments: one per group code, at most six reasons each."""
    by_group: dict[str, list[Adjustment]] = {}
    for item in items:
        group = code(item.group, f"{who} adjustment group", ADJUSTMENT_GROUPS)
        by_group.setdefault(group, []).append(item)
    lines: list[str] = []
    for group, entries in by_group.items():
        for start in range(0, len(entries), _REASONS_PER_CAS):
            elements: list[str] = [group]
            for entry in entries[start : start + _REASONS_PER_CAS]:
                reason = text(entry.reason, f"{who} adjustment reason code", max_length=5)
                elements += [
                    reason,
                    amount(entry.amount, f"{who} adjustment {group}-{reason}", allow_negative=True),
                    "" if entry.quantity is None else amount(entry.quantity, f"{who} adjustment quantity"),
                ]
            lines.append(segment("CAS", *elements))
    return lines


def other_payers(
    prior: Sequence[PriorPayment],
    *,
    charge: Decimal,
    line_adjudications: Sequence[tuple[Decimal, Sequence[LineAdjudication]]],
    claim_label: str,
    release: str = "I",
) -> list[str]:
    """Loops 2320/2330A/2330B for each earlier payer, after checking that
    each balances: charge = paid + claim and line adjustments."""
    lines: list[str] = []
    for payment in prior:
        payer_id = identifier(payment.policy.payer.payer_id, "Other payer ID")
        who = f"{claim_label} other payer {payer_id}"
        line_items = [
            (line_charge, item)
            for line_charge, items in line_adjudications
            for item in items
            if item.payer_id.strip().upper() == payer_id
        ]
        _check_balance(payment, charge, line_items, who)
        policy = payment.policy
        lines.append(
            segment(
                "SBR",
                code(policy.responsibility, f"{who} responsibility (P, S, T)", RESPONSIBILITY),
                code(policy.relation, f"{who} relationship", (SELF, *PATIENT_RELATIONS)),
                text(policy.group_number, f"{who} group number", max_length=50, required=False),
                "",
                "",
                "",
                "",
                "",
                code(policy.filing_indicator, f"{who} claim filing indicator", CLAIM_FILING_INDICATORS),
            )
        )
        lines.extend(adjustments(payment.adjustments, who))
        lines.append(segment("AMT", "D", amount(payment.paid, f"{who} paid amount")))
        if payment.remaining_patient_liability is not None:
            lines.append(segment("AMT", "EAF", amount(payment.remaining_patient_liability, f"{who} patient liability")))
        lines.append(segment("OI", "", "", "Y", "", "", release))
        lines.append(person_name("IL", policy.subscriber, f"{who} subscriber", member_id=True))
        lines.extend(payer_loop(policy.payer))
        if not line_items:
            # Without line adjudication the remittance date goes at claim level.
            lines.append(segment("DTP", "573", "D8", d8(payment.adjudicated_on, f"{who} remittance date")))
        if payment.claim_control_number.strip():
            lines.append(
                segment(
                    "REF", "F8", identifier(payment.claim_control_number, f"{who} claim control number", max_length=50)
                )
            )
    known = {payment.policy.payer.payer_id.strip().upper() for payment in prior}
    for _, items in line_adjudications:
        for item in items:
            if item.payer_id.strip().upper() not in known:
                raise BuildError(
                    f"{claim_label} line adjudication",
                    f"payer {item.payer_id!r} has no matching other-payer (2320) entry on the claim.",
                )
    return lines


def line_adjudication(item: LineAdjudication, procedure: Composite, revenue_code: str, who: str) -> list[str]:
    """Loop 2430: SVD, CAS and the remittance date for one earlier payer."""
    return [
        segment(
            "SVD",
            identifier(item.payer_id, f"{who} other payer ID"),
            amount(item.paid, f"{who} paid amount"),
            procedure,
            revenue_code,
            amount(item.paid_units, f"{who} paid units"),
        ),
        *adjustments(item.adjustments, who),
        segment("DTP", "573", "D8", d8(item.adjudicated_on, f"{who} remittance date")),
    ]


def _check_balance(
    payment: PriorPayment, charge: Decimal, line_items: Sequence[tuple[Decimal, LineAdjudication]], who: str
) -> None:
    claim_adjusted = sum((item.amount for item in payment.adjustments), Decimal(0))
    line_adjusted = Decimal(0)
    for line_charge, item in line_items:
        adjusted = sum((entry.amount for entry in item.adjustments), Decimal(0))
        if item.paid + adjusted != line_charge:
            raise BuildError(
                f"{who} line adjudication",
                f"paid {item.paid} plus adjustments {adjusted} must equal the line charge {line_charge}.",
            )
        line_adjusted += adjusted
    if line_items and sum((item.paid for _, item in line_items), Decimal(0)) != payment.paid:
        raise BuildError(who, f"the lines' paid amounts must add up to the claim's paid amount {payment.paid}.")
    if payment.paid + claim_adjusted + line_adjusted != charge:
        raise BuildError(
            who,
            f"paid {payment.paid} plus adjustments {claim_adjusted + line_adjusted} must equal the claim charge "
            f"{charge}; copy every CAS adjustment from the remittance.",
        )
