# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading one specimen's results against the patient's medications.

Plain Python, no Django: the rules are small and must be exact.

For each drug class tested on a specimen:

1. The *final* result is the confirmatory (LC-MS/MS) result when there is a
   valid one, else the presumptive (point-of-care or immunoassay) result.
   A confirmatory negative therefore overrides a presumptive positive, and a
   confirmatory positive overrides a presumptive negative.
2. A final positive is EXPECTED when a medication active on the collection
   date (started on or before it, not stopped before it) lists that class;
   otherwise it is UNEXPECTED. A medication stopped shortly before the
   collection does not make a positive expected (it is flagged as a possible
   explanation, for the clinician to weigh in the review).
3. A final negative for a class an active medication should produce is
   reported as EXPECTED_ABSENT: not a relapse signal, but worth a word about
   adherence or diversion (ASAM, Appropriate Use of Drug Testing in Clinical
   Addiction Medicine, 2017).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PRESUMPTIVE = "presumptive"
CONFIRMATORY = "confirmatory"
POSITIVE = "positive"
NEGATIVE = "negative"
INVALID = "invalid"

# CONFIGURABLE: how recently a stopped medication counts as a possible
# explanation worth showing. Detection windows vary (buprenorphine about a
# week in urine, far longer after an extended-release injection).
RECENT_STOP_DAYS = 7


class Verdict(enum.StrEnum):
    EXPECTED = "expected"  # positive, explained by an active medication
    UNEXPECTED = "unexpected"  # positive, nothing active explains it
    NEGATIVE = "negative"
    EXPECTED_ABSENT = "expected_absent"  # negative although a medication should show
    INVALID = "invalid"


@dataclass(frozen=True)
class MedicationSpan:
    name: str
    start: dt.date
    stop: dt.date | None
    expected_classes: frozenset[str]

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.stop is None or day <= self.stop)

    def stopped_within(self, day: dt.date, days: int) -> bool:
        return self.stop is not None and self.stop < day and (day - self.stop).days <= days


@dataclass(frozen=True)
class Result:
    drug_class: str
    method: str  # PRESUMPTIVE or CONFIRMATORY
    result: str  # POSITIVE, NEGATIVE or INVALID


@dataclass(frozen=True)
class Finding:
    drug_class: str
    verdict: Verdict
    presumptive: str | None  # the raw results, for display
    confirmatory: str | None
    explained_by: tuple[str, ...] = ()  # active medications listing the class
    recently_stopped: tuple[str, ...] = ()  # possible explanations, not counted
    confirmed: bool = False  # the final result came from a confirmatory test

    @property
    def overridden(self) -> bool:
        """A presumptive result the confirmatory test contradicted."""
        return (
            self.confirmatory in (POSITIVE, NEGATIVE)
            and self.presumptive in (POSITIVE, NEGATIVE)
            and self.presumptive != self.confirmatory
        )


@dataclass(frozen=True)
class Interpretation:
    collected_on: dt.date
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    def with_verdict(self, verdict: Verdict) -> list[Finding]:
        return [finding for finding in self.findings if finding.verdict == verdict]

    @property
    def expected(self) -> list[Finding]:
        return self.with_verdict(Verdict.EXPECTED)

    @property
    def unexpected(self) -> list[Finding]:
        return self.with_verdict(Verdict.UNEXPECTED)

    @property
    def unexpected_classes(self) -> list[str]:
        return [finding.drug_class for finding in self.unexpected]

    @property
    def expected_absent(self) -> list[Finding]:
        return self.with_verdict(Verdict.EXPECTED_ABSENT)

    @property
    def negatives(self) -> list[Finding]:
        return self.with_verdict(Verdict.NEGATIVE)

    @property
    def invalid(self) -> list[Finding]:
        return self.with_verdict(Verdict.INVALID)

    def verdict_for(self, drug_class: str) -> Verdict | None:
        return next((f.verdict for f in self.findings if f.drug_class == drug_class), None)


def final_result(presumptive: str | None, confirmatory: str | None) -> tuple[str | None, bool]:
    """The result that counts, and whether it came from confirmation."""
    if confirmatory in (POSITIVE, NEGATIVE):
        return confirmatory, True
    return presumptive if presumptive is not None else confirmatory, False


def interpret(
    results: Iterable[Result],
    medications: Sequence[MedicationSpan],
    collected_on: dt.date,
    *,
    recent_stop_days: int = RECENT_STOP_DAYS,
) -> Interpretation:
    """Findings per tested class, in the order the classes were first seen."""
    by_class: dict[str, dict[str, str]] = {}
    for item in results:
        if item.method not in (PRESUMPTIVE, CONFIRMATORY):
            raise ValueError(f"unknown method {item.method!r}")
        if item.result not in (POSITIVE, NEGATIVE, INVALID):
            raise ValueError(f"unknown result {item.result!r}")
        methods = by_class.setdefault(item.drug_class, {})
        if item.method in methods and methods[item.method] != item.result:
            raise ValueError(f"two different {item.method} results for {item.drug_class}")
        methods[item.method] = item.result
    active = [m for m in medications if m.active_on(collected_on)]
    recent = [m for m in medications if m.stopped_within(collected_on, recent_stop_days)]
    findings = []
    for drug_class, methods in by_class.items():
        presumptive, confirmatory = methods.get(PRESUMPTIVE), methods.get(CONFIRMATORY)
        outcome, confirmed = final_result(presumptive, confirmatory)
        explained_by = tuple(m.name for m in active if drug_class in m.expected_classes)
        if outcome == POSITIVE:
            verdict = Verdict.EXPECTED if explained_by else Verdict.UNEXPECTED
        elif outcome == NEGATIVE:
            verdict = Verdict.EXPECTED_ABSENT if explained_by else Verdict.NEGATIVE
        else:
            verdict = Verdict.INVALID
        stopped = (
            tuple(m.name for m in recent if drug_class in m.expected_classes) if verdict == Verdict.UNEXPECTED else ()
        )
        findings.append(
            Finding(
                drug_class=drug_class,
                verdict=verdict,
                presumptive=presumptive,
                confirmatory=confirmatory,
                explained_by=explained_by,
                recently_stopped=stopped,
                confirmed=confirmed,
            )
        )
    return Interpretation(collected_on=collected_on, findings=tuple(findings))
