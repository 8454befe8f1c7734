# SPDX-License-Identifier: AGPL-3.0-or-later
"""What payers answer about our claims: 999 and 277CA acknowledgements and
835 remittances, read through the insurance app's clearinghouse import (the
``clearinghouse_import`` command and the inbox job dispatch by transaction set
to the importers registered here).

Each file is all or nothing: a file that cannot be read, that answers a file
we never sent, or an 835 that does not balance changes nothing and says why.
The same 835 read again (even under another name) posts nothing twice: a
remittance is known by its payer and trace number.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.audit.services import log_action
from openiop.billing.models import Charge, ChargeStatus
from openiop.claims.build_facts import VOID_FREQUENCY, billing_lines
from openiop.claims.models import (
    Claim,
    ClaimStatus,
    Payment,
    Posting,
    UnmatchedRemittance,
)
from openiop.insurance.models import Payer
from openiop.insurance.services_eligibility import AnswerRefused, register_importer
from openiop.x12.claims import CLAIMS_PER_TRANSACTION
from openiop.x12.errors import X12Error

# Claims a 999 or 277CA may still move (a claim already paid or denied is past them).
_ACKNOWLEDGEABLE = (ClaimStatus.BUILT, ClaimStatus.SENT, ClaimStatus.ACCEPTED, ClaimStatus.REJECTED)


def register_importers() -> None:
    register_importer("999", import_999)
    register_importer("277", import_277ca)
    register_importer("835", import_835)


def _refuse(name: str, kind: str, error: Exception) -> AnswerRefused:
    return AnswerRefused(f"{name} is not a readable {kind}: {error}; nothing was changed.")


def _mark(claim: Claim, status: str, problems: list[str] | None = None) -> None:
    claim.status = status
    if problems is not None:
        claim.problems = problems[:30]
    claim.updated_at = timezone.now()
    claim.save(update_fields=["status", "problems", "updated_at", "payer_claim_control_number"])
    log_action("claim.answer", obj=claim, actor=None, data={"claim": claim.patient_control_number, "status": status})
    if status == ClaimStatus.REJECTED or (status == ClaimStatus.ACCEPTED and claim.frequency == VOID_FREQUENCY):
        _charges_back_to_ready(claim)


def _charges_back_to_ready(claim: Claim) -> None:
    """A rejected claim never reached adjudication, and an accepted void
    cancels its original: their charges are billed again by the next
    claims_build, unless another claim still bills them (a secondary claim
    bills its primary's charges and gives nothing back)."""
    if claim.primary_claim_id is not None:
        return
    still_billed = billing_lines().exclude(claim=claim).values("charge_id")
    count = (
        Charge.objects.filter(claim_lines__claim=claim, status=ChargeStatus.BILLED)
        .exclude(pk__in=still_billed)
        .update(status=ChargeStatus.READY)
    )
    if count:
        log_action(
            "claim.charges_ready", obj=claim, actor=None, data={"claim": claim.patient_control_number, "charges": count}
        )


# --- 999 --------------------------------------------------------------------------------------------------------------


def import_999(name: str, text: str) -> str:
    """A 999 accepts or rejects the transaction sets of a claim file we sent,
    found by its group control number (GS06)."""
    from openiop.x12.acknowledgement import read_999

    try:
        acknowledgements = read_999(text)
    except X12Error as error:
        raise _refuse(name, "999", error) from None
    moved = 0
    for acknowledgement in acknowledgements:
        try:
            group = int(acknowledgement.group_control_number)
        except ValueError:
            group = -1
        claims = list(Claim.objects.select_for_update().filter(group_control_number=group).order_by("pk"))
        if not claims:
            raise AnswerRefused(
                f"{name} acknowledges group {acknowledgement.group_control_number}, which OpenIOP never sent; "
                "nothing was changed."
            )
        for index, claim in enumerate(claims):
            set_number = f"{index // CLAIMS_PER_TRANSACTION + 1:04d}"
            answer = next(
                (s for s in acknowledgement.sets if s.control_number.lstrip("0") == set_number.lstrip("0")), None
            )
            accepted = answer.accepted if answer is not None else acknowledgement.accepted
            if claim.status not in (ClaimStatus.BUILT, ClaimStatus.SENT):
                continue  # a later answer (277CA, 835) already moved it
            if accepted:
                _mark(claim, ClaimStatus.SENT)
            else:
                reasons = (answer.errors if answer is not None else []) or list(acknowledgement.group_errors)
                _mark(claim, ClaimStatus.REJECTED, [f"999: {reason}" for reason in reasons] or ["999: file rejected."])
            moved += 1
    return f"{moved} claim(s) acknowledged."


# --- 277CA ------------------------------------------------------------------------------------------------------------


def import_277ca(name: str, text: str) -> str:
    """A 277CA accepts each claim into the payer's adjudication or rejects it
    with the reason; every claim it names must be ours."""
    from openiop.x12.claim_status import read_277ca

    try:
        answers = read_277ca(text)
    except X12Error as error:
        raise _refuse(name, "277CA", error) from None
    found = _claims_by_number(answer.patient_control_number for answer in answers)
    unknown = [a.patient_control_number for a in answers if a.patient_control_number.upper() not in found]
    if unknown:
        raise AnswerRefused(f"{name} answers claims OpenIOP never sent ({', '.join(unknown)}); nothing was changed.")
    moved = 0
    for answer in answers:
        claim = found[answer.patient_control_number.upper()]
        if claim.status not in _ACKNOWLEDGEABLE:
            continue
        if answer.payer_claim_number:
            claim.payer_claim_control_number = answer.payer_claim_number[:50]
        if answer.accepted:
            _mark(claim, ClaimStatus.ACCEPTED)
        else:
            _mark(claim, ClaimStatus.REJECTED, [f"277CA: {answer.description}"])
        moved += 1
    return f"{moved} claim(s) acknowledged by the payer."


def _claims_by_number(numbers: Iterable[str]) -> dict[str, Claim]:
    wanted = {number.strip().upper() for number in numbers if number.strip()}
    claims = Claim.objects.select_for_update().filter(patient_control_number__in=wanted)
    return {claim.patient_control_number.upper(): claim for claim in claims}


# --- 835 --------------------------------------------------------------------------------------------------------------


def _sums(adjustments: Iterable[Any]) -> tuple[Decimal, Decimal, Decimal]:
    """(written off: CO, patient's: PR, other: OA and PI)."""
    written_off = patient = other = Decimal(0)
    for adjustment in adjustments:
        if adjustment.group == "CO":
            written_off += adjustment.amount
        elif adjustment.group == "PR":
            patient += adjustment.amount
        else:
            other += adjustment.amount
    return written_off, patient, other


def _as_json(adjustments: Iterable[Any]) -> list[dict[str, str]]:
    return [{"group": a.group, "reason": a.reason, "amount": str(a.amount)} for a in adjustments]


def import_835(name: str, text: str) -> str:
    """Post each remittance of an 835: payments and adjustments to claims and
    lines; reversals undo; claims we cannot find are held for review."""
    from openiop.x12.remittance import read_835

    try:
        remittances = read_835(text)
    except X12Error as error:
        raise AnswerRefused(f"{name} was refused whole: {error} Nothing was posted.") from None
    posted = held = skipped = 0
    for remittance in remittances:
        key = ":".join(remittance.key)[:120]
        if Payment.objects.filter(remittance_key=key).exists():
            skipped += 1
            continue
        payment = Payment.objects.create(
            remittance_key=key,
            payer=Payer.objects.filter(payer_id__iexact=remittance.payer_id).order_by("pk").first(),
            payer_name=remittance.payer_name[:120],
            amount=remittance.payment_amount,
            method=remittance.payment_method[:4],
            paid_on=remittance.payment_date,
            trace_number=remittance.trace_number[:60],
            provider_adjustments=[
                {"reason": plb.reason, "reference": plb.reference, "amount": str(plb.amount)}
                for plb in remittance.provider_adjustments
            ],
            file_name=name[:200],
        )
        claims = _claims_by_number(c.patient_control_number for c in remittance.claims)
        for claim_payment in remittance.claims:
            claim = claims.get(claim_payment.patient_control_number.strip().upper())
            if claim is None:
                UnmatchedRemittance.objects.create(
                    payment=payment,
                    patient_control_number=claim_payment.patient_control_number[:40],
                    claim_status=claim_payment.status[:2],
                    charge=claim_payment.charge,
                    paid=claim_payment.paid,
                    patient_name=f"{claim_payment.patient_last_name}, {claim_payment.patient_first_name}"[:120],
                )
                held += 1
                continue
            _post_claim(payment, claim, claim_payment)
            posted += 1
        log_action("claims.remittance", actor=None, data={"file": name, "key": key, "amount": str(payment.amount)})
    message = f"{posted} claim payment(s) posted"
    if held:
        message += f", {held} held for review (no such claim)"
    if skipped:
        message += f"; {skipped} remittance(s) posted before, left as they were"
    return message + "."


def _post_claim(payment: Payment, claim: Claim, answer: Any) -> None:
    reversal = bool(answer.is_reversal)
    lines = {line.line_control_number.upper(): line for line in claim.lines.select_for_update()}
    by_day_code = {(line.service_date, line.code): line for line in lines.values()}
    claim_off, claim_patient, claim_other = _sums(answer.adjustments)
    Posting.objects.create(
        payment=payment,
        claim=claim,
        claim_status=answer.status[:2],
        paid=answer.paid,
        written_off=claim_off,
        patient_responsibility=claim_patient,
        other_adjustment=claim_other,
        adjustments=_as_json(answer.adjustments),
        is_reversal=reversal,
    )
    total_off, total_patient = claim_off, claim_patient
    for service in answer.lines:
        line = lines.get(service.control_number.strip().upper()) or by_day_code.get(
            (service.service_date, service.procedure)
        )
        off, patient, other = _sums(service.adjustments)
        total_off += off
        total_patient += patient
        if line is None:
            # Not one of our lines: kept on the claim so the money is not lost.
            Posting.objects.create(
                payment=payment,
                claim=claim,
                claim_status=answer.status[:2],
                paid=Decimal(0),
                written_off=off,
                patient_responsibility=patient,
                other_adjustment=other,
                adjustments=_as_json(service.adjustments),
                is_reversal=reversal,
            )
            continue
        Posting.objects.create(
            payment=payment,
            claim=claim,
            line=line,
            claim_status=answer.status[:2],
            paid=service.paid,
            written_off=off,
            patient_responsibility=patient,
            other_adjustment=other,
            adjustments=_as_json(service.adjustments),
            is_reversal=reversal,
        )
        line.paid += service.paid
        line.written_off += off
        line.patient_responsibility += patient
        line.save(update_fields=["paid", "written_off", "patient_responsibility"])
    # The amounts of a reversal are negative: adding them undoes what they reverse.
    claim.paid += answer.paid
    claim.written_off += total_off
    claim.patient_responsibility += total_patient
    if answer.payer_claim_number:
        claim.payer_claim_control_number = answer.payer_claim_number[:50]
    claim.status = _status_after(claim, answer)
    claim.updated_at = timezone.now()
    if claim.status == ClaimStatus.DENIED:
        claim.problems = [f"{a.group}-{a.reason}" for a in answer.all_adjustments()][:30]
    claim.save(
        update_fields=[
            "paid",
            "written_off",
            "patient_responsibility",
            "payer_claim_control_number",
            "status",
            "problems",
            "updated_at",
        ]
    )
    log_action(
        "claim.posted",
        obj=claim,
        actor=None,
        data={"claim": claim.patient_control_number, "paid": str(answer.paid), "status": claim.status},
    )


def _status_after(claim: Claim, answer: Any) -> str:
    if answer.is_reversal:
        return ClaimStatus.ACCEPTED  # back to waiting for the payer's corrected answer
    if answer.is_denied or claim.paid <= 0:
        return ClaimStatus.DENIED
    if claim.paid >= claim.total - claim.written_off:
        return ClaimStatus.PAID
    return ClaimStatus.PARTIALLY_PAID


def post_remittance_file(name: str, text: str) -> str:
    """For tests and scripts: the 835 importer on its own, in one transaction."""
    with transaction.atomic():
        return import_835(name, text)
