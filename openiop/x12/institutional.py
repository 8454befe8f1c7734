# SPDX-License-Identifier: AGPL-3.0-or-later
"""Institutional claims: X12 837I, 005010X223A2, the UB-04 in electronic form.

Per-diem IOP is billed here: one SV2 line per attended day (revenue code,
HCPCS, charge, units 1) with its own service date, CL1, the diagnoses
(principal ABK, others ABF), condition codes (HI*BG, 92 for Medicare IOP),
the prior authorization (REF*G1) and the attending provider (NM1*71).
``CLM05`` is facility code : ``A`` : frequency (1 admit-through-discharge,
2/3/4 interim first/continuing/last, 7 replacement, 8 void); interim claims
carry patient status 30.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openiop.x12.claims import (
    CLAIMS_PER_TRANSACTION,
    BillingProvider,
    LineAdjudication,
    Policy,
    PriorPayment,
    Provider,
    Receiver,
    ServiceFacility,
    Submitter,
    build_claim_file,
    problems,
    provider_name,
    release_code,
    service_facility_loop,
    taxonomy,
)
from openiop.x12.cob import line_adjudication, other_payers
from openiop.x12.envelope import Envelope
from openiop.x12.segments import (
    BuildError,
    Composite,
    amount,
    code,
    d8,
    diagnosis,
    identifier,
    quantity,
    segment,
    text,
)

VERSION = "005010X223A2"
FREQUENCIES = ("1", "2", "3", "4", "5", "7", "8")
REPLACING_FREQUENCIES = ("7", "8")  # these must name the payer's original claim
INTERIM_FREQUENCIES = ("2", "3")  # interim first and continuing claims
STILL_A_PATIENT = "30"
MAX_LINES = 999
MAX_OTHER_DIAGNOSES = 24  # two HI segments of twelve
MAX_CONDITION_CODES = 24
MAX_REASONS_FOR_VISIT = 3
UNIT_BASES = ("UN", "DA")
_FACILITY_CODE = re.compile(r"[0-9]{2}")
_REVENUE_CODE = re.compile(r"[0-9]{4}")
_HCPCS = re.compile(r"[A-Z0-9]{5}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_TWO_CHARACTER_CODE = re.compile(r"[A-Z0-9]{1,2}")


@dataclass(frozen=True)
class InstitutionalLine:
    """One revenue line: for per-diem IOP, one attended day."""

    revenue_code: str
    procedure_code: str
    charge: Decimal
    service_date: date | None
    units: Decimal = Decimal(1)
    unit_basis: str = "UN"
    modifiers: tuple[str, ...] = ()
    line_control_number: str = ""
    adjudications: tuple[LineAdjudication, ...] = ()


@dataclass(frozen=True, kw_only=True)
class InstitutionalClaim:
    """One UB-04 claim. ``facility_code`` is the type of bill without its
    frequency digit ("13" hospital outpatient, "76" CMHC, "89" or the payer's
    own code for a freestanding program)."""

    billing_provider: BillingProvider
    policy: Policy
    patient_control_number: str
    facility_code: str
    frequency: str
    statement_start: date
    statement_end: date
    patient_status: str = "30"
    admission_date: date | None = None
    admission_hour: int | None = None
    admission_type: str = "3"
    admission_source: str = "1"
    principal_diagnosis: str
    other_diagnoses: tuple[str, ...] = ()
    reasons_for_visit: tuple[str, ...] = ()
    condition_codes: tuple[str, ...] = ()
    prior_authorization: str = ""
    payer_claim_control_number: str = ""
    medical_record_number: str = ""
    attending: Provider | None
    lines: tuple[InstitutionalLine, ...]
    prior_payments: tuple[PriorPayment, ...] = ()
    total: Decimal | None = None
    service_facility: ServiceFacility | None = None
    release_of_information: str = "I"

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


def build_837i(
    *,
    submitter: Submitter,
    receiver: Receiver,
    claims: Sequence[InstitutionalClaim],
    envelope: Envelope,
    reference: str = "",
    claims_per_transaction: int = CLAIMS_PER_TRANSACTION,
) -> str:
    """The whole 837I interchange for ``claims``: see :func:`openiop.x12.claims.build_claim_file`."""
    return build_claim_file(
        version=VERSION,
        write_claim=_claim,
        submitter=submitter,
        receiver=receiver,
        claims=claims,
        envelope=envelope,
        reference=reference,
        claims_per_transaction=claims_per_transaction,
    )


def claim_problems(claims: Sequence[InstitutionalClaim]) -> list[tuple[InstitutionalClaim, str]]:
    """The claims that would be refused, each with its reason (empty when all
    can be written): build the file from the others."""
    return problems(claims, _claim)


def _claim(claim: InstitutionalClaim) -> list[str]:
    label = f"Claim {claim.patient_control_number.strip() or '(no patient control number)'}"
    control = identifier(claim.patient_control_number, f"{label} patient control number", max_length=38, min_length=1)
    if not claim.lines:
        raise BuildError(f"{label} lines", "a claim needs at least one service line.")
    if len(claim.lines) > MAX_LINES:
        raise BuildError(f"{label} lines", f"{len(claim.lines)} lines; an 837I claim holds at most {MAX_LINES}.")
    charge = claim.charge
    if claim.total is not None and claim.total != charge:
        raise BuildError(f"{label} total", f"{claim.total} does not equal the sum of its lines, {charge}.")
    amount(charge, f"{label} total charge", allow_zero=False)
    frequency = code(claim.frequency, f"{label} claim frequency", FREQUENCIES)
    facility = claim.facility_code.strip()
    if not _FACILITY_CODE.fullmatch(facility):
        raise BuildError(
            f"{label} facility code", f"{claim.facility_code!r} must be the two digits of the type of bill."
        )
    if claim.statement_end < claim.statement_start:
        raise BuildError(f"{label} statement dates", "the statement ends before it starts.")
    if claim.attending is None:
        raise BuildError(f"{label} attending provider", "an institutional claim needs its attending provider.")
    release = release_code(claim.release_of_information, label)

    lines = [
        segment(
            "CLM",
            control,
            amount(charge, f"{label} total charge"),
            "",
            "",
            Composite(facility, "A", frequency),
            "",
            "A",
            "Y",
            release,
        ),
        segment(
            "DTP",
            "434",
            "RD8",
            "-".join((d8(claim.statement_start, f"{label} statement start"), d8(claim.statement_end, f"{label} end"))),
        ),
    ]
    if claim.admission_date is not None:
        lines.append(_admission(claim, label))
    lines.append(
        segment(
            "CL1",
            _one_character(claim.admission_type, f"{label} admission type", required=False),
            _one_character(claim.admission_source, f"{label} admission source", required=False),
            _patient_status(claim.patient_status, frequency, label),
        )
    )
    if claim.prior_authorization.strip():
        lines.append(
            segment("REF", "G1", identifier(claim.prior_authorization, f"{label} prior authorization", max_length=50))
        )
    if frequency in REPLACING_FREQUENCIES:
        lines.append(
            segment(
                "REF",
                "F8",
                identifier(
                    claim.payer_claim_control_number,
                    f"{label} payer claim control number (required to replace or void a claim)",
                    max_length=50,
                ),
            )
        )
    if claim.medical_record_number.strip():
        lines.append(
            segment(
                "REF", "EA", identifier(claim.medical_record_number, f"{label} medical record number", max_length=50)
            )
        )
    lines.extend(_diagnoses(claim, label))
    lines.extend(_condition_codes(claim.condition_codes, label))
    lines.append(provider_name("71", claim.attending, f"{label} attending provider"))
    if claim.attending.taxonomy.strip():
        lines.append(segment("PRV", "AT", "PXC", taxonomy(claim.attending.taxonomy, f"{label} attending taxonomy")))
    if claim.service_facility is not None:
        lines.extend(service_facility_loop(claim.service_facility, f"{label} service facility"))
    lines.extend(
        other_payers(
            claim.prior_payments,
            charge=charge,
            line_adjudications=[(line.charge, line.adjudications) for line in claim.lines],
            claim_label=label,
            release=release,
        )
    )
    for number, line in enumerate(claim.lines, start=1):
        lines.extend(_line(number, line, claim, label))
    return lines


def _admission(claim: InstitutionalClaim, label: str) -> str:
    day = d8(claim.admission_date, f"{label} admission date")
    if claim.admission_hour is None:
        return segment("DTP", "435", "D8", day)
    if not 0 <= claim.admission_hour <= 23:
        raise BuildError(f"{label} admission hour", f"{claim.admission_hour} is not an hour from 0 to 23.")
    return segment("DTP", "435", "DT", f"{day}{claim.admission_hour:02d}00")


def _diagnoses(claim: InstitutionalClaim, label: str) -> list[str]:
    principal = diagnosis(claim.principal_diagnosis, f"{label} principal diagnosis")
    others: list[str] = []
    for value in claim.other_diagnoses:
        cleaned = diagnosis(value, f"{label} other diagnosis")
        if cleaned != principal and cleaned not in others:
            others.append(cleaned)
    if len(others) > MAX_OTHER_DIAGNOSES:
        raise BuildError(f"{label} other diagnoses", f"at most {MAX_OTHER_DIAGNOSES} fit on a claim.")
    lines = [segment("HI", Composite("ABK", principal))]
    # Patient's reason for visit (UB-04 FL 70): some payers want it on every
    # outpatient claim, Medicare on unscheduled visits; up to three codes.
    reasons = list(dict.fromkeys(diagnosis(value, f"{label} reason for visit") for value in claim.reasons_for_visit))
    if len(reasons) > MAX_REASONS_FOR_VISIT:
        raise BuildError(f"{label} reasons for visit", f"at most {MAX_REASONS_FOR_VISIT} fit on a claim.")
    if reasons:
        lines.append(segment("HI", *(Composite("APR", value) for value in reasons)))
    for start in range(0, len(others), 12):
        lines.append(segment("HI", *(Composite("ABF", value) for value in others[start : start + 12])))
    return lines


def _condition_codes(values: Sequence[str], label: str) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        condition = value.strip().upper()
        if not _TWO_CHARACTER_CODE.fullmatch(condition):
            raise BuildError(f"{label} condition code", f"{value!r} is not a condition code (two letters or digits).")
        if condition not in cleaned:
            cleaned.append(condition)
    if len(cleaned) > MAX_CONDITION_CODES:
        raise BuildError(f"{label} condition codes", f"at most {MAX_CONDITION_CODES} fit on a claim.")
    return [
        segment("HI", *(Composite("BG", value) for value in cleaned[start : start + 12]))
        for start in range(0, len(cleaned), 12)
    ]


def _line(number: int, line: InstitutionalLine, claim: InstitutionalClaim, label: str) -> list[str]:
    who = f"{label} line {number}"
    revenue = line.revenue_code.strip()
    if not _REVENUE_CODE.fullmatch(revenue):
        raise BuildError(f"{who} revenue code", f"{line.revenue_code!r} must be 4 digits (e.g. 0906).")
    procedure = _procedure(line, who)
    served = d8(line.service_date, f"{who} service date")
    assert line.service_date is not None
    if not claim.statement_start <= line.service_date <= claim.statement_end:
        raise BuildError(f"{who} service date", f"{served} falls outside the claim's statement dates.")
    lines = [
        segment("LX", str(number)),
        segment(
            "SV2",
            revenue,
            procedure,
            amount(line.charge, f"{who} charge", allow_zero=False),
            code(line.unit_basis, f"{who} unit basis", UNIT_BASES),
            quantity(line.units, f"{who} units"),
        ),
        segment("DTP", "472", "D8", served),
    ]
    if line.line_control_number.strip():
        lines.append(
            segment("REF", "6R", identifier(line.line_control_number, f"{who} line control number", max_length=50))
        )
    for item in line.adjudications:
        lines.extend(line_adjudication(item, procedure, revenue, f"{who} adjudication"))
    return lines


def _procedure(line: InstitutionalLine, who: str) -> Composite:
    hcpcs = line.procedure_code.strip().upper()
    if not _HCPCS.fullmatch(hcpcs):
        raise BuildError(f"{who} procedure code", f"{line.procedure_code!r} is not a 5-character HCPCS/CPT code.")
    modifiers = [value.strip().upper() for value in line.modifiers]
    if len(modifiers) > 4 or not all(_MODIFIER.fullmatch(value) for value in modifiers):
        raise BuildError(f"{who} modifiers", "up to four two-character modifiers.")
    return Composite("HC", hcpcs, *modifiers)


def _patient_status(value: str, frequency: str, label: str) -> str:
    status = value.strip()
    if not re.fullmatch(r"[0-9]{2}", status):
        raise BuildError(f"{label} patient status", f"{value!r} must be a two-digit code (30 while in treatment).")
    # An interim first or continuing claim says the patient is still in care.
    if frequency in INTERIM_FREQUENCIES and status != STILL_A_PATIENT:
        raise BuildError(
            f"{label} patient status",
            f"an interim claim (frequency {frequency}) carries status {STILL_A_PATIENT}, not {status}.",
        )
    return status


def _one_character(value: str, field_name: str, *, required: bool) -> str:
    cleaned = text(value, field_name, max_length=1, required=required)
    if cleaned and not cleaned.isalnum():
        raise BuildError(field_name, f"{value!r} must be a single letter or digit.")
    return cleaned
