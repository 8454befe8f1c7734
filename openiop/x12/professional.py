# SPDX-License-Identifier: AGPL-3.0-or-later
"""Professional claims: X12 837P, 005010X222A1, the CMS-1500 in electronic form.

Individual and family psychotherapy, assessments and drug tests are billed
here. ``CLM05`` is place of service : ``B`` : frequency (57 non-residential
substance abuse treatment facility; 02/10 telehealth other than / in the
patient's home); the rendering clinician is NM1*82 with NPI and PRV taxonomy;
each SV1 line carries HC:code:modifiers, charge, UN or MJ units and up to four
pointers into the claim's diagnoses (1 is the principal).
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
)

VERSION = "005010X222A1"
FREQUENCIES = ("1", "7", "8")
REPLACING_FREQUENCIES = ("7", "8")
MAX_LINES = 50
MAX_DIAGNOSES = 12  # one HI segment: the principal and eleven others
MAX_POINTERS = 4
UNIT_BASES = ("UN", "MJ")
_PLACE_OF_SERVICE = re.compile(r"[0-9]{2}")
_PROCEDURE = re.compile(r"[A-Z0-9]{5}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")


@dataclass(frozen=True)
class ProfessionalLine:
    """One service: a CPT/HCPCS code on one date, pointing at its diagnoses."""

    procedure_code: str
    charge: Decimal
    service_date: date | None
    units: Decimal = Decimal(1)
    unit_basis: str = "UN"
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = (1,)
    line_control_number: str = ""
    adjudications: tuple[LineAdjudication, ...] = ()
    # Where this service was given when not where the claim says (CLM05-1):
    # a telehealth visit (02/10) on a claim of the program's own place (57).
    place_of_service: str = ""


@dataclass(frozen=True, kw_only=True)
class ProfessionalClaim:
    """One CMS-1500 claim. ``diagnoses`` are ICD-10-CM codes, principal first."""

    billing_provider: BillingProvider
    policy: Policy
    patient_control_number: str
    place_of_service: str
    frequency: str = "1"
    diagnoses: tuple[str, ...]
    rendering: Provider | None
    lines: tuple[ProfessionalLine, ...]
    prior_authorization: str = ""
    payer_claim_control_number: str = ""
    medical_record_number: str = ""
    prior_payments: tuple[PriorPayment, ...] = ()
    total: Decimal | None = None
    service_facility: ServiceFacility | None = None
    release_of_information: str = "I"

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


def build_837p(
    *,
    submitter: Submitter,
    receiver: Receiver,
    claims: Sequence[ProfessionalClaim],
    envelope: Envelope,
    reference: str = "",
    claims_per_transaction: int = CLAIMS_PER_TRANSACTION,
) -> str:
    """The whole 837P interchange for ``claims``: see :func:`openiop.x12.claims.build_claim_file`."""
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


def claim_problems(claims: Sequence[ProfessionalClaim]) -> list[tuple[ProfessionalClaim, str]]:
    """The claims that would be refused, each with its reason (empty when all
    can be written): build the file from the others."""
    return problems(claims, _claim)


def _claim(claim: ProfessionalClaim) -> list[str]:
    label = f"Claim {claim.patient_control_number.strip() or '(no patient control number)'}"
    control = identifier(claim.patient_control_number, f"{label} patient control number", max_length=38, min_length=1)
    if not claim.lines:
        raise BuildError(f"{label} lines", "a claim needs at least one service line.")
    if len(claim.lines) > MAX_LINES:
        raise BuildError(f"{label} lines", f"{len(claim.lines)} lines; an 837P claim holds at most {MAX_LINES}.")
    charge = claim.charge
    if claim.total is not None and claim.total != charge:
        raise BuildError(f"{label} total", f"{claim.total} does not equal the sum of its lines, {charge}.")
    amount(charge, f"{label} total charge", allow_zero=False)
    place = claim.place_of_service.strip()
    if not _PLACE_OF_SERVICE.fullmatch(place):
        raise BuildError(
            f"{label} place of service", f"{claim.place_of_service!r} must be two digits (e.g. 57, 02, 10)."
        )
    frequency = code(claim.frequency, f"{label} claim frequency", FREQUENCIES)
    if claim.rendering is None:
        raise BuildError(
            f"{label} rendering provider", "a professional claim needs the clinician who gave the service."
        )
    diagnoses = _diagnoses(claim.diagnoses, label)
    release = release_code(claim.release_of_information, label)

    lines = [
        segment(
            "CLM",
            control,
            amount(charge, f"{label} total charge"),
            "",
            "",
            Composite(place, "B", frequency),
            "Y",
            "A",
            "Y",
            release,
        )
    ]
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
    lines.append(
        segment(
            "HI",
            *(Composite("ABK" if index == 0 else "ABF", value) for index, value in enumerate(diagnoses)),
        )
    )
    lines.append(provider_name("82", claim.rendering, f"{label} rendering provider"))
    lines.append(
        segment("PRV", "PE", "PXC", taxonomy(claim.rendering.taxonomy, f"{label} rendering provider taxonomy"))
    )
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
        lines.extend(_line(number, line, len(diagnoses), label, place))
    return lines


def _diagnoses(values: Sequence[str], label: str) -> list[str]:
    cleaned: list[str] = []
    for index, value in enumerate(values):
        code_value = diagnosis(value, f"{label} {'principal' if index == 0 else 'other'} diagnosis")
        if code_value not in cleaned:
            cleaned.append(code_value)
    if not cleaned:
        raise BuildError(f"{label} diagnoses", "a claim needs at least one diagnosis, the principal first.")
    if len(cleaned) > MAX_DIAGNOSES:
        raise BuildError(f"{label} diagnoses", f"at most {MAX_DIAGNOSES} fit on a professional claim.")
    return cleaned


def _line(number: int, line: ProfessionalLine, diagnosis_count: int, label: str, claim_place: str) -> list[str]:
    who = f"{label} line {number}"
    procedure = _procedure(line, who)
    pointers = _pointers(line.diagnosis_pointers, diagnosis_count, who)
    place = line.place_of_service.strip()
    if place and not _PLACE_OF_SERVICE.fullmatch(place):
        raise BuildError(f"{who} place of service", f"{line.place_of_service!r} must be two digits (e.g. 57, 02, 10).")
    lines = [
        segment("LX", str(number)),
        segment(
            "SV1",
            procedure,
            amount(line.charge, f"{who} charge", allow_zero=False),
            code(line.unit_basis, f"{who} unit basis", UNIT_BASES),
            quantity(line.units, f"{who} units"),
            # SV105 only where the line's place differs from the claim's (the guide's rule).
            place if place != claim_place else "",
            "",
            Composite(*pointers),
        ),
        segment("DTP", "472", "D8", d8(line.service_date, f"{who} service date")),
    ]
    if line.line_control_number.strip():
        lines.append(
            segment("REF", "6R", identifier(line.line_control_number, f"{who} line control number", max_length=50))
        )
    for item in line.adjudications:
        lines.extend(line_adjudication(item, procedure, "", f"{who} adjudication"))
    return lines


def _procedure(line: ProfessionalLine, who: str) -> Composite:
    procedure = line.procedure_code.strip().upper()
    if not _PROCEDURE.fullmatch(procedure):
        raise BuildError(f"{who} procedure code", f"{line.procedure_code!r} is not a 5-character CPT/HCPCS code.")
    modifiers = [value.strip().upper() for value in line.modifiers]
    if len(modifiers) > 4 or not all(_MODIFIER.fullmatch(value) for value in modifiers):
        raise BuildError(f"{who} modifiers", "up to four two-character modifiers.")
    return Composite("HC", procedure, *modifiers)


def _pointers(values: Sequence[int], diagnosis_count: int, who: str) -> list[str]:
    if not values:
        raise BuildError(f"{who} diagnosis pointers", "point at least at one diagnosis (1 is the principal).")
    if len(values) > MAX_POINTERS or len(set(values)) != len(values):
        raise BuildError(f"{who} diagnosis pointers", f"up to {MAX_POINTERS} different pointers.")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= diagnosis_count:
            raise BuildError(
                f"{who} diagnosis pointers",
                f"{value!r} does not point at one of the claim's {diagnosis_count} diagnoses.",
            )
    return [str(value) for value in values]
