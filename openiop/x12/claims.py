# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the 837I and 837P share: the parties and the hierarchy.

A claim file is a tree: billing provider (HL 20) > subscriber (HL 22) >
patient, only when the patient is not the subscriber (HL 23) > claims (2300).
Claims are grouped under one subscriber level per billing provider and policy,
in the order first seen. What earlier payers did with a claim (the data
classes are here) is written by :mod:`openiop.x12.cob`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, TypeVar

from openiop.x12.envelope import Envelope, interchange
from openiop.x12.segments import (
    BuildError,
    code,
    d8,
    digits,
    identifier,
    npi,
    segment,
    text,
)

FUNCTIONAL_CODE = "HC"  # GS01 for every 837
TRANSACTION_CODE = "837"
# SBR09: how the payer's plan is filed (MA/MB Medicare, MC Medicaid, CI commercial ...).
CLAIM_FILING_INDICATORS = tuple(
    "11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ".split()  # noqa: SIM905
)
RESPONSIBILITY = ("P", "S", "T")
SELF = "18"
PATIENT_RELATIONS = ("01", "19", "20", "21", "39", "40", "53", "G8")
SEXES = ("F", "M", "U")
# CLM09/OI06. "I": informed consent to release information on conditions that
# federal law protects, which is what 42 CFR Part 2 requires for SUD records;
# "Y": a signed general release on file.
RELEASE_OF_INFORMATION = ("I", "Y")
MAX_CLAIMS_PER_SUBSCRIBER_LEVEL = 100  # loop 2300 repeats at most 100 times
MAX_CLAIMS_PER_TRANSACTION = 5000  # the guides' recommended ceiling per ST/SE
# Smaller sets cost a few header segments each and let validate() check a
# large file's sets in parallel.
CLAIMS_PER_TRANSACTION = 250
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "  # noqa: SIM905
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI".split()
)


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str
    line2: str = ""


@dataclass(frozen=True)
class Submitter:
    """Loop 1000A: who sends the file (our program, by the ID the clearinghouse gave)."""

    name: str
    identifier: str
    contact_name: str
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class Receiver:
    """Loop 1000B: the clearinghouse or payer receiving the file."""

    name: str
    identifier: str


@dataclass(frozen=True)
class BillingProvider:
    """Loop 2010AA: the organisation billing, with its NPI, EIN and 9-digit ZIP."""

    name: str
    npi: str
    tax_id: str
    address: Address
    taxonomy: str = ""


@dataclass(frozen=True)
class Payer:
    name: str
    payer_id: str
    address: Address | None = None


@dataclass(frozen=True)
class Member:
    """A subscriber or a patient. The member ID is the subscriber's."""

    first_name: str
    last_name: str
    birth_date: date | None
    sex: str
    address: Address | None = None
    member_id: str = ""


@dataclass(frozen=True)
class Policy:
    """A payer, its subscriber and, when not the subscriber, the patient.

    ``responsibility`` is this payer's place for the claim (P, S, T);
    ``relation`` is the patient's relationship to the subscriber.
    """

    payer: Payer
    subscriber: Member
    patient: Member | None = None
    relation: str = SELF
    group_number: str = ""
    responsibility: str = "P"
    filing_indicator: str = "CI"


@dataclass(frozen=True)
class Provider:
    """An individual clinician (attending 71, rendering 82) by NPI."""

    last_name: str
    first_name: str
    npi: str
    taxonomy: str = ""


@dataclass(frozen=True)
class ServiceFacility:
    """Where the service was given, when that is not the billing provider's
    address (a program with several sites bills under one): loop 2310E on an
    837I, 2310C on an 837P."""

    name: str
    address: Address
    npi: str = ""


@dataclass(frozen=True)
class Adjustment:
    """One CAS reason: group (CO, PR, OA, PI, CR), CARC and amount."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class PriorPayment:
    """Loop 2320: what an earlier payer did with this claim, from its 835."""

    policy: Policy
    paid: Decimal
    adjudicated_on: date
    adjustments: tuple[Adjustment, ...] = ()
    remaining_patient_liability: Decimal | None = None
    claim_control_number: str = ""


@dataclass(frozen=True)
class LineAdjudication:
    """Loop 2430: an earlier payer's payment of one line. ``payer_id`` must be
    that payer's ID as given in its :class:`PriorPayment`."""

    payer_id: str
    paid: Decimal
    adjudicated_on: date
    adjustments: tuple[Adjustment, ...] = ()
    paid_units: Decimal = Decimal(1)


class ClaimLike(Protocol):
    @property
    def billing_provider(self) -> BillingProvider: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def patient_control_number(self) -> str: ...


ClaimT = TypeVar("ClaimT", bound=ClaimLike)


def header(*, reference: str, created: datetime, submitter: Submitter, receiver: Receiver) -> list[str]:
    """BHT and loops 1000A/1000B."""
    contact = [
        "IC",
        text(submitter.contact_name, "Submitter contact name", max_length=60),
    ]
    if submitter.contact_phone.strip():
        contact += ["TE", digits(submitter.contact_phone, "Submitter contact phone", lengths=(10,))]
    if submitter.contact_email.strip():
        contact += ["EM", text(submitter.contact_email, "Submitter contact e-mail", max_length=256)]
    if len(contact) == 2:
        raise BuildError("Submitter contact", "give a phone number or an e-mail address for the EDI contact.")
    return [
        segment(
            "BHT",
            "0019",
            "00",
            text(reference, "Batch reference", max_length=50),
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            "CH",
        ),
        segment(
            "NM1",
            "41",
            "2",
            text(submitter.name, "Submitter name", max_length=60),
            "",
            "",
            "",
            "",
            "46",
            identifier(submitter.identifier, "Submitter ID", max_length=80),
        ),
        segment("PER", *contact),
        segment(
            "NM1",
            "40",
            "2",
            text(receiver.name, "Receiver name", max_length=60),
            "",
            "",
            "",
            "",
            "46",
            identifier(receiver.identifier, "Receiver ID", max_length=80),
        ),
    ]


def hierarchy(
    claims: Sequence[ClaimT],
    write_claim: Callable[[ClaimT], list[str]],
    *,
    per_transaction: int = CLAIMS_PER_TRANSACTION,
) -> list[list[str]]:
    """The detail of one or more transaction sets: claims grouped per billing
    provider and policy under numbered HL levels, ``per_transaction`` claims
    to a set. Returns one body (without the header) per transaction set."""
    if not claims:
        raise BuildError("Claims", "a claim file needs at least one claim.")
    if not 1 <= per_transaction <= MAX_CLAIMS_PER_TRANSACTION:
        raise BuildError("Claims per transaction set", f"must be from 1 to {MAX_CLAIMS_PER_TRANSACTION}.")
    seen: set[str] = set()
    for claim in claims:
        # The 835 answers by CLM01, so two claims sharing one could not be told apart.
        number = claim.patient_control_number.strip().upper()
        if number in seen:
            raise BuildError(f"Claim {number}", "the patient control number appears twice in the file.")
        seen.add(number)
    chunks = [claims[i : i + per_transaction] for i in range(0, len(claims), per_transaction)]
    return [_detail(chunk, write_claim) for chunk in chunks]


def build_claim_file(
    *,
    version: str,
    write_claim: Callable[[ClaimT], list[str]],
    submitter: Submitter,
    receiver: Receiver,
    claims: Sequence[ClaimT],
    envelope: Envelope,
    reference: str = "",
    claims_per_transaction: int = CLAIMS_PER_TRANSACTION,
) -> str:
    """The whole 837 interchange (``version`` 005010X223A2 institutional or
    005010X222A1 professional) for ``claims``, each written by
    ``write_claim``, grouped per billing provider and subscriber,
    ``claims_per_transaction`` to a transaction set. ``reference`` is BHT03
    (defaults to the group control number). Raises :class:`BuildError` (an
    ``X12Error``) naming the claim and the field to fix; nothing is returned
    for a batch with a bad claim (see :func:`problems`)."""
    head = header(
        reference=reference or str(envelope.group_control_number),
        created=envelope.created,
        submitter=submitter,
        receiver=receiver,
    )
    bodies = hierarchy(claims, write_claim, per_transaction=claims_per_transaction)
    return interchange(
        envelope,
        functional_code=FUNCTIONAL_CODE,
        transaction_code=TRANSACTION_CODE,
        version=version,
        transactions=[head + body for body in bodies],
    )


def problems(claims: Sequence[ClaimT], write_claim: Callable[[ClaimT], list[str]]) -> list[tuple[ClaimT, str]]:
    """Each claim that could not be written, with the reason, so that a batch
    can leave the bad claims in the work queue and send the rest."""
    found: list[tuple[ClaimT, str]] = []
    for claim in claims:
        try:
            _parties(claim, "1", "2", "3")
            write_claim(claim)
        except BuildError as error:
            found.append((claim, str(error)))
    return found


def _detail(claims: Sequence[ClaimT], write_claim: Callable[[ClaimT], list[str]]) -> list[str]:
    grouped: dict[BillingProvider, dict[Policy, list[ClaimT]]] = {}
    for claim in claims:
        grouped.setdefault(claim.billing_provider, {}).setdefault(claim.policy, []).append(claim)
    body: list[str] = []
    level = 0
    for policies in grouped.values():
        level += 1
        provider_level = level
        first_claim = next(iter(policies.values()))[0]
        body.extend(_parties(first_claim, str(provider_level)))
        for policy_claims in policies.values():
            for start in range(0, len(policy_claims), MAX_CLAIMS_PER_SUBSCRIBER_LEVEL):
                subscriber_level = level + 1
                patient_level = level + 2 if policy_claims[0].policy.patient is not None else None
                level = patient_level or subscriber_level
                body.extend(
                    _parties(
                        policy_claims[0],
                        None,
                        str(subscriber_level),
                        str(patient_level) if patient_level else None,
                        parent=str(provider_level),
                    )
                )
                for claim in policy_claims[start : start + MAX_CLAIMS_PER_SUBSCRIBER_LEVEL]:
                    body.extend(write_claim(claim))
    return body


def _parties(
    claim: ClaimLike,
    provider_level: str | None,
    subscriber_level: str | None = None,
    patient_level: str | None = None,
    *,
    parent: str | None = None,
) -> list[str]:
    """The billing provider, subscriber and patient levels asked for, with any
    problem in them reported against the claim that brought them."""
    lines: list[str] = []
    try:
        if provider_level is not None:
            lines.extend(billing_provider_loop(provider_level, claim.billing_provider))
        if subscriber_level is not None:
            lines.extend(subscriber_loop(subscriber_level, parent or provider_level or "", claim.policy))
            if patient_level is not None and claim.policy.patient is not None:
                lines.extend(patient_loop(patient_level, subscriber_level, claim.policy))
    except BuildError as error:
        raise error.for_claim(claim.patient_control_number) from error
    return lines


def billing_provider_loop(level: str, provider: BillingProvider) -> list[str]:
    lines = [segment("HL", level, "", "20", "1")]
    if provider.taxonomy.strip():
        lines.append(segment("PRV", "BI", "PXC", taxonomy(provider.taxonomy, "Billing provider taxonomy")))
    lines.append(
        segment(
            "NM1",
            "85",
            "2",
            text(provider.name, "Billing provider name", max_length=60),
            "",
            "",
            "",
            "",
            "XX",
            npi(provider.npi, "Billing provider NPI"),
        )
    )
    # The guides require the billing provider's ZIP+4 and a street address.
    lines.extend(address(provider.address, "Billing provider", zip_lengths=(9,)))
    lines.append(segment("REF", "EI", digits(provider.tax_id, "Billing provider tax ID (EIN)", lengths=(9,))))
    return lines


def subscriber_loop(level: str, parent: str, policy: Policy) -> list[str]:
    """Loop 2000B with 2010BA (subscriber) and 2010BB (payer)."""
    is_patient = policy.patient is None
    if is_patient and policy.relation.strip() != SELF:
        raise BuildError("Relation", f"is {policy.relation!r} but no separate patient was given; use 18 (self).")
    subscriber = policy.subscriber
    lines = [
        segment("HL", level, parent, "22", "0" if is_patient else "1"),
        segment(
            "SBR",
            code(policy.responsibility, "Payer responsibility (P, S, T)", RESPONSIBILITY),
            SELF if is_patient else "",
            text(policy.group_number, "Group number", max_length=50, required=False),
            "",
            "",
            "",
            "",
            "",
            code(policy.filing_indicator, "Claim filing indicator", CLAIM_FILING_INDICATORS),
        ),
        person_name("IL", subscriber, "Subscriber", member_id=True),
    ]
    if is_patient:
        # The subscriber is the patient: address and demographics are required.
        lines.extend(address(_required(subscriber.address, "Subscriber address"), "Subscriber"))
        lines.append(demographics(subscriber, "Subscriber"))
    elif subscriber.address is not None:
        lines.extend(address(subscriber.address, "Subscriber"))
    lines.extend(payer_loop(policy.payer))
    return lines


def patient_loop(level: str, parent: str, policy: Policy) -> list[str]:
    """Loop 2000C/2010CA: the patient who is a dependent of the subscriber."""
    patient = policy.patient
    assert patient is not None
    return [
        segment("HL", level, parent, "23", "0"),
        segment("PAT", code(policy.relation, "Patient's relationship to the subscriber", PATIENT_RELATIONS)),
        segment(
            "NM1",
            "QC",
            "1",
            text(patient.last_name, "Patient last name", max_length=60),
            text(patient.first_name, "Patient first name", max_length=35, required=False),
        ),
        *address(_required(patient.address, "Patient address"), "Patient"),
        demographics(patient, "Patient"),
    ]


def payer_loop(payer: Payer, entity: str = "PR") -> list[str]:
    lines = [
        segment(
            "NM1",
            entity,
            "2",
            text(payer.name, "Payer name", max_length=60),
            "",
            "",
            "",
            "",
            "PI",
            identifier(payer.payer_id, "Payer ID", max_length=80),
        )
    ]
    if payer.address is not None:
        lines.extend(address(payer.address, "Payer"))
    return lines


def address(place: Address, who: str, *, zip_lengths: Sequence[int] = (5, 9)) -> list[str]:
    return [
        segment(
            "N3",
            text(place.line1, f"{who} address line", max_length=55),
            text(place.line2, f"{who} address line 2", max_length=55, required=False),
        ),
        segment(
            "N4",
            text(place.city, f"{who} city", max_length=30, min_length=2),
            _state(place.state, f"{who} state"),
            digits(place.postal_code, f"{who} ZIP code", lengths=zip_lengths),
        ),
    ]


def demographics(person: Member, who: str) -> str:
    return segment(
        "DMG",
        "D8",
        d8(person.birth_date, f"{who} date of birth"),
        code(person.sex or "U", f"{who} sex", SEXES),
    )


def provider_name(entity: str, provider: Provider, who: str) -> str:
    return segment(
        "NM1",
        entity,
        "1",
        text(provider.last_name, f"{who} last name", max_length=60),
        text(provider.first_name, f"{who} first name", max_length=35, required=False),
        "",
        "",
        "",
        "XX",
        npi(provider.npi, f"{who} NPI"),
    )


def service_facility_loop(facility: ServiceFacility, who: str) -> list[str]:
    facility_npi = npi(facility.npi, f"{who} NPI") if facility.npi.strip() else ""
    return [
        segment(
            "NM1",
            "77",
            "2",
            text(facility.name, f"{who} name", max_length=60),
            "",
            "",
            "",
            "",
            "XX" if facility_npi else "",
            facility_npi,
        ),
        *address(facility.address, who),
    ]


def release_code(value: str, who: str) -> str:
    return code(value, f"{who} release of information (I under 42 CFR Part 2, or Y)", RELEASE_OF_INFORMATION)


def taxonomy(value: str, field: str) -> str:
    cleaned = text(value, field, max_length=10, min_length=10)
    if not cleaned.isalnum():
        raise BuildError(field, f"{cleaned!r} is not a 10-character provider taxonomy code.")
    return cleaned


def person_name(entity: str, person: Member, who: str, *, member_id: bool) -> str:
    return segment(
        "NM1",
        entity,
        "1",
        text(person.last_name, f"{who} last name", max_length=60),
        text(person.first_name, f"{who} first name", max_length=35, required=False),
        "",
        "",
        "",
        "MI" if member_id else "",
        identifier(person.member_id, f"{who} member ID", max_length=80) if member_id else "",
    )


def _state(value: str, field: str) -> str:
    cleaned = value.strip().upper()
    if cleaned not in US_STATES:
        raise BuildError(field, f"{value!r} is not a two-letter US state or territory code.")
    return cleaned


def _required(place: Address | None, field: str) -> Address:
    if place is None:
        raise BuildError(field, "is required and is missing.")
    return place
