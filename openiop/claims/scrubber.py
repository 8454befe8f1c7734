# SPDX-License-Identifier: AGPL-3.0-or-later
"""The claim scrubber: what pyx12 cannot see, checked before a claim is built.

pyx12 checks a file's structure; it does not know a code from a typo, nor an
authorization from a guess. Each rule here would bring a rejection or a denial
(CARC 16, 197, 198, 27, 29, 18...) weeks later; saying it now, in words a
billing specialist can act on, is cheaper. Plain values in, plain values out:
the service gathers the facts, this module judges them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from openiop.x12.npi import is_valid_npi

# HCPCS level II: a letter and four digits; CPT: four digits and a digit or a
# letter (category II/III end in F/T).
_PROCEDURE = re.compile(r"^(?:[A-V][0-9]{4}|[0-9]{4}[0-9FTU])$")
_REVENUE = re.compile(r"^[0-9]{4}$")
# Within this many days of the payer's filing limit a claim is flagged (sent anyway).
TIMELY_FILING_WARNING_DAYS = 14
MEDICARE_PHP_WINDOW_DAYS = 7


@dataclass(frozen=True)
class LineFacts:
    service_date: dt.date | None
    code: str
    revenue_code: str = ""
    authorization_number: str = ""
    authorization_covers: bool = True  # the authorization's dates and status cover the line
    authorization_exceeded: bool = False  # more units billed under it than it allows
    coverage_active: bool = True
    overlapping_claim: str = ""  # another live claim billing the same day and code
    place_of_service: str = ""  # where the service was given (837P; blank: the claim's place)
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimFacts:
    claim_type: str  # "837I" or "837P"
    provider_npi: str  # attending (837I) or rendering (837P)
    diagnoses: tuple[str, ...]
    lines: tuple[LineFacts, ...]
    statement_start: dt.date
    authorization_required: bool = False
    timely_filing_days: int = 90
    is_medicare: bool = False
    # Medicare: an earlier claim of this patient still waiting for its remittance.
    unremitted_earlier_claim: str = ""
    # Medicare: a partial hospitalization claim with a line in the 7 days before
    # this claim's from-date or within it.
    php_claim_nearby: str = ""
    provider_taxonomy: str = ""  # the 837P needs the rendering provider's


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    blocking: bool = True


def scrub(claim: ClaimFacts, *, today: dt.date, is_billable: Callable[[str], bool]) -> list[Problem]:
    """Every problem with CLAIM, blocking ones first in rule order; an empty
    list means it may be built."""
    problems: list[Problem] = []
    problems += _service_dates(claim)
    problems += _provider(claim)
    problems += _diagnoses(claim, is_billable)
    problems += _codes(claim)
    problems += _telehealth(claim)
    problems += _authorization(claim)
    problems += _coverage(claim)
    problems += _timely_filing(claim, today)
    problems += _overlaps(claim)
    problems += _medicare(claim)
    return sorted(problems, key=lambda problem: not problem.blocking)


def blocking(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.blocking]


def _service_dates(claim: ClaimFacts) -> list[Problem]:
    missing = sum(1 for line in claim.lines if line.service_date is None)
    if missing:
        return [Problem("service_date", f"{missing} line(s) have no date of service; every line needs one.")]
    return []


def _provider(claim: ClaimFacts) -> list[Problem]:
    who = "attending" if claim.claim_type == "837I" else "rendering"
    if not claim.provider_npi.strip():
        return [
            Problem(
                "provider",
                f"No {who} provider with an NPI: enter the clinician's NPI (Claims, provider numbers) and rebuild.",
            )
        ]
    if not is_valid_npi(claim.provider_npi.strip()):
        return [Problem("provider", f"The {who} provider's NPI {claim.provider_npi} fails the check digit (Luhn).")]
    if claim.claim_type == "837P" and len(claim.provider_taxonomy.strip()) != 10:
        return [Problem("provider", "The rendering provider has no 10-character taxonomy code; enter it with the NPI.")]
    return []


def _diagnoses(claim: ClaimFacts, is_billable: Callable[[str], bool]) -> list[Problem]:
    if not claim.diagnoses:
        return [Problem("diagnosis", "No active diagnosis on the dates of service: add one to the problem list.")]
    wrong = [code for code in claim.diagnoses if not is_billable(code)]
    if wrong:
        return [
            Problem(
                "diagnosis",
                f"Not a billable ICD-10-CM code: {', '.join(wrong)} (a category needs its full code).",
            )
        ]
    return []


def _codes(claim: ClaimFacts) -> list[Problem]:
    problems = []
    bad = sorted({line.code for line in claim.lines if not _PROCEDURE.match(line.code.strip().upper())})
    if bad:
        problems.append(Problem("procedure", f"Not a HCPCS or CPT code: {', '.join(bad) or '(blank)'}."))
    if claim.claim_type == "837I":
        revenue = sorted({line.revenue_code for line in claim.lines if not _REVENUE.match(line.revenue_code)})
        if revenue:
            problems.append(
                Problem("revenue_code", f"Not a four-digit revenue code: {', '.join(revenue) or '(blank)'}.")
            )
    return problems


# Telehealth: modifier 95 (audio and video) or 93 (audio only) and place of
# service 02 (elsewhere) or 10 (the patient's home), always together.
TELEHEALTH_MODIFIERS = frozenset({"95", "93"})
TELEHEALTH_PLACES = frozenset({"02", "10"})


def _telehealth(claim: ClaimFacts) -> list[Problem]:
    problems = []
    for line in claim.lines:
        day = line.service_date.isoformat() if line.service_date else "(no date)"
        telehealth = TELEHEALTH_MODIFIERS.intersection(line.modifiers)
        if telehealth and line.place_of_service not in TELEHEALTH_PLACES:
            problems.append(
                Problem(
                    "telehealth",
                    f"{line.code} on {day} is telehealth (modifier {min(telehealth)}) but its place of service is "
                    f"{line.place_of_service or '(none)'}: a telehealth visit is at 10 (the patient's home) or 02 "
                    "(elsewhere); correct the note's place of service or modality.",
                )
            )
        elif not telehealth and line.place_of_service in TELEHEALTH_PLACES:
            problems.append(
                Problem(
                    "telehealth",
                    f"{line.code} on {day} has the telehealth place of service {line.place_of_service} but no "
                    "telehealth modifier (95 audio and video, 93 audio only): correct the note's modality or its "
                    "place of service.",
                )
            )
    return problems


def _authorization(claim: ClaimFacts) -> list[Problem]:
    if not claim.authorization_required:
        return []
    problems = []
    missing = [line for line in claim.lines if not line.authorization_number or not line.authorization_covers]
    if missing:
        days = ", ".join(_day(line.service_date) for line in missing)
        problems.append(
            Problem("authorization", f"No authorization in force for {days}; the payer would deny it (CARC 197).")
        )
    exceeded = [line for line in claim.lines if line.authorization_number and line.authorization_exceeded]
    if exceeded:
        days = ", ".join(_day(line.service_date) for line in exceeded)
        problems.append(
            Problem(
                "authorization",
                f"Authorization {exceeded[0].authorization_number} has no units left for {days} (CARC 198).",
            )
        )
    return problems


def _coverage(claim: ClaimFacts) -> list[Problem]:
    inactive = [line for line in claim.lines if not line.coverage_active]
    if inactive:
        days = ", ".join(_day(line.service_date) for line in inactive)
        return [Problem("coverage", f"The coverage is not in force on {days} (CARC 27).")]
    return []


def _timely_filing(claim: ClaimFacts, today: dt.date) -> list[Problem]:
    dates = [line.service_date for line in claim.lines if line.service_date is not None]
    if not dates:
        return []
    deadline = min(dates) + dt.timedelta(days=claim.timely_filing_days)
    if today > deadline:
        return [
            Problem(
                "timely_filing",
                f"Past the payer's {claim.timely_filing_days}-day filing limit (ended {deadline:%Y-%m-%d}); "
                "it would be denied (CARC 29): send proof of earlier filing or write it off.",
            )
        ]
    if (deadline - today).days <= TIMELY_FILING_WARNING_DAYS:
        return [
            Problem(
                "timely_filing",
                f"The filing limit ends on {deadline:%Y-%m-%d}: send it now.",
                blocking=False,
            )
        ]
    return []


def _overlaps(claim: ClaimFacts) -> list[Problem]:
    overlapping = [line for line in claim.lines if line.overlapping_claim]
    if overlapping:
        first = overlapping[0]
        return [
            Problem(
                "overlap",
                f"{first.code} on {_day(first.service_date)} is already billed on claim {first.overlapping_claim} "
                "(a duplicate, CARC 18): correct or void that claim instead.",
            )
        ]
    return []


def _medicare(claim: ClaimFacts) -> list[Problem]:
    if not claim.is_medicare:
        return []
    problems = []
    if claim.unremitted_earlier_claim:
        problems.append(
            Problem(
                "medicare_sequence",
                f"Medicare takes claims in date order, each after the previous remittance: claim "
                f"{claim.unremitted_earlier_claim} has not been remitted yet.",
            )
        )
    if claim.php_claim_nearby:
        problems.append(
            Problem(
                "medicare_seven_day",
                f"Partial hospitalization claim {claim.php_claim_nearby} has a day within 7 days before or during "
                "this IOP claim; Medicare returns it.",
            )
        )
    return problems


def _day(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "(no date)"
