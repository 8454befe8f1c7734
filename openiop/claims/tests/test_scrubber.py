# SPDX-License-Identifier: AGPL-3.0-or-later
"""Each scrubber rule with a claim that fails it and one that passes it (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from openiop.claims.scrubber import ClaimFacts, LineFacts, Problem, blocking, scrub

TODAY = dt.date(2026, 3, 20)
DAY = dt.date(2026, 3, 9)
BILLABLE = {"F1020", "F1120", "F329"}


def is_billable(code: str) -> bool:
    return code in BILLABLE


def good_claim(**changes: object) -> ClaimFacts:
    claim = ClaimFacts(
        claim_type="837I",
        provider_npi="1245319599",
        diagnoses=("F1020",),
        lines=(
            LineFacts(DAY, "H0015", "0906", "AUTH1"),
            LineFacts(DAY + dt.timedelta(days=1), "H0015", "0906", "AUTH1"),
        ),
        statement_start=DAY,
        authorization_required=True,
        timely_filing_days=90,
    )
    return replace(claim, **changes)  # type: ignore[arg-type]


def with_line(**changes: object) -> ClaimFacts:
    claim = good_claim()
    return replace(claim, lines=(replace(claim.lines[0], **changes), claim.lines[1]))  # type: ignore[arg-type]


def rules(problems: list[Problem]) -> set[str]:
    return {problem.rule for problem in blocking(problems)}


def test_a_good_claim_has_no_problem() -> None:
    assert scrub(good_claim(), today=TODAY, is_billable=is_billable) == []


@pytest.mark.parametrize(
    ("claim", "rule", "words"),
    [
        (with_line(service_date=None), "service_date", "no date of service"),
        (good_claim(provider_npi=""), "provider", "No attending provider"),
        (good_claim(claim_type="837P", provider_npi="", lines=()), "provider", "No rendering provider"),
        (good_claim(provider_npi="1245319590"), "provider", "fails the check digit"),
        (good_claim(claim_type="837P", lines=()), "provider", "no 10-character taxonomy"),
        (good_claim(diagnoses=()), "diagnosis", "No active diagnosis"),
        (good_claim(diagnoses=("F10",)), "diagnosis", "Not a billable ICD-10-CM code: F10"),
        (with_line(code="H15"), "procedure", "Not a HCPCS or CPT code: H15"),
        (with_line(revenue_code="906"), "revenue_code", "four-digit revenue code"),
        (with_line(authorization_number=""), "authorization", "CARC 197"),
        (with_line(authorization_covers=False), "authorization", "2026-03-09"),
        (with_line(authorization_exceeded=True), "authorization", "CARC 198"),
        (with_line(coverage_active=False), "coverage", "not in force on 2026-03-09"),
        (good_claim(timely_filing_days=10), "timely_filing", "Past the payer's 10-day filing limit"),
        (with_line(overlapping_claim="OIC00000001"), "overlap", "already billed on claim OIC00000001"),
        (good_claim(is_medicare=True, unremitted_earlier_claim="OIC00000002"), "medicare_sequence", "OIC00000002"),
        (good_claim(is_medicare=True, php_claim_nearby="OIC00000003"), "medicare_seven_day", "within 7 days"),
    ],
)
def test_each_rule_stops_the_claim_that_breaks_it(claim: ClaimFacts, rule: str, words: str) -> None:
    problems = scrub(claim, today=TODAY, is_billable=is_billable)
    assert rule in rules(problems)
    assert any(words in problem.message for problem in problems)


def test_a_cpt_code_and_a_professional_claim_without_revenue_codes_pass() -> None:
    claim = good_claim(claim_type="837P", provider_taxonomy="101YA0400X", lines=(LineFacts(DAY, "90837", "", "AUTH1"),))
    assert scrub(claim, today=TODAY, is_billable=is_billable) == []


def _professional(line: LineFacts) -> ClaimFacts:
    return good_claim(claim_type="837P", provider_taxonomy="101YA0400X", lines=(line,))


@pytest.mark.parametrize(
    ("place", "modifiers", "words"),
    [
        ("57", ("95",), "90834 on 2026-03-09 is telehealth (modifier 95) but its place of service is 57"),
        ("11", ("93",), "is telehealth (modifier 93) but its place of service is 11"),
        ("10", (), "has the telehealth place of service 10 but no telehealth modifier"),
        ("02", ("HF",), "has the telehealth place of service 02 but no telehealth modifier"),
    ],
)
def test_a_telehealth_line_away_from_02_or_10_or_an_in_person_line_there_is_stopped(
    place: str, modifiers: tuple[str, ...], words: str
) -> None:
    line = LineFacts(DAY, "90834", "", "AUTH1", place_of_service=place, modifiers=modifiers)
    problems = scrub(_professional(line), today=TODAY, is_billable=is_billable)
    assert rules(problems) == {"telehealth"} and words in problems[0].message


@pytest.mark.parametrize(("place", "modifiers"), [("10", ("95",)), ("02", ("93",)), ("57", ()), ("11", ("HF",))])
def test_telehealth_at_02_or_10_and_in_person_elsewhere_pass(place: str, modifiers: tuple[str, ...]) -> None:
    line = LineFacts(DAY, "90834", "", "AUTH1", place_of_service=place, modifiers=modifiers)
    assert scrub(_professional(line), today=TODAY, is_billable=is_billable) == []


def test_a_payer_without_authorizations_needs_none() -> None:
    claim = replace(with_line(authorization_number=""), authorization_required=False)
    assert scrub(claim, today=TODAY, is_billable=is_billable) == []


def test_the_medicare_rules_apply_only_to_medicare() -> None:
    claim = good_claim(unremitted_earlier_claim="OIC00000002", php_claim_nearby="OIC00000003")
    assert scrub(claim, today=TODAY, is_billable=is_billable) == []
    assert rules(scrub(replace(claim, is_medicare=True), today=TODAY, is_billable=is_billable)) == {
        "medicare_sequence",
        "medicare_seven_day",
    }


def test_a_claim_close_to_the_filing_limit_is_flagged_but_not_stopped() -> None:
    problems = scrub(good_claim(timely_filing_days=20), today=TODAY, is_billable=is_billable)
    assert [problem.rule for problem in problems] == ["timely_filing"]
    assert blocking(problems) == []
    assert "ends on 2026-03-29" in problems[0].message
