# SPDX-License-Identifier: AGPL-3.0-or-later
"""Level-of-care decision support: recommendations and their reasons for typical
and edge cases, the withdrawal safety invariant (also as a property over all
ratings), rule-set validation, and ratings suggested by instrument results.
No database."""

from __future__ import annotations

import copy
import datetime
import itertools
import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.assessments import placement
from openiop.assessments.placement import (
    DIMENSIONS,
    FIT_FACTORS,
    LEVELS,
    InstrumentResultInput,
    Recommendation,
    RuleSet,
    RuleSetError,
    available_versions,
    load_rule_set,
    parse_rule_set,
    recommend,
    strongest_suggestions,
    suggest_ratings,
)
from openiop.assessments.scoring import score

V1 = placement.RULES_DIR / "placement-v1.json"
DAY = datetime.date(2026, 11, 20)

# --- Helpers ---------------------------------------------------------------------------------------------------------

GOOD_FIT: dict[str, bool | None] = {factor.code: factor.favours_iop_when for factor in FIT_FACTORS}
# Mostly 1-2: moderate mood and relapse risk, everything else low. The textbook IOP candidate.
TYPICAL_IOP = {1: 1, 2: 1, 3: 2, 4: 1, 5: 2, 6: 1}


def ratings(*values: int) -> dict[int, int]:
    assert len(values) == 6
    return dict(zip(range(1, 7), values, strict=True))


def fit(**answers: bool | None) -> dict[str, bool | None]:
    return {**GOOD_FIT, **answers}


def rule_ids(recommendation: Recommendation) -> list[str]:
    return [reason.rule_id for reason in recommendation.reasons]


def reason(recommendation: Recommendation, rule_id: str) -> placement.Reason:
    return next(reason for reason in recommendation.reasons if reason.rule_id == rule_id)


def v1_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(V1.read_text(encoding="utf-8"))
    return data


def edited_rule_set(edit: Any) -> RuleSet:
    """Parse a copy of the v1 data after ``edit(data)`` changed it."""
    data = copy.deepcopy(v1_data())
    edit(data)
    return parse_rule_set(data, source="test.json")


def rule_data(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(rule for rule in data["rules"] if rule["id"] == rule_id)
    return found


def rank(code: str) -> int:
    return [level.code for level in LEVELS].index(code)


def result(code: str, total: int, band: str, *flags: str, on: datetime.date = DAY, **subscales: int) -> Any:
    return InstrumentResultInput(code, total, band, flags, subscales, on)


# --- Vocabulary ------------------------------------------------------------------------------------------------------


def test_there_are_the_six_asam_dimensions_with_guidance_for_each_rating() -> None:
    assert [(d.number, d.name) for d in DIMENSIONS] == [
        (1, "Acute intoxication and/or withdrawal potential"),
        (2, "Biomedical conditions and complications"),
        (3, "Emotional, behavioral or cognitive conditions"),
        (4, "Readiness to change"),
        (5, "Relapse, continued use or continued problem potential"),
        (6, "Recovery/living environment"),
    ]
    for dimension in DIMENSIONS:
        assert len(dimension.guidance) == 5
        assert len(set(dimension.guidance)) == 5
        assert all(text.strip() for text in dimension.guidance)


def test_levels_are_data_in_order_of_intensity_with_their_withdrawal_management_names() -> None:
    assert [level.code for level in LEVELS] == ["0.5", "1", "2.1", "2.5", "3.1", "3.3", "3.5", "3.7", "4"]
    assert {level.edition for level in LEVELS} == {"ASAM 3rd ed. (2013)"}
    assert LEVELS[0].name == "Early intervention"
    assert LEVELS[2].name == "Intensive outpatient services"
    assert "9 or more hours a week" in LEVELS[2].hours_hint
    assert "adolescents 6 or more" in LEVELS[2].hours_hint
    assert [level.withdrawal_management_label for level in LEVELS] == [
        "1-WM",
        "1-WM",
        "2-WM",
        "2-WM",
        "3.2-WM",
        "3.2-WM",
        "3.2-WM",
        "3.7-WM",
        "4-WM",
    ]


def test_fit_factors_ask_every_good_fit_question_from_the_domain_brief() -> None:
    assert [factor.code for factor in FIT_FACTORS] == [
        "strong_support",
        "stable_home",
        "previous_iop",
        "low_relapse_risk_at_home",
        "comfortable_in_groups",
        "no_severe_withdrawal_risk",
        "schedule_around_work_school",
    ]
    assert all(factor.question.endswith("?") for factor in FIT_FACTORS)
    # "Not previously engaged in IOP" is the one factor where "no" favours IOP.
    assert [factor.code for factor in FIT_FACTORS if not factor.favours_iop_when] == ["previous_iop"]


# --- Typical recommendations -----------------------------------------------------------------------------------------


def test_all_zeros_with_a_good_fit_recommends_outpatient_with_its_reason() -> None:
    recommendation = recommend(ratings(0, 0, 0, 0, 0, 0), GOOD_FIT)

    assert (recommendation.level, recommendation.withdrawal_management) == ("1", False)
    assert recommendation.level_name == "Outpatient services"
    assert rule_ids(recommendation) == ["LOW-ALL"]
    assert recommendation.reasons[0].text == (
        "Every dimension is rated 0 or 1: outpatient services (level 1) are enough."
    )
    assert recommendation.reasons[0].effect == "at most 1"
    assert recommendation.reasons[0].decisive


def test_a_typical_iop_candidate_is_recommended_iop_with_every_reason() -> None:
    recommendation = recommend(TYPICAL_IOP, GOOD_FIT)

    assert recommendation.level == "2.1"
    assert recommendation.withdrawal_management is False
    assert recommendation.withdrawal_management_label == ""
    assert rule_ids(recommendation) == ["MODERATE-RISK", "WD-MILD", "FIT-SCHEDULE", "FIT-ALL-FAVOUR"]
    moderate = recommendation.reasons[0]
    assert moderate.text.startswith(
        "Dimensions 3 (Emotional/behavioral/cognitive) and 5 (Relapse potential) rated 2: the person needs more "
        "structure"
    )
    assert (moderate.effect, moderate.decisive) == ("at least 2.1", True)
    assert [reason.effect for reason in recommendation.reasons[1:]] == ["note", "IOP fit", "IOP fit"]
    assert recommendation.rule_set == "openiop-placement v1 (2026-11)"
    assert recommendation.rule_set_version == "1"


def test_moderate_ratings_only_in_biomedical_and_readiness_stay_outpatient_with_notes() -> None:
    recommendation = recommend(ratings(0, 2, 1, 2, 1, 0), GOOD_FIT)

    assert recommendation.level == "1"
    # No rule set a level, so the default says why level 1; the notes still come with it.
    assert rule_ids(recommendation) == ["default", "READINESS-LOW", "BIO-MODERATE"]
    assert recommendation.reasons[0].effect == "level 1"


# --- Withdrawal ------------------------------------------------------------------------------------------------------


def test_severe_withdrawal_risk_needs_monitored_withdrawal_management_not_iop() -> None:
    recommendation = recommend({**TYPICAL_IOP, 1: 3}, GOOD_FIT)

    assert (recommendation.level, recommendation.withdrawal_management) == ("3.7", True)
    assert recommendation.withdrawal_management_label == "3.7-WM"
    assert rule_ids(recommendation) == ["WD-SEVERE", "MODERATE-RISK"]
    first = recommendation.reasons[0]
    assert first.text.startswith("Dimension 1 is rated 3: a risk of severe withdrawal needs 24-hour")
    assert (first.effect, first.decisive) == ("at least 3.7; withdrawal management", True)
    # The IOP-fit rules stay silent: IOP is not on the table.
    assert recommendation.base_level == "3.7"


def test_dangerous_withdrawal_now_needs_hospital_withdrawal_management() -> None:
    recommendation = recommend(ratings(4, 0, 0, 0, 0, 0), GOOD_FIT)

    assert (recommendation.level, recommendation.withdrawal_management_label) == ("4", "4-WM")
    assert rule_ids(recommendation) == ["WD-LIFE-THREAT", "WD-SEVERE"]
    assert [reason.decisive for reason in recommendation.reasons] == [True, False]


def test_moderate_withdrawal_adds_ambulatory_withdrawal_management_alongside_iop() -> None:
    recommendation = recommend(ratings(2, 1, 1, 1, 1, 1), GOOD_FIT)

    assert (recommendation.level, recommendation.withdrawal_management) == ("2.1", True)
    assert recommendation.withdrawal_management_label == "2-WM"
    assert reason(recommendation, "WD-MODERATE").effect == "at least 2.1; withdrawal management"


def test_a_fit_answer_reporting_severe_withdrawal_risk_wins_over_a_low_dimension_1() -> None:
    recommendation = recommend(TYPICAL_IOP, fit(no_severe_withdrawal_risk=False))

    assert (recommendation.level, recommendation.withdrawal_management) == ("3.7", True)
    assert rule_ids(recommendation)[0] == "WD-REPORTED-SEVERE"


# --- Other dimensions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dimension", "level", "rule_id"),
    [
        (2, "4", "BIO-ACUTE"),
        (3, "4", "PSY-ACUTE"),
        (4, "3.5", "CRISIS-4-5-6"),
        (5, "3.5", "CRISIS-4-5-6"),
        (6, "3.5", "CRISIS-4-5-6"),
    ],
)
def test_a_dimension_rated_4_needs_24_hour_care(dimension: int, level: str, rule_id: str) -> None:
    recommendation = recommend({**ratings(0, 0, 0, 0, 0, 0), dimension: 4}, GOOD_FIT)

    assert recommendation.level == level
    assert recommendation.withdrawal_management is False
    assert recommendation.reasons[0].rule_id == rule_id
    assert recommendation.reasons[0].decisive


def test_danger_to_self_points_to_crisis_lines() -> None:
    recommendation = recommend(ratings(0, 0, 4, 0, 0, 0), GOOD_FIT)

    assert "988 or 911" in recommendation.reasons[0].text


def test_crisis_reason_names_every_dimension_at_4() -> None:
    recommendation = recommend(ratings(0, 0, 0, 4, 1, 4), GOOD_FIT)

    assert recommendation.reasons[0].text.startswith(
        "Dimensions 4 (Readiness) and 6 (Recovery environment) rated 4: readiness, relapse or living-environment"
    )


@pytest.mark.parametrize(
    ("values", "level", "rule_id"),
    [
        ((0, 3, 0, 0, 0, 0), "3.7", "BIO-SEVERE"),
        ((0, 0, 0, 0, 3, 3), "3.5", "RELAPSE-AND-ENV-HIGH"),
        ((0, 0, 0, 0, 1, 3), "3.1", "ENV-HIGH"),
        ((0, 0, 3, 0, 1, 1), "2.5", "PSY-SEVERE"),
        ((0, 0, 1, 0, 3, 1), "2.5", "RELAPSE-HIGH"),
        ((0, 0, 0, 0, 0, 2), "2.1", "MODERATE-RISK"),
    ],
)
def test_high_ratings_set_the_documented_minimum(values: tuple[int, ...], level: str, rule_id: str) -> None:
    recommendation = recommend(ratings(*values), GOOD_FIT)

    assert recommendation.level == level
    assert reason(recommendation, rule_id).decisive


def test_the_level_is_the_highest_minimum_and_every_other_rule_still_gives_its_reason() -> None:
    recommendation = recommend(ratings(2, 3, 3, 2, 3, 2), GOOD_FIT)

    assert recommendation.level == "3.7"
    assert rule_ids(recommendation) == [
        "BIO-SEVERE",
        "PSY-SEVERE",
        "RELAPSE-HIGH",
        "WD-MODERATE",
        "MODERATE-RISK",
        "READINESS-LOW",
    ]
    assert [reason.rule_id for reason in recommendation.reasons if reason.decisive] == ["BIO-SEVERE"]
    assert recommendation.withdrawal_management_label == "3.7-WM"


# --- IOP fit ---------------------------------------------------------------------------------------------------------


def test_two_answers_against_going_home_raise_iop_to_partial_hospitalization() -> None:
    recommendation = recommend(TYPICAL_IOP, fit(strong_support=False, low_relapse_risk_at_home=False))

    assert (recommendation.base_level, recommendation.level) == ("2.1", "2.5")
    home = reason(recommendation, "FIT-HOME-BASE")
    assert "no strong support system and higher relapse risk at home" in home.text
    assert (home.effect, home.decisive) == ("at least 2.5", True)
    assert reason(recommendation, "FIT-NO-SUPPORT").effect == "IOP fit caution"
    assert reason(recommendation, "FIT-HOME-RISK").effect == "IOP fit caution"


@pytest.mark.parametrize(
    ("answers", "rule_id"),
    [
        ({"strong_support": False}, "FIT-NO-SUPPORT"),
        ({"stable_home": False}, "FIT-NO-HOME"),
        ({"low_relapse_risk_at_home": False}, "FIT-HOME-RISK"),
        ({"previous_iop": True}, "FIT-PREVIOUS-IOP"),
        ({"comfortable_in_groups": False}, "FIT-GROUPS"),
    ],
)
def test_one_answer_against_iop_adds_a_caution_but_keeps_iop(answers: dict[str, bool], rule_id: str) -> None:
    recommendation = recommend(TYPICAL_IOP, fit(**answers))

    assert recommendation.level == "2.1"
    assert reason(recommendation, rule_id).effect == "IOP fit caution"
    assert "FIT-ALL-FAVOUR" not in rule_ids(recommendation)


def test_not_needing_a_work_schedule_just_drops_that_supporting_reason() -> None:
    recommendation = recommend(TYPICAL_IOP, fit(schedule_around_work_school=False))

    assert recommendation.level == "2.1"
    assert rule_ids(recommendation) == ["MODERATE-RISK", "WD-MILD"]


def test_unasked_fit_questions_are_listed_as_a_caution() -> None:
    answers = fit(previous_iop=None, comfortable_in_groups=None)
    del answers["stable_home"]  # absent counts as not asked

    recommendation = recommend(TYPICAL_IOP, answers)

    assert recommendation.level == "2.1"
    assert reason(recommendation, "FIT-UNANSWERED").text == (
        "IOP fit not fully checked; still to ask: stable home, not previously in IOP and comfortable in groups."
    )


@pytest.mark.parametrize("values", [(0, 0, 0, 0, 0, 0), (0, 0, 0, 4, 0, 0)])
def test_fit_rules_only_speak_when_the_base_level_is_iop(values: tuple[int, ...]) -> None:
    poor_fit = {code: not favours for code, favours in GOOD_FIT.items() if code != "no_severe_withdrawal_risk"}

    recommendation = recommend(ratings(*values), poor_fit)

    assert not [rule_id for rule_id in rule_ids(recommendation) if rule_id.startswith("FIT-")]


# --- Adolescents -----------------------------------------------------------------------------------------------------


def test_an_adolescent_iop_candidate_gets_iop_and_the_adolescent_hours_note() -> None:
    recommendation = recommend(TYPICAL_IOP, GOOD_FIT, adolescent=True)

    assert recommendation.level == "2.1"
    assert "6 or more hours a week" in reason(recommendation, "ADOL-HOURS").text


def test_an_adolescent_without_strong_support_is_stepped_up_where_an_adult_is_not() -> None:
    answers = fit(strong_support=False)

    adult = recommend(TYPICAL_IOP, answers)
    adolescent = recommend(TYPICAL_IOP, answers, adolescent=True)

    assert (adult.level, adolescent.level) == ("2.1", "2.5")
    assert "FIT-ADOL-SUPPORT" not in rule_ids(adult)
    assert reason(adolescent, "FIT-ADOL-SUPPORT").decisive


# --- Bad input -------------------------------------------------------------------------------------------------------


def test_a_missing_dimension_is_refused_by_name() -> None:
    incomplete = {1: 0, 2: 0, 3: 0, 5: 0, 6: 0}

    with pytest.raises(ValueError, match=r"Dimension 4 \(Readiness to change\) has no rating"):
        recommend(incomplete, GOOD_FIT)


@pytest.mark.parametrize("bad", [5, -1, True, "2", 2.0, None])
def test_a_rating_outside_0_to_4_is_refused(bad: object) -> None:
    message = rf"Dimension 2 \(Biomedical conditions and complications\): rating {re.escape(repr(bad))} is not 0-4"
    with pytest.raises(ValueError, match=message):
        recommend({**TYPICAL_IOP, 2: bad}, GOOD_FIT)  # type: ignore[dict-item]


def test_an_unknown_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown dimension 7; dimensions are 1-6"):
        recommend({**TYPICAL_IOP, 7: 0}, GOOD_FIT)


def test_an_unknown_fit_code_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="Unknown IOP-fit factor 'likes_pets'"):
        recommend(TYPICAL_IOP, {**GOOD_FIT, "likes_pets": True})


def test_a_fit_answer_that_is_not_yes_no_or_unknown_is_refused() -> None:
    with pytest.raises(ValueError, match="IOP-fit factor 'stable_home': answer 'yes' is not yes"):
        recommend(TYPICAL_IOP, {"stable_home": "yes"})  # type: ignore[dict-item]


# --- The safety invariant --------------------------------------------------------------------------------------------

rating_values = st.integers(min_value=0, max_value=4)
fit_answers = st.fixed_dictionaries({factor.code: st.sampled_from([True, False, None]) for factor in FIT_FACTORS})


@settings(max_examples=100, deadline=None)
@given(
    d1=st.integers(min_value=3, max_value=4),
    others=st.tuples(*[rating_values] * 5),
    answers=fit_answers,
    adolescent=st.booleans(),
)
def test_severe_withdrawal_risk_never_yields_iop_or_less_and_always_withdrawal_management(
    d1: int, others: tuple[int, ...], answers: Mapping[str, bool | None], adolescent: bool
) -> None:
    recommendation = recommend(ratings(d1, *others), answers, adolescent=adolescent)

    assert rank(recommendation.level) > rank("2.1")
    assert recommendation.withdrawal_management
    assert "WD-SEVERE" in rule_ids(recommendation)


def test_severe_withdrawal_invariant_holds_at_every_extreme_of_the_other_dimensions() -> None:
    poor_fit: dict[str, bool | None] = {code: not favours for code, favours in GOOD_FIT.items()}
    for d1, others, answers in itertools.product((3, 4), itertools.product((0, 4), repeat=5), (GOOD_FIT, poor_fit)):
        recommendation = recommend(ratings(d1, *others), answers)
        assert rank(recommendation.level) >= rank("3.7"), (d1, others)
        assert recommendation.withdrawal_management


@settings(max_examples=100, deadline=None)
@given(values=st.tuples(*[rating_values] * 6), answers=fit_answers, adolescent=st.booleans())
def test_every_recommendation_is_the_highest_minimum_among_its_reasons(
    values: tuple[int, ...], answers: Mapping[str, bool | None], adolescent: bool
) -> None:
    rule_set = load_rule_set()
    recommendation = recommend(ratings(*values), answers, adolescent=adolescent)

    minimums = [rule_set.rule(r.rule_id).min_level for r in recommendation.reasons if r.rule_id != "default"]
    expected = max((rank(code) for code in minimums if code), default=rank("1"))
    assert rank(recommendation.level) == expected
    assert recommendation.reasons, "every recommendation explains itself"
    assert any(r.decisive for r in recommendation.reasons)
    assert recommendation == recommend(ratings(*values), answers, adolescent=adolescent)


# --- Loading and validating rule sets --------------------------------------------------------------------------------


def test_version_1_stays_loadable_by_number_and_is_the_newest_today() -> None:
    assert "1" in available_versions()
    assert load_rule_set("1") is load_rule_set("1")
    assert load_rule_set().version == available_versions()[-1]
    assert load_rule_set("1").label == "openiop-placement v1 (2026-11)"
    assert "not the licensed ASAM decision rules" in load_rule_set("1").basis


def test_an_unknown_version_is_refused_with_the_available_ones() -> None:
    with pytest.raises(ValueError, match=r"No placement rule set version '9'; available: 1"):
        load_rule_set("9")


@pytest.mark.parametrize("version", available_versions())
def test_every_shipped_rule_set_loads_and_parses_to_the_same_thing(version: str) -> None:
    path = placement.RULES_DIR / f"placement-v{version}.json"
    data = json.loads(path.read_text(encoding="utf-8"))

    assert parse_rule_set(data, source=path.name) == load_rule_set(version)


def test_the_readme_documents_every_rule_of_the_newest_rule_set() -> None:
    readme = (placement.RULES_DIR / "README.md").read_text(encoding="utf-8")
    rule_set = load_rule_set()

    ids = [rule.id for rule in rule_set.rules] + [rule.id for rule in rule_set.suggestions]
    missing = [rule_id for rule_id in ids if f"`{rule_id}`" not in readme]
    assert not missing


def test_a_rule_set_can_be_used_explicitly() -> None:
    # A variant where readiness at 3 calls for IOP: same engine, different data.
    def edit(data: dict[str, Any]) -> None:
        rule_data(data, "READINESS-LOW")["then"] = {"min_level": "2.1"}

    variant = edited_rule_set(edit)

    assert recommend(ratings(0, 0, 0, 3, 0, 0), GOOD_FIT).level == "1"
    assert recommend(ratings(0, 0, 0, 3, 0, 0), GOOD_FIT, rule_set=variant).level == "2.1"


def test_a_maximum_never_lowers_a_minimum_and_says_so() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["rules"].append(
            {"id": "CAP", "when": [{"dimension": 3, "at_least": 2}], "then": {"max_level": "1"}, "reason": "Cap."}
        )

    recommendation = recommend(TYPICAL_IOP, GOOD_FIT, rule_set=edited_rule_set(edit))

    assert recommendation.level == "2.1"
    assert reason(recommendation, "CAP").effect == "at most 1 (a higher minimum applies)"
    assert not reason(recommendation, "CAP").decisive


def _set_rule(rule_id: str, key: str, value: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        rule_data(data, rule_id)[key] = value

    return edit


def _drop_rule(rule_id: str) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["rules"] = [rule for rule in data["rules"] if rule["id"] != rule_id]

    return edit


MALFORMED = [
    (
        _set_rule("ENV-HIGH", "then", {"min_level": "3.8"}),
        r"test.json rule ENV-HIGH: unknown level '3.8' in min_level \(known: 0.5, 1, 2.1, 2.5, 3.1, 3.3, 3.5, 3.7, 4\)",
    ),
    (
        _set_rule("ENV-HIGH", "when", [{"dimension": 7, "at_least": 3}]),
        r"test.json rule ENV-HIGH: unknown dimension 7 \(dimensions are 1-6\)",
    ),
    (
        _set_rule("ENV-HIGH", "when", [{"dimension": 6, "at_least": 5}]),
        r"test.json rule ENV-HIGH: at_least must be a whole number from 0 to 4, not 5",
    ),
    (
        _set_rule("ENV-HIGH", "when", [{"dimension": 6}]),
        r"test.json rule ENV-HIGH: a condition needs at_least, at_most or both",
    ),
    (
        _set_rule("ENV-HIGH", "when", [{"dimension": 6, "at_least": 3, "at_most": 2}]),
        r"test.json rule ENV-HIGH: at_least 3 is above at_most 2",
    ),
    (
        _set_rule("ENV-HIGH", "when", [{"dimension": 6, "above": 3}]),
        r"test.json rule ENV-HIGH: unknown key 'above'",
    ),
    (
        _set_rule("ENV-HIGH", "when", [{"weather": "rain"}]),
        r"test.json rule ENV-HIGH: each condition needs exactly one of dimension, dimensions, fit, adolescent",
    ),
    (
        _set_rule("FIT-GROUPS", "when", [{"fit": "likes_pets", "answer": "against"}]),
        r"test.json rule FIT-GROUPS: unknown fit factor 'likes_pets'",
    ),
    (
        _set_rule("FIT-GROUPS", "when", [{"fit": "stable_home", "answer": "no"}]),
        r"test.json rule FIT-GROUPS: answer must be one of for, against, unanswered, not 'no'",
    ),
    (
        _set_rule("FIT-GROUPS", "when", [{"base_level": ["2.2"]}]),
        r"test.json rule FIT-GROUPS: unknown level '2.2' in base_level",
    ),
    (
        _set_rule("ENV-HIGH", "then", {"withdrawal_management": False}),
        r"test.json rule ENV-HIGH: 'then' has no effect",
    ),
    (
        _set_rule("ENV-HIGH", "then", {"min_level": "3.5", "max_level": "2.1"}),
        r"test.json rule ENV-HIGH: min_level 3.5 is above max_level 2.1",
    ),
    (
        _set_rule("ENV-HIGH", "then", {"note": "maybe"}),
        r"test.json rule ENV-HIGH: note must be one of caution, supports, info, not 'maybe'",
    ),
    (
        _set_rule("ENV-HIGH", "reason", "Rated {d7}."),
        r"test.json rule ENV-HIGH: unknown placeholder \{d7\} in reason",
    ),
    (
        _set_rule("ENV-HIGH", "reason", "Rated {factors}."),  # no fit condition to fill it
        r"test.json rule ENV-HIGH: unknown placeholder \{factors\} in reason",
    ),
    (
        _set_rule("ENV-HIGH", "reason", "Rated {d6.__class__}."),
        r"test.json rule ENV-HIGH: unknown placeholder",
    ),
    (
        _set_rule("ENV-HIGH", "reason", "Rated {d6"),
        r"test.json rule ENV-HIGH: malformed reason template",
    ),
    (
        _set_rule("ENV-HIGH", "reason", ""),
        r"test.json rule ENV-HIGH: reason must be a non-empty string",
    ),
    (
        _set_rule("ENV-HIGH", "id", "BIO-SEVERE"),
        r"test.json rule BIO-SEVERE: duplicate id",
    ),
    (
        _set_rule("ENV-HIGH", "id", "has spaces"),
        r"test.json rule #9: id must be letters, digits",
    ),
    (
        _drop_rule("WD-SEVERE"),
        r"test.json: no withdrawal safety rule",
    ),
    (
        _set_rule("WD-SEVERE", "then", {"min_level": "2.1", "withdrawal_management": True}),
        r"test.json: no withdrawal safety rule",
    ),
    (
        _set_rule("WD-SEVERE", "when", [{"dimension": 1, "at_least": 3}, {"adolescent": False}]),
        r"test.json: no withdrawal safety rule",
    ),
    (
        lambda data: data.update(format=2),
        r"test.json: format 2 is not supported",
    ),
    (
        lambda data: data.update(colour="blue"),
        r"test.json: unknown key 'colour'",
    ),
    (
        lambda data: data.update(default_level="0.7"),
        r"test.json: unknown level '0.7' in default_level",
    ),
    (
        lambda data: data["levels"].append(dict(data["levels"][0])),
        r"test.json level #10: duplicate level code '0.5'",
    ),
    (
        lambda data: data["suggestions"][0].update(instrument="MMSE"),
        r"test.json suggestion S-CIWA-SEVERE: unknown instrument 'MMSE'",
    ),
    (
        lambda data: data["suggestions"][0].update(when=[{"band": "very severe"}]),
        r"test.json suggestion S-CIWA-SEVERE: CIWA-Ar has no band 'very severe'",
    ),
    (
        lambda data: data["suggestions"][0].update(when=[{"flag": "suicidal_ideation"}]),
        r"test.json suggestion S-CIWA-SEVERE: CIWA-Ar raises no flag 'suicidal_ideation'",
    ),
    (
        lambda data: data["suggestions"][0].update(when=[{"score": "protective", "at_most": 4}]),
        r"test.json suggestion S-CIWA-SEVERE: CIWA-Ar has no score 'protective'",
    ),
    (
        lambda data: data["suggestions"][0].update(rating=5),
        r"test.json suggestion S-CIWA-SEVERE: rating must be a whole number from 0 to 4, not 5",
    ),
    (
        lambda data: data["suggestions"][0].update(reason="{code} {value}"),  # no score condition to fill it
        r"test.json suggestion S-CIWA-SEVERE: unknown placeholder \{value\}",
    ),
]


@pytest.mark.parametrize(("edit", "message"), MALFORMED, ids=[message[:60] for _, message in MALFORMED])
def test_malformed_rule_sets_are_refused_with_a_message_naming_the_rule(edit: Any, message: str) -> None:
    with pytest.raises(RuleSetError, match=message):
        edited_rule_set(edit)


def test_a_rule_set_error_is_a_value_error() -> None:
    assert issubclass(RuleSetError, ValueError)


# --- Suggested ratings -----------------------------------------------------------------------------------------------


def test_a_severe_ciwa_ar_suggests_dimension_1_at_3_or_above_and_says_why() -> None:
    (suggestion,) = suggest_ratings([result("CIWA-Ar", 22, "severe", "severe_withdrawal")])

    assert (suggestion.dimension, suggestion.rating, suggestion.source) == (1, 3, "CIWA-Ar")
    assert suggestion.reason.startswith("CIWA-Ar 22 (severe) on 2026-11-20 suggests dimension 1 at 3 or above")
    assert (suggestion.rule_id, suggestion.taken_on) == ("S-CIWA-SEVERE", DAY)


@pytest.mark.parametrize(
    ("item", "rating"),
    [
        (result("CIWA-Ar", 12, "moderate"), 2),
        (result("CIWA-Ar", 4, "minimal/mild"), 1),
        (result("CIWA-Ar", 0, "minimal/mild"), 0),
        (result("COWS", 40, "severe", "severe_withdrawal"), 3),
        (result("COWS", 30, "moderately severe"), 3),
        (result("COWS", 15, "moderate"), 2),
        (result("COWS", 6, "mild"), 1),
        (result("COWS", 2, "none"), 0),
    ],
)
def test_withdrawal_scales_suggest_dimension_1_by_band(item: InstrumentResultInput, rating: int) -> None:
    (suggestion,) = suggest_ratings([item])

    assert (suggestion.dimension, suggestion.rating) == (1, rating)
    assert suggestion.reason.startswith(f"{item.code} {item.total}")


def test_phq_9_item_9_suggests_dimension_3_high_whatever_the_total() -> None:
    (suggestion,) = suggest_ratings([result("PHQ-9", 2, "minimal", "suicidal_ideation")])

    assert (suggestion.dimension, suggestion.rating) == (3, 3)
    assert "item 9 above 0" in suggestion.reason
    assert "988 or 911" in suggestion.reason


@pytest.mark.parametrize(
    ("item", "dimension", "rating"),
    [
        (result("PHQ-9", 21, "severe"), 3, 3),
        (result("PHQ-9", 16, "moderately severe"), 3, 3),
        (result("PHQ-9", 11, "moderate"), 3, 2),
        (result("PHQ-9", 6, "mild"), 3, 1),
        (result("PHQ-9", 1, "minimal"), 3, 0),
        (result("PHQ-2", 4, "positive", "positive_screen"), 3, 1),
        (result("GAD-7", 16, "severe"), 3, 3),
        (result("GAD-7", 12, "moderate"), 3, 2),
        (result("GAD-7", 7, "mild"), 3, 1),
        (result("GAD-2", 3, "positive", "positive_screen"), 3, 1),
        (result("AUDIT", 25, "zone IV"), 5, 3),
        (result("AUDIT", 17, "zone III"), 5, 2),
        (result("AUDIT", 9, "zone II"), 5, 1),
        (result("AUDIT-C", 5, "positive", "positive_screen"), 5, 1),
        (result("DAST-10", 9, "severe"), 5, 3),
        (result("DAST-10", 7, "substantial"), 5, 3),
        (result("DAST-10", 4, "moderate"), 5, 2),
        (result("DAST-10", 1, "low"), 5, 1),
    ],
)
def test_screens_suggest_their_dimension_by_band(item: InstrumentResultInput, dimension: int, rating: int) -> None:
    (suggestion,) = suggest_ratings([item])

    assert (suggestion.dimension, suggestion.rating) == (dimension, rating)
    assert suggestion.reason.startswith(f"{item.code} {item.total}")
    assert "on 2026-11-20 suggests dimension" in suggestion.reason


def test_a_negative_screen_suggests_nothing() -> None:
    assert suggest_ratings([result("PHQ-2", 1, "negative"), result("AUDIT-C", 2, "negative")]) == []


def test_bam_subscales_suggest_relapse_potential_and_low_protection_suggests_environment() -> None:
    suggestions = suggest_ratings([result("BAM", 0, "subscales only", use=7, risk=10, protective=3)])

    assert [(s.dimension, s.rating, s.rule_id) for s in suggestions] == [
        (5, 3, "S-BAM-USE-HIGH"),
        (6, 3, "S-BAM-PROTECTIVE-VERY-LOW"),
    ]
    assert suggestions[0].reason.startswith("BAM use subscale 7 of 12 on 2026-11-20 suggests dimension 5 at 3")


def test_bam_risk_drives_dimension_5_when_use_is_low_and_good_protection_suggests_nothing() -> None:
    suggestions = suggest_ratings([result("BAM", 0, "subscales only", use=1, risk=16, protective=18)])

    assert [(s.dimension, s.rating, s.rule_id) for s in suggestions] == [(5, 3, "S-BAM-RISK-HIGH")]


def test_a_bam_result_without_its_subscales_is_refused() -> None:
    with pytest.raises(ValueError, match=r"BAM result of 2026-11-20 has no 'use' subscale \(has: risk\)"):
        suggest_ratings([result("BAM", 0, "subscales only", risk=3)])


def test_only_the_newest_result_of_each_instrument_counts() -> None:
    older = result("CIWA-Ar", 22, "severe", "severe_withdrawal", on=DAY)
    newer = result("CIWA-Ar", 4, "minimal/mild", on=DAY + datetime.timedelta(days=2))

    (suggestion,) = suggest_ratings([newer, older])

    assert (suggestion.rating, suggestion.taken_on) == (1, newer.taken_on)


def test_on_the_same_day_the_later_result_in_the_list_counts() -> None:
    morning = result("COWS", 30, "moderately severe")
    evening = result("COWS", 14, "moderate")

    assert suggest_ratings([morning, evening])[0].rating == 2
    assert suggest_ratings([evening, morning])[0].rating == 3


def test_instrument_codes_match_case_insensitively_and_unknown_instruments_are_ignored() -> None:
    suggestions = suggest_ratings([result("ciwa-ar", 12, "moderate"), result("MMSE", 24, "normal")])

    assert [(s.source, s.rating) for s in suggestions] == [("CIWA-Ar", 2)]


def test_each_instrument_keeps_its_own_suggestion_and_the_strongest_prefills_the_form() -> None:
    suggestions = suggest_ratings(
        [
            result("GAD-7", 12, "moderate"),
            result("PHQ-9", 16, "moderately severe", "suicidal_ideation"),
            result("AUDIT", 17, "zone III"),
            result("DAST-10", 7, "substantial"),
        ]
    )

    assert [(s.dimension, s.rating, s.source) for s in suggestions] == [
        (3, 3, "PHQ-9"),
        (3, 2, "GAD-7"),
        (5, 3, "DAST-10"),
        (5, 2, "AUDIT"),
    ]
    # PHQ-9's item 9 reason wins over its band reason: the safety finding is the one to show.
    assert suggestions[0].rule_id == "S-PHQ9-ITEM9"
    strongest = strongest_suggestions(suggestions)
    assert {dimension: s.source for dimension, s in strongest.items()} == {3: "PHQ-9", 5: "DAST-10"}


def test_scored_instruments_flow_into_suggestions_and_a_recommendation() -> None:
    ciwa = score("CIWA-Ar", [4, 4, 4, 4, 3, 0, 0, 0, 2, 1])  # 22: severe
    phq = score("PHQ-9", [2, 2, 1, 1, 1, 1, 1, 1, 0])  # 10: moderate, no item 9
    results = [
        InstrumentResultInput("CIWA-Ar", ciwa.total, ciwa.band, tuple(ciwa.flags), ciwa.subscales, DAY),
        InstrumentResultInput("PHQ-9", phq.total, phq.band, tuple(phq.flags), phq.subscales, DAY),
    ]

    prefill = {d: s.rating for d, s in strongest_suggestions(suggest_ratings(results)).items()}
    recommendation = recommend({**TYPICAL_IOP, **prefill}, GOOD_FIT)

    assert prefill == {1: 3, 3: 2}
    assert (recommendation.level, recommendation.withdrawal_management_label) == ("3.7", "3.7-WM")
