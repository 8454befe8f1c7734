# SPDX-License-Identifier: AGPL-3.0-or-later
"""A claim as the X12 writers take it: patient, policy, billing and rendering
providers, type of bill or place of service, and the lines. Split from
``services`` (which groups, scrubs and writes files) because it only maps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openiop.billing.models import Charge
from openiop.claims.models import Claim, ClaimLine, ProviderNumber
from openiop.insurance.models import ClaimType, Payer, PayerKind
from openiop.patients.models import Patient, Sex
from openiop.sites.models import Site
from openiop.x12 import claims as x12
from openiop.x12.institutional import InstitutionalClaim, InstitutionalLine
from openiop.x12.professional import ProfessionalClaim, ProfessionalLine

# Type of bill without its frequency digit and place of service, when the
# payer has none of its own (Payer.type_of_bill_facility, place_of_service):
# Medicare IOP is billed by a hospital outpatient department (13x); a
# freestanding program uses 89x.
MEDICARE_FACILITY_CODE = "13"
FREESTANDING_FACILITY_CODE = "89"
PLACE_OF_SERVICE = "57"  # non-residential substance abuse treatment facility
FILING_INDICATORS = {
    PayerKind.COMMERCIAL: "CI",
    PayerKind.MEDICAID: "MC",
    PayerKind.MEDICARE: "MA",
    PayerKind.TRICARE: "CH",
    PayerKind.OTHER: "11",
}
_X12_SEX: dict[str, str] = {Sex.FEMALE: "F", Sex.MALE: "M"}


def _address_of(patient: Patient) -> x12.Address | None:
    if not (patient.street and patient.city and patient.state and patient.zip_code):
        return None
    return x12.Address(patient.street, patient.city, patient.state, patient.zip_code.replace("-", ""))


def _policy(claim: Claim) -> x12.Policy:
    coverage, patient, payer = claim.coverage, claim.patient, claim.payer
    member = x12.Member(
        first_name=patient.legal_first_name,
        last_name=patient.legal_last_name,
        birth_date=patient.birth_date,
        sex=_X12_SEX.get(patient.sex_at_birth, "U"),
        address=_address_of(patient),
        member_id=coverage.member_id,
    )
    filing = FILING_INDICATORS.get(PayerKind(payer.kind), "CI")
    if payer.kind == PayerKind.MEDICARE and claim.claim_type == ClaimType.PROFESSIONAL:
        filing = "MB"
    x12_payer = x12.Payer(payer.name, payer.payer_id)
    responsibility = {"primary": "P", "secondary": "S", "tertiary": "T"}.get(coverage.priority, "P")
    if coverage.relation_to_subscriber == "18" or not coverage.subscriber_last_name:
        return x12.Policy(
            payer=x12_payer,
            subscriber=member,
            group_number=coverage.group_number,
            responsibility=responsibility,
            filing_indicator=filing,
        )
    subscriber = x12.Member(
        first_name=coverage.subscriber_first_name,
        last_name=coverage.subscriber_last_name,
        birth_date=coverage.subscriber_birth_date,
        sex="U",
        member_id=coverage.member_id,
    )
    patient_member = x12.Member(member.first_name, member.last_name, member.birth_date, member.sex, member.address)
    return x12.Policy(
        payer=x12_payer,
        subscriber=subscriber,
        patient=patient_member,
        relation=coverage.relation_to_subscriber,
        group_number=coverage.group_number,
        responsibility=responsibility,
        filing_indicator=filing,
    )


def _billing_provider(site: Site, npi: str, tax_id: str) -> x12.BillingProvider:
    return x12.BillingProvider(
        name=site.organization.name,
        npi=npi,
        tax_id=tax_id,
        address=x12.Address(site.street, site.city, site.state, site.zip_code.replace("-", "")),
    )


def _x12_provider(user: Any, number: ProviderNumber | None) -> x12.Provider | None:
    if user is None or number is None:
        return None
    return x12.Provider(
        last_name=user.last_name or user.username, first_name=user.first_name, npi=number.npi, taxonomy=number.taxonomy
    )


def facility_code(payer: Payer) -> str:
    """The type of bill's first two digits: the payer's own, else by kind."""
    if payer.type_of_bill_facility:
        return payer.type_of_bill_facility
    return MEDICARE_FACILITY_CODE if payer.is_medicare else FREESTANDING_FACILITY_CODE


def claim_place_of_service(payer: Payer) -> str:
    """CLM05-1 of a professional claim: the payer's own, else the program's facility."""
    return payer.place_of_service or PLACE_OF_SERVICE


def to_x12(claim: Claim, *, npi: str, tax_id: str) -> InstitutionalClaim | ProfessionalClaim:
    """The claim as the X12 writers take it."""
    facts = getattr(claim, "_facts", None) or _refetch_facts(claim)
    # write_claim_file prefetches every claim's lines with their charge's authorization.
    lines = list(claim.lines.all())
    provider = _x12_provider(facts["provider"], facts["number"])
    diagnoses = [code.replace(".", "") for code in facts["diagnoses"]]
    authorization = next(
        (
            line.charge.authorization.number
            for line in lines
            if line.charge.authorization_id and line.charge.authorization
        ),
        "",
    )
    prior_payments: tuple[x12.PriorPayment, ...] = ()
    adjudicated: dict[int, x12.LineAdjudication] = {}
    if claim.primary_claim is not None:
        from openiop.claims.coordination import prior_payment

        payment, adjudicated = prior_payment(claim.primary_claim, _policy(claim.primary_claim))
        prior_payments = (payment,)

    def adjudications(line: ClaimLine) -> tuple[x12.LineAdjudication, ...]:
        return (adjudicated[line.charge_id],) if line.charge_id in adjudicated else ()

    common: dict[str, Any] = {
        "prior_payments": prior_payments,
        "billing_provider": _billing_provider(claim.site, npi, tax_id),
        "policy": _policy(claim),
        "patient_control_number": claim.patient_control_number,
        "frequency": claim.frequency,
        "prior_authorization": authorization,
        "payer_claim_control_number": claim.replaces.payer_claim_control_number if claim.replaces else "",
        "medical_record_number": claim.patient.mrn,
    }
    if claim.claim_type == ClaimType.INSTITUTIONAL:
        return InstitutionalClaim(
            **common,
            facility_code=facility_code(claim.payer),
            statement_start=claim.statement_start,
            statement_end=claim.statement_end,
            patient_status=claim.patient_status or "30",
            admission_date=claim.episode.admission_date if claim.episode else None,
            principal_diagnosis=diagnoses[0] if diagnoses else "",
            other_diagnoses=tuple(diagnoses[1:13]),
            condition_codes=("92",) if claim.payer.is_medicare else (),
            attending=provider,
            lines=tuple(
                InstitutionalLine(
                    revenue_code=line.revenue_code,
                    procedure_code=line.code,
                    charge=line.amount,
                    service_date=line.service_date,
                    units=Decimal(line.units),
                    modifiers=tuple(line.modifiers),
                    line_control_number=line.line_control_number,
                    adjudications=adjudications(line),
                )
                for line in lines
            ),
        )
    return ProfessionalClaim(
        **common,
        place_of_service=claim_place_of_service(claim.payer),
        diagnoses=tuple(diagnoses[:12]),
        rendering=provider,
        lines=tuple(
            ProfessionalLine(
                procedure_code=line.code,
                charge=line.amount,
                service_date=line.service_date,
                units=Decimal(line.units),
                modifiers=tuple(line.modifiers),
                # The note's place (a telehealth visit at 02/10); the writer
                # leaves SV105 out when it is the claim's own.
                place_of_service=line.charge.place_of_service,
                line_control_number=line.line_control_number,
                adjudications=adjudications(line),
            )
            for line in lines
        ),
    )


def _refetch_facts(claim: Claim) -> dict[str, Any]:
    from openiop.diagnoses.selectors import claim_diagnoses

    charges = [line.charge for line in claim.lines.select_related("charge__note__author", "charge__episode")]
    user, number = claim_provider(claim.claim_type, charges)
    return {
        "diagnoses": claim_diagnoses([claim.patient_id], claim.statement_end)[claim.patient_id],
        "provider": user,
        "number": number,
    }


def provider_number_of(user: Any) -> ProviderNumber | None:
    if user is None:
        return None
    try:
        number: ProviderNumber = user.provider_number
    except ProviderNumber.DoesNotExist:
        return None
    return number


def claim_provider(claim_type: str, charges: list[Charge]) -> tuple[Any, ProviderNumber | None]:
    """The attending provider (837I: the episode's primary counsellor) or the
    rendering one (837P: the author of the note the charge stands on)."""
    first = charges[0]
    user: Any
    if claim_type == ClaimType.PROFESSIONAL and first.note is not None:
        user = first.note.author
    else:
        user = first.episode.primary_counsellor
    return user, provider_number_of(user)
