# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read a 271 eligibility and benefit response (005010X279A1).

pyx12 has no 5010 271 map, so this follows the guide's loops by hand:
2000A information source (payer, NM1*PR), 2000B information receiver (us),
2000C subscriber and 2000D dependent, each an HL level (codes 20, 21, 22, 23).
One :class:`EligibilityResponse` is returned per person answered: the
dependent when there is one under a subscriber, otherwise the subscriber.

Rejections (AAA) may come at any level; a rejection at the payer or receiver
level applies to everyone below it. When the payer rejects the whole request
before any subscriber loop, one response with the payer and the rejection is
returned so the caller still learns why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openiop.x12.errors import X12Error
from openiop.x12.reader import (
    HierarchicalLevel,
    Segment,
    Transaction,
    first,
    hierarchical_levels,
    optional_amount,
    parse_date,
    require_transactions,
    split_loops,
)

PAYER_LEVEL, RECEIVER_LEVEL, SUBSCRIBER_LEVEL, DEPENDENT_LEVEL = "20", "21", "22", "23"
PLAN_LEVEL = "30"  # service type "health benefit plan coverage"
ACTIVE_CODES = frozenset("12345")  # EB01 1-5: active (5 pending investigation)
INACTIVE_CODES = frozenset("678")  # EB01 6-8: inactive (7, 8 pending)
REMAINING_PERIOD = "29"

# EB06 time period qualifiers a billing specialist meets in these answers.
PERIODS = {
    "6": "hour",
    "7": "day",
    "13": "24 hours",
    "21": "years",
    "22": "service year",
    "23": "calendar year",
    "24": "year to date",
    "25": "contract",
    "26": "episode",
    "27": "visit",
    "28": "outlier",
    "29": "remaining",
    "30": "exceeded",
    "31": "not exceeded",
    "32": "lifetime",
    "33": "lifetime remaining",
    "34": "month",
    "35": "week",
    "36": "admission",
}

# AAA03 reject reason codes, in words, with what to do about each.
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "15": (
        "Required information is missing from the request.",
        "Check the request for missing data and send it again.",
    ),
    "41": (
        "The payer cannot process this kind of request.",
        "Verify by phone or on the payer's portal.",
    ),
    "42": (
        "The payer cannot respond at this time.",
        "Send the request again later.",
    ),
    "43": (
        "The provider's identification (NPI) is invalid or missing.",
        "Check the program's NPI and the payer's enrollment, then send again.",
    ),
    "44": (
        "The provider's name is invalid or missing.",
        "Check the program's legal name on file with the payer.",
    ),
    "45": (
        "The provider's specialty is invalid or missing.",
        "Check the taxonomy the payer has on file.",
    ),
    "51": (
        "The provider is not on the payer's file.",
        "Call the payer's provider services to confirm enrollment.",
    ),
    "56": (
        "The eligibility dates asked are not appropriate.",
        "Ask for today's date or the date of service.",
    ),
    "57": (
        "The date(s) of service are invalid or missing.",
        "Correct the date of service and send again.",
    ),
    "58": (
        "The date of birth is invalid or missing.",
        "Check the date of birth on the insurance card and send again.",
    ),
    "62": (
        "The date of service is in the future.",
        "Ask again on or after the date of service.",
    ),
    "63": (
        "The date of service is before the allowed period.",
        "Ask for a date within the payer's look-back period.",
    ),
    "64": (
        "The patient ID is invalid or missing.",
        "Check the member ID for the dependent and send again.",
    ),
    "65": (
        "The patient's name is invalid or missing.",
        "Check the patient's name as printed on the card.",
    ),
    "67": (
        "The patient is not found.",
        "Check the dependent's name, date of birth and member ID.",
    ),
    "71": (
        "The date of birth does not match the payer's records.",
        "Check the date of birth with the patient and on the card.",
    ),
    "72": (
        "The member (subscriber) ID is invalid or missing.",
        "Check the member ID on the insurance card and correct it.",
    ),
    "73": (
        "The subscriber's name is invalid or missing.",
        "Check the subscriber's name as printed on the card.",
    ),
    "75": (
        "The subscriber is not found in the payer's records.",
        "Check the member ID, name and date of birth, or ask the patient for a new card.",
    ),
    "76": (
        "The member ID belongs to more than one person.",
        "Add the date of birth and full name and send again.",
    ),
    "78": (
        "The subscriber was not covered on the date asked.",
        "Ask the patient about other coverage; otherwise treat as self-pay.",
    ),
    "79": (
        "The payer does not recognize the submitter's identification.",
        "Check the clearinghouse and payer IDs configured for this payer.",
    ),
    "80": (
        "There is no response from the payer's system.",
        "Send the request again later.",
    ),
}

# AAA04 follow-up action codes.
FOLLOW_UPS = {
    "C": "Please correct and resubmit.",
    "N": "Resubmission is not allowed.",
    "P": "Please resubmit the original request.",
    "R": "Resubmission is allowed.",
    "S": "Do not resubmit; the payer has asked a third party.",
    "W": "Please wait 30 days and resubmit.",
    "X": "Please wait 10 days and resubmit.",
    "Y": "Do not resubmit; the payer will answer later.",
}


@dataclass(frozen=True)
class Benefit:
    code: str  # EB01: 1 active, 6 inactive, A coinsurance, B copay, C deductible, G out-of-pocket
    service_types: tuple[str, ...]
    coverage_level: str  # EB02: IND individual, FAM family, ...
    in_network: bool | None  # EB12 Y/N; None when not said or "not applicable"
    period: str  # EB06 code, see PERIODS ("7" day, "27" visit, "29" remaining, ...)
    amount: Decimal | None
    percent: Decimal | None  # 0-100
    authorization_required: bool | None
    message: str


@dataclass(frozen=True)
class Rejection:
    code: str
    description: str
    follow_up: str


@dataclass
class EligibilityResponse:
    trace_number: str
    payer_id: str
    member_id: str
    first_name: str
    last_name: str
    birth_date: date | None
    active: bool | None
    benefits: list[Benefit] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def read_271(text: str) -> list[EligibilityResponse]:
    """Every person answered in the 271(s) of ``text``; X12Error when unreadable."""
    responses: list[EligibilityResponse] = []
    for transaction in require_transactions(text, "271", "005010X279", "eligibility response"):
        responses.extend(_read_transaction(transaction))
    return responses


def describe_rejection(code: str, follow_up_code: str = "") -> Rejection:
    description, next_step = REJECT_REASONS.get(
        code, (f"The payer rejected the request (reason {code or 'not given'}).", "")
    )
    follow_up = FOLLOW_UPS.get(follow_up_code, "")
    return Rejection(code=code, description=description, follow_up=" ".join(filter(None, [follow_up, next_step])))


def _read_transaction(transaction: Transaction) -> list[EligibilityResponse]:
    levels = hierarchical_levels(transaction)
    if not levels or levels[0].level_code != PAYER_LEVEL:
        raise X12Error(
            "The 271 does not start with the payer (information source) level.",
            segment_position=transaction.segments[1].position,
        )
    responses: list[EligibilityResponse] = []
    for level in levels:
        if level.level_code not in (SUBSCRIBER_LEVEL, DEPENDENT_LEVEL):
            continue
        # A subscriber loop that only carries its dependents is not an answer itself.
        if level.level_code == SUBSCRIBER_LEVEL and level.children and not _answers(level):
            continue
        responses.append(_read_person(level))
    if not responses:
        payer = levels[0]
        rejections = [r for node in levels for r in _rejections(node.segments)]
        if not rejections:
            raise X12Error(
                "The 271 answers no subscriber or dependent and gives no reason.",
                segment_position=payer.segments[0].position,
            )
        responses.append(
            EligibilityResponse(
                trace_number="",
                payer_id=_payer_id(payer),
                member_id="",
                first_name="",
                last_name="",
                birth_date=None,
                active=None,
                rejections=rejections,
            )
        )
    return responses


def _answers(level: HierarchicalLevel) -> bool:
    return any(segment.id in {"TRN", "EB", "AAA"} for segment in level.segments)


def _read_person(level: HierarchicalLevel) -> EligibilityResponse:
    chain = [level, *level.ancestors()]
    payer = next((node for node in chain if node.level_code == PAYER_LEVEL), None)
    subscriber = next((node for node in chain if node.level_code == SUBSCRIBER_LEVEL), None)
    own, benefit_loops = split_loops(level.segments, ["EB"])
    name = first(own, "NM1", e1="IL") or first(own, "NM1", e1="03")
    if name is None:
        raise X12Error(
            "A subscriber or dependent in the 271 has no name (NM1).",
            segment_position=level.segments[0].position,
        )
    member_id = name[9]
    if not member_id and subscriber is not None and subscriber is not level:
        subscriber_name = first(subscriber.segments, "NM1", e1="IL")
        member_id = subscriber_name[9] if subscriber_name else ""
    trace = first(own, "TRN", e1="2")
    demographics = first(own, "DMG", e1="D8")
    birth_date = parse_date(demographics[2], demographics, "birth date") if demographics else None
    # The payer's and receiver's rejections apply to everyone below them.
    rejections = [r for node in reversed(chain[1:]) for r in _rejections(node.segments)]
    rejections += _rejections(own)
    benefits = [_read_benefit(loop) for loop in benefit_loops]
    rejections += [r for loop in benefit_loops for r in _rejections(loop)]
    return EligibilityResponse(
        trace_number=trace[2] if trace else "",
        payer_id=_payer_id(payer) if payer else "",
        member_id=member_id,
        first_name=name[4],
        last_name=name[3],
        birth_date=birth_date,
        active=_active(benefits),
        benefits=benefits,
        rejections=rejections,
    )


def _payer_id(payer: HierarchicalLevel) -> str:
    name = first(payer.segments, "NM1", e1="PR")
    return name[9] if name else ""


def _rejections(segments: Iterable[Segment]) -> list[Rejection]:
    # AAA inside an LS/LE benefit-entity loop is read with its EB loop as well.
    return [describe_rejection(s[3], s[4]) for s in segments if s.id == "AAA"]


def _read_benefit(loop: Sequence[Segment]) -> Benefit:
    eb = loop[0]
    if not eb[1]:
        raise X12Error("A benefit (EB) has no information code.", segment_position=eb.position)
    percent = optional_amount(eb[8], eb, "percent")
    return Benefit(
        code=eb[1],
        service_types=eb.repetitions(3),
        coverage_level=eb[2],
        in_network=_yes_no(eb[12]),
        period=eb[6],
        amount=optional_amount(eb[7], eb, "benefit amount"),
        # The 271 sends a fraction (0.2); callers think in percent (20).
        percent=(percent * 100).normalize() if percent is not None else None,
        authorization_required=_yes_no(eb[11]),
        message=" ".join(s[1] for s in loop if s.id == "MSG" and s[1]),
    )


def _yes_no(value: str) -> bool | None:
    return {"Y": True, "N": False}.get(value)


def _active(benefits: Sequence[Benefit]) -> bool | None:
    codes = {benefit.code for benefit in benefits}
    if codes & ACTIVE_CODES:
        return True
    if codes & INACTIVE_CODES:
        return False
    return None


# Figures for the service types asked --------------------------------------------------


def _pick(
    response: EligibilityResponse,
    code: str,
    service_types: Sequence[str],
    *,
    remaining: bool = False,
) -> Benefit | None:
    """The in-network (or unstated) benefit ``code`` for the first service type asked
    that has one, else the plan-level ("30") one; individual before family."""
    candidates = [
        benefit
        for benefit in response.benefits
        if benefit.code == code
        and benefit.in_network is not False
        and (benefit.period == REMAINING_PERIOD) == remaining
    ]
    for wanted in (*service_types, PLAN_LEVEL):
        matching = [b for b in candidates if wanted in b.service_types]
        if matching:
            return min(
                matching,
                key=lambda b: (b.in_network is not True, b.coverage_level not in ("IND", "")),
            )
    return None


def copay(response: EligibilityResponse, service_types: Sequence[str] = ("AI", "MH")) -> Decimal | None:
    benefit = _pick(response, "B", service_types)
    return benefit.amount if benefit else None


def coinsurance(response: EligibilityResponse, service_types: Sequence[str] = ("AI", "MH")) -> Decimal | None:
    """The patient's share in percent (20 for 20%)."""
    benefit = _pick(response, "A", service_types)
    return benefit.percent if benefit else None


def deductible(response: EligibilityResponse, service_types: Sequence[str] = ("AI", "MH")) -> Decimal | None:
    benefit = _pick(response, "C", service_types)
    return benefit.amount if benefit else None


def deductible_remaining(response: EligibilityResponse, service_types: Sequence[str] = ("AI", "MH")) -> Decimal | None:
    benefit = _pick(response, "C", service_types, remaining=True)
    return benefit.amount if benefit else None


def out_of_pocket_max(response: EligibilityResponse, service_types: Sequence[str] = ("AI", "MH")) -> Decimal | None:
    benefit = _pick(response, "G", service_types)
    return benefit.amount if benefit else None


def authorization_required(response: EligibilityResponse, service_types: Sequence[str] = ("AI", "MH")) -> bool | None:
    """True when any in-network benefit for the service types (else the plan) says so."""
    for wanted in (*service_types, PLAN_LEVEL):
        answers = [
            benefit.authorization_required
            for benefit in response.benefits
            if wanted in benefit.service_types
            and benefit.in_network is not False
            and benefit.authorization_required is not None
        ]
        if answers:
            return any(answers)
    return None
