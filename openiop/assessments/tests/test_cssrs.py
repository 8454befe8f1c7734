# SPDX-License-Identifier: AGPL-3.0-or-later
"""The C-SSRS screener: its skip logic and its triage over every answer
pattern the form can produce, and the alerts each level raises. No database.

The expected triage is written out here from DOMAIN.md ("Suicide risk
follow-up"), independently of the rules in the definition, so a slip in
either shows."""

from __future__ import annotations

import pytest

from openiop.assessments import safety
from openiop.assessments.instruments import (
    CSSRS,
    SUICIDE_RISK_HIGH,
    SUICIDE_RISK_LOW,
    SUICIDE_RISK_MODERATE,
    Response,
)
from openiop.assessments.scoring import every_response, score

KEYS = [item.key for item in CSSRS.items]
ALL_RESPONSES = list(every_response(CSSRS))


def domain_triage(response: list[Response]) -> str:
    said = dict(zip(KEYS, response, strict=True))
    if said["4"] or said["5"] or (said["6"] and said["6b"]):
        return "high risk"
    if said["3"] or said["6"]:
        return "moderate risk"
    if said["1"] or said["2"]:
        return "low risk"
    return "no risk identified"


def _id(response: list[Response]) -> str:
    return "".join({True: "Y", False: "N", None: "-"}[value] for value in response)  # type: ignore[index]


def test_the_form_can_produce_54_responses_each_respecting_the_skips() -> None:
    # Items 1, 2 and 6 are always asked; 3-5 only after a yes to 2; 6b only after a yes to 6.
    assert len(ALL_RESPONSES) == 2 * (2**3 + 1) * 3
    for response in ALL_RESPONSES:
        said = dict(zip(KEYS, response, strict=True))
        assert None not in (said["1"], said["2"], said["6"])
        assert (said["3"] is None) == (said["4"] is None) == (said["5"] is None) == (said["2"] is False)
        assert (said["6b"] is None) == (said["6"] is False)


@pytest.mark.parametrize("response", ALL_RESPONSES, ids=[_id(r) for r in ALL_RESPONSES])
def test_every_response_is_triaged_as_the_domain_brief_says(response: list[Response]) -> None:
    result = score("C-SSRS", response)

    expected = domain_triage(response)
    assert result.band == expected
    assert result.total == ["no risk identified", "low risk", "moderate risk", "high risk"].index(expected)
    level_flag = {"low risk": SUICIDE_RISK_LOW, "moderate risk": SUICIDE_RISK_MODERATE, "high risk": SUICIDE_RISK_HIGH}
    assert result.flags == ([level_flag[expected]] if expected in level_flag else [])


def test_yes_to_1_or_2_only_is_low_risk() -> None:
    assert score("C-SSRS", [True, False, None, None, None, False, None]).band == "low risk"
    assert score("C-SSRS", [False, True, False, False, False, False, None]).band == "low risk"
    assert score("C-SSRS", [True, True, False, False, False, False, None]).band == "low risk"


def test_a_method_is_moderate_and_intent_or_a_plan_is_high() -> None:
    assert score("C-SSRS", [True, True, True, False, False, False, None]).band == "moderate risk"
    assert score("C-SSRS", [True, True, True, True, False, False, None]).band == "high risk"
    assert score("C-SSRS", [True, True, False, False, True, False, None]).band == "high risk"


def test_behaviour_within_3_months_is_high_and_longer_ago_moderate_even_without_thoughts() -> None:
    assert score("C-SSRS", [False, False, None, None, None, True, True]).band == "high risk"
    assert score("C-SSRS", [False, False, None, None, None, True, False]).band == "moderate risk"


def test_no_to_everything_is_no_risk_identified() -> None:
    result = score("C-SSRS", [False, False, None, None, None, False, None])

    assert (result.total, result.band, result.flags) == (0, "no risk identified", [])


def test_an_answer_to_a_question_that_is_skipped_after_no_to_2_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^C-SSRS item 4: not asked when item 2 is no"):
        score("C-SSRS", [True, False, None, True, None, False, None])
    with pytest.raises(ValueError, match=r"^C-SSRS item 3: not asked when item 2 is no"):
        score("C-SSRS", [True, False, False, False, False, False, None])


def test_questions_3_to_5_must_be_answered_after_yes_to_2() -> None:
    with pytest.raises(ValueError, match=r"^C-SSRS item 3: None is not an allowed answer"):
        score("C-SSRS", [True, True, None, None, None, False, None])


def test_6b_is_asked_only_after_yes_to_6() -> None:
    with pytest.raises(ValueError, match=r"^C-SSRS item 6b: None is not an allowed answer"):
        score("C-SSRS", [False, False, None, None, None, True, None])
    with pytest.raises(ValueError, match=r"^C-SSRS item 6b: not asked when item 6 is no"):
        score("C-SSRS", [False, False, None, None, None, False, True])


def test_no_other_instrument_takes_a_missing_answer() -> None:
    with pytest.raises(ValueError, match=r"^PHQ-9 item 9: None is not an allowed answer"):
        score("PHQ-9", [0] * 8 + [None])


# --- The safety rule ---------------------------------------------------------------------------------------------


def kinds_for(response: list[Response]) -> list[str]:
    result = score("C-SSRS", response)
    found = safety.concerns(code="C-SSRS", total=result.total, band=result.band, flags=result.flags, thresholds={})
    return [concern.kind for concern in found]


@pytest.mark.parametrize("response", ALL_RESPONSES, ids=[_id(r) for r in ALL_RESPONSES])
def test_every_response_raises_exactly_the_alert_of_its_triage_level(response: list[Response]) -> None:
    expected = {
        "no risk identified": [],
        "low risk": [safety.KIND_SUICIDAL_IDEATION],
        "moderate risk": [safety.KIND_SUICIDE_RISK_MODERATE],
        "high risk": [safety.KIND_SUICIDE_RISK_HIGH],
    }[domain_triage(response)]

    assert kinds_for(response) == expected
