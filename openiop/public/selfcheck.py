# SPDX-License-Identifier: AGPL-3.0-or-later
""" "Is IOP right for me?": the rules of the public self-check. Plain Python.

Our own transparent rules, decision support for a person looking for help,
not a diagnosis and not the ASAM Criteria. Built from the IOP fit factors
(strong support, a stable home with lower relapse risk, not previously in an
IOP, comfortable in groups, needs a schedule that fits work or school, no
risk of severe withdrawal) plus safety questions.

Safety comes first and overrides everything: thoughts of suicide or
self-harm send the person to 988 at once, a medical emergency to 911; a
history of seizures or delirium tremens, or shaking, sweating or
hallucinations on stopping, mean a medical withdrawal assessment and likely
a higher level of care before (or instead of) IOP.

Question texts live with the view (they are translated); here only codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

YES = "yes"
NO = "no"
UNSURE = "unsure"
ANSWERS = (YES, NO, UNSURE)

# Safety questions: YES means risk.
SUICIDE = "suicide"
EMERGENCY = "emergency"
SEIZURES = "seizures"
WITHDRAWAL_SIGNS = "withdrawal_signs"
SAFETY_QUESTIONS = (SUICIDE, EMERGENCY, SEIZURES, WITHDRAWAL_SIGNS)

# Fit factors, with the answer that favours IOP.
SUPPORT = "support"
STABLE_HOME = "stable_home"
PREVIOUS_IOP = "previous_iop"
GROUPS = "groups"
SCHEDULE = "schedule"
FIT_FACTORS: dict[str, str] = {
    SUPPORT: YES,
    STABLE_HOME: YES,
    PREVIOUS_IOP: NO,
    GROUPS: YES,
    SCHEDULE: YES,
}
QUESTIONS = SAFETY_QUESTIONS + tuple(FIT_FACTORS)

# Outcomes, most urgent first.
CRISIS = "crisis"  # 988 now
EMERGENCY_NOW = "emergency"  # 911 now
WITHDRAWAL = "withdrawal"  # medical withdrawal assessment, higher level of care
GOOD_FIT = "good_fit"
POSSIBLE_FIT = "possible_fit"
MORE_STRUCTURE = "more_structure"
OUTCOMES = (CRISIS, EMERGENCY_NOW, WITHDRAWAL, GOOD_FIT, POSSIBLE_FIT, MORE_STRUCTURE)

# Of the five fit factors: this many favourable answers or more is a good fit,
# at least POSSIBLE_MIN a possible one, fewer suggests more structure first.
GOOD_MIN = 4
POSSIBLE_MIN = 2


class IncompleteAnswers(ValueError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"unanswered: {', '.join(missing)}")
        self.missing = missing


@dataclass(frozen=True)
class Result:
    outcome: str
    crisis: bool  # show 988 guidance first
    emergency: bool  # show 911 guidance first
    withdrawal_risk: bool
    favourable: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)  # fit factors answered against IOP
    unsure: list[str] = field(default_factory=list)

    @property
    def at_risk(self) -> bool:
        return self.crisis or self.emergency or self.withdrawal_risk

    @property
    def suggests_higher_level(self) -> bool:
        return self.withdrawal_risk or self.outcome == MORE_STRUCTURE or self.crisis or self.emergency

    def summary_code(self) -> str:
        """A short code of the outcome a person may choose to send with a
        call-back request (no answers, only what a navigator needs first)."""
        flags = [self.outcome]
        if self.crisis and self.outcome != CRISIS:
            flags.append(CRISIS)
        if self.emergency and self.outcome != EMERGENCY_NOW:
            flags.append(EMERGENCY_NOW)
        if self.withdrawal_risk and self.outcome != WITHDRAWAL:
            flags.append(WITHDRAWAL)
        return "+".join(flags)


def evaluate(answers: Mapping[str, str]) -> Result:
    """The outcome of a complete set of answers (every question yes/no/unsure).

    Safety questions must be answered; raises IncompleteAnswers otherwise.
    """
    missing = [q for q in QUESTIONS if answers.get(q) not in ANSWERS]
    if missing:
        raise IncompleteAnswers(missing)
    # "Not sure" on a safety question counts as a yes: the safe advice costs
    # a phone call; the unsafe one can cost a life.
    risky = {q for q in SAFETY_QUESTIONS if answers[q] in (YES, UNSURE)}
    crisis = SUICIDE in risky
    emergency = EMERGENCY in risky
    withdrawal_risk = bool(risky & {SEIZURES, WITHDRAWAL_SIGNS})
    favourable = [q for q, good in FIT_FACTORS.items() if answers[q] == good]
    unsure = [q for q in FIT_FACTORS if answers[q] == UNSURE]
    concerns = [q for q in FIT_FACTORS if answers[q] not in (FIT_FACTORS[q], UNSURE)]
    if crisis:
        outcome = CRISIS
    elif emergency:
        outcome = EMERGENCY_NOW
    elif withdrawal_risk:
        outcome = WITHDRAWAL
    elif len(favourable) >= GOOD_MIN:
        outcome = GOOD_FIT
    elif len(favourable) >= POSSIBLE_MIN:
        outcome = POSSIBLE_FIT
    else:
        outcome = MORE_STRUCTURE
    return Result(
        outcome=outcome,
        crisis=crisis,
        emergency=emergency,
        withdrawal_risk=withdrawal_risk,
        favourable=favourable,
        concerns=concerns,
        unsure=unsure,
    )


# The outcomes that mean a safety risk, most urgent first: shared with a
# request, they are a safety risk the team must see and acknowledge.
RISK_OUTCOMES = (CRISIS, EMERGENCY_NOW, WITHDRAWAL)


def risks_in(outcomes: Sequence[str]) -> list[str]:
    """The risk outcomes among OUTCOMES (a shared summary), most urgent first."""
    return [code for code in RISK_OUTCOMES if code in outcomes]


def parse_summary(code: str) -> list[str]:
    """The outcome codes in a summary sent back by the browser; anything
    unknown is refused (empty list), so only our own codes reach a note."""
    parts = code.split("+") if code else []
    if not parts or len(parts) > len(OUTCOMES) or any(p not in OUTCOMES for p in parts):
        return []
    return parts
