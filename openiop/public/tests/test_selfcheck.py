# SPDX-License-Identifier: AGPL-3.0-or-later
"""The self-check's rules (plain tests)."""

from __future__ import annotations

import pytest

from openiop.public import selfcheck
from openiop.public.selfcheck import NO, UNSURE, YES

SAFE = {selfcheck.SUICIDE: NO, selfcheck.EMERGENCY: NO, selfcheck.SEIZURES: NO, selfcheck.WITHDRAWAL_SIGNS: NO}
IDEAL = {
    **SAFE,
    selfcheck.SUPPORT: YES,
    selfcheck.STABLE_HOME: YES,
    selfcheck.PREVIOUS_IOP: NO,
    selfcheck.GROUPS: YES,
    selfcheck.SCHEDULE: YES,
}


def test_someone_with_every_fit_factor_and_no_risk_is_a_good_fit() -> None:
    result = selfcheck.evaluate(IDEAL)
    assert result.outcome == selfcheck.GOOD_FIT
    assert not result.at_risk
    assert not result.suggests_higher_level
    assert result.concerns == []


def test_thoughts_of_suicide_lead_with_988_whatever_else_was_answered() -> None:
    result = selfcheck.evaluate({**IDEAL, selfcheck.SUICIDE: YES})
    assert result.outcome == selfcheck.CRISIS
    assert result.crisis and result.at_risk and result.suggests_higher_level


@pytest.mark.parametrize("answer", [YES, UNSURE])
def test_a_medical_emergency_or_not_being_sure_of_one_means_911(answer: str) -> None:
    result = selfcheck.evaluate({**IDEAL, selfcheck.EMERGENCY: answer})
    assert result.outcome == selfcheck.EMERGENCY_NOW
    assert result.emergency


@pytest.mark.parametrize("question", [selfcheck.SEIZURES, selfcheck.WITHDRAWAL_SIGNS])
@pytest.mark.parametrize("answer", [YES, UNSURE])
def test_seizure_history_or_withdrawal_signs_suggest_a_higher_level_of_care(question: str, answer: str) -> None:
    result = selfcheck.evaluate({**IDEAL, question: answer})
    assert result.outcome == selfcheck.WITHDRAWAL
    assert result.withdrawal_risk and result.suggests_higher_level
    assert not result.crisis


def test_several_risks_keep_every_flag_and_the_most_urgent_outcome() -> None:
    result = selfcheck.evaluate({**IDEAL, selfcheck.SUICIDE: YES, selfcheck.SEIZURES: YES})
    assert result.outcome == selfcheck.CRISIS
    assert result.crisis and result.withdrawal_risk
    assert result.summary_code() == "crisis+withdrawal"
    assert selfcheck.parse_summary(result.summary_code()) == ["crisis", "withdrawal"]


def test_fewer_fit_factors_move_the_outcome_towards_more_structure() -> None:
    two_concerns = {**IDEAL, selfcheck.SUPPORT: NO, selfcheck.PREVIOUS_IOP: YES}
    result = selfcheck.evaluate(two_concerns)
    assert result.outcome == selfcheck.POSSIBLE_FIT
    assert result.concerns == [selfcheck.SUPPORT, selfcheck.PREVIOUS_IOP]
    four_concerns = {**two_concerns, selfcheck.STABLE_HOME: NO, selfcheck.GROUPS: NO}
    result = selfcheck.evaluate(four_concerns)
    assert result.outcome == selfcheck.MORE_STRUCTURE
    assert result.suggests_higher_level


def test_not_sure_on_a_fit_factor_is_neither_for_nor_against() -> None:
    result = selfcheck.evaluate({**IDEAL, selfcheck.GROUPS: UNSURE})
    assert result.outcome == selfcheck.GOOD_FIT  # 4 of 5
    assert result.unsure == [selfcheck.GROUPS]
    assert result.concerns == []


def test_every_question_must_be_answered() -> None:
    partial = dict(IDEAL)
    del partial[selfcheck.SEIZURES]
    with pytest.raises(selfcheck.IncompleteAnswers) as caught:
        selfcheck.evaluate({**partial, selfcheck.GROUPS: "maybe"})
    assert caught.value.missing == [selfcheck.SEIZURES, selfcheck.GROUPS]


@pytest.mark.parametrize("code", ["", "crisis+<script>", "good_fit+good_fit+good_fit+good_fit+x+y+z", "free text"])
def test_only_our_own_outcome_codes_come_back_from_the_browser(code: str) -> None:
    assert selfcheck.parse_summary(code) == []
