# SPDX-License-Identifier: AGPL-3.0-or-later
"""The eligibility and benefit inquiry we send: X12 270, 005010X279A1.

Structure (the implementation guide's, since pyx12 has no 5010 270 map):

    BHT*0022*13                      header: request, original
    HL 2000A  20  NM1*PR*2 ... PI    information source (the payer)
    HL 2000B  21  NM1*1P*2 ... XX    information receiver (our program, NPI)
    HL 2000C  22  subscriber: TRN, NM1*IL ... MI member ID, DMG, DTP*291, EQ
    HL 2000D  23  dependent, only when the patient is not the subscriber:
                  TRN, NM1*03, DMG, INS*N*relation, DTP*291, EQ

The trace number, the date of service and the service types (EQ) belong to
the person the question is about: the subscriber when the patient is the
subscriber, otherwise the dependent (the guide puts them at the patient's
level and not at both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from openiop.x12.envelope import Envelope, interchange
from openiop.x12.segments import BuildError, code, d8, identifier, npi, segment, text

VERSION = "005010X279A1"
FUNCTIONAL_CODE = "HS"
TRANSACTION_CODE = "270"
SELF = "18"
# INS02 in loop 2100D: the patient's relationship to the subscriber.
DEPENDENT_RELATIONS = {
    "01": "spouse",
    "19": "child",
    "20": "employee",
    "21": "unknown",
    "39": "organ donor",
    "40": "cadaver donor",
    "53": "life partner",
    "G8": "other relationship",
}
SEXES = ("F", "M", "U")
MAX_SERVICE_TYPES = 99
_SERVICE_TYPE = re.compile(r"[A-Z0-9]{1,2}")
# TRN03: "1" + EIN or "9" + a 9-digit number the originator assigns itself.
_ORIGINATING_COMPANY = re.compile(r"[19][0-9]{9}")


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date | None
    member_id: str = ""
    sex: str = ""


@dataclass(frozen=True, kw_only=True)
class EligibilityRequest:
    """One question to one payer about one person's coverage on one day.

    ``patient`` is None when the patient is the subscriber (``relation`` is
    then "18"); otherwise ``relation`` is the patient's X12 relationship to
    the subscriber (01 spouse, 19 child, ...). ``originating_company_id`` is
    TRN03; by default "9" followed by the last nine digits of the NPI.
    """

    trace_number: str
    provider_name: str
    provider_npi: str
    payer_name: str
    payer_id: str
    subscriber: Person
    patient: Person | None = None
    relation: str = SELF
    service_types: tuple[str, ...] = ("AI", "MH")
    on: date
    originating_company_id: str = ""


def build_270(request: EligibilityRequest, envelope: Envelope) -> str:
    """The whole 270 interchange text for ``request``.

    Raises :class:`BuildError` (an ``X12Error``) naming the field to fix.
    """
    return interchange(
        envelope,
        functional_code=FUNCTIONAL_CODE,
        transaction_code=TRANSACTION_CODE,
        version=VERSION,
        transactions=[_transaction(request, envelope)],
    )


def _transaction(request: EligibilityRequest, envelope: Envelope) -> list[str]:
    dependent = request.patient
    if dependent is None:
        if request.relation.strip() != SELF:
            raise BuildError(
                "Relation",
                f"is {request.relation!r} but no separate patient was given; "
                "use 18 (self) or give the patient who is the dependent.",
            )
    else:
        code(request.relation, "Patient's relationship to the subscriber", DEPENDENT_RELATIONS)

    trace = text(request.trace_number, "Trace number", max_length=50)
    provider_npi = npi(request.provider_npi, "Provider NPI")
    originator = _originating_company(request.originating_company_id, provider_npi)
    on = d8(request.on, "Date of service")
    inquiries = _service_types(request.service_types)
    created = envelope.created

    body = [
        segment("BHT", "0022", "13", trace, created.strftime("%Y%m%d"), created.strftime("%H%M")),
        # 2000A / 2100A: the payer we ask.
        segment("HL", "1", "", "20", "1"),
        segment(
            "NM1",
            "PR",
            "2",
            text(request.payer_name, "Payer name", max_length=60),
            "",
            "",
            "",
            "",
            "PI",
            identifier(request.payer_id, "Payer ID", max_length=80),
        ),
        # 2000B / 2100B: who asks (our program, by NPI).
        segment("HL", "2", "1", "21", "1"),
        segment(
            "NM1",
            "1P",
            "2",
            text(request.provider_name, "Provider name", max_length=60),
            "",
            "",
            "",
            "",
            "XX",
            provider_npi,
        ),
        # 2000C: the subscriber; HL04 says whether a dependent level follows.
        segment("HL", "3", "2", "22", "0" if dependent is None else "1"),
    ]
    subscriber = request.subscriber
    if dependent is None:
        body.append(segment("TRN", "1", trace, originator))
    body.append(
        segment(
            "NM1",
            "IL",
            "1",
            text(subscriber.last_name, "Subscriber last name", max_length=60),
            text(subscriber.first_name, "Subscriber first name", max_length=35, required=False),
            "",
            "",
            "",
            "MI",
            identifier(subscriber.member_id, "Subscriber member ID", max_length=80),
        )
    )
    demographics = _demographics(subscriber, "Subscriber", required=dependent is None)
    if demographics:
        body.append(demographics)
    if dependent is None:
        body.append(segment("DTP", "291", "D8", on))
        body.extend(segment("EQ", service_type) for service_type in inquiries)
        return body

    # 2000D: the dependent the question is about.
    body.append(segment("HL", "4", "3", "23", "0"))
    body.append(segment("TRN", "1", trace, originator))
    body.append(
        segment(
            "NM1",
            "03",
            "1",
            text(dependent.last_name, "Patient last name", max_length=60),
            text(dependent.first_name, "Patient first name", max_length=35),
        )
    )
    body.append(_demographics(dependent, "Patient", required=True))
    body.append(segment("INS", "N", request.relation.strip().upper()))
    body.append(segment("DTP", "291", "D8", on))
    body.extend(segment("EQ", service_type) for service_type in inquiries)
    return body


def _demographics(person: Person, who: str, *, required: bool) -> str:
    """DMG with date of birth (and sex when known). Payers match a person by
    member ID, name and date of birth, so it is required for the patient."""
    if person.birth_date is None:
        if required:
            raise BuildError(f"{who} date of birth", "is required to identify the patient and is missing.")
        return ""
    sex = code(person.sex, f"{who} sex", SEXES) if person.sex.strip() else ""
    return segment("DMG", "D8", d8(person.birth_date, f"{who} date of birth"), sex)


def _service_types(service_types: tuple[str, ...]) -> list[str]:
    cleaned = [value.strip().upper() for value in service_types]
    if not cleaned:
        raise BuildError("Service types", "ask about at least one service type (e.g. AI substance abuse).")
    if len(cleaned) > MAX_SERVICE_TYPES:
        raise BuildError("Service types", f"at most {MAX_SERVICE_TYPES} may be asked at once.")
    for value in cleaned:
        if not _SERVICE_TYPE.fullmatch(value):
            raise BuildError("Service types", f"{value!r} is not an X12 service type code.")
    # Asking twice for the same type only lengthens the answer.
    return list(dict.fromkeys(cleaned))


def _originating_company(value: str, provider_npi: str) -> str:
    if not value.strip():
        return "9" + provider_npi[-9:]
    cleaned = value.strip()
    if not _ORIGINATING_COMPANY.fullmatch(cleaned):
        raise BuildError(
            "Originating company ID",
            f"{value!r} must be 10 digits: 1 and an EIN, or 9 and a number of our own.",
        )
    return cleaned
