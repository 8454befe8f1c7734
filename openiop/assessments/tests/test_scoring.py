# SPDX-License-Identifier: AGPL-3.0-or-later
"""Instrument scoring: every band boundary, the maxima, bad input, flags, and
property tests generated from the definitions. No database."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.assessments.instruments import (
    BAM,
    CIWA_AR,
    INSTRUMENTS,
    SEXES,
    Answer,
    Band,
    Instrument,
    Response,
    Scoring,
    get_instrument,
)
from openiop.assessments.scoring import ScoreResult, score

# --- Helpers ---------------------------------------------------------------------------------------------------------


def answers_totalling(instrument: Instrument, total: int) -> list[Answer]:
    """A complete, valid response whose scored items add up to ``total``."""
    reachable: list[set[int]] = [{0}]  # reachable[i]: totals the last i items can make
    for item in reversed(instrument.items):
        options = {choice.points for choice in item.choices} if item.scored else {0}
        reachable.append({p + rest for p in options for rest in reachable[-1]})
    reachable.reverse()
    assert total in reachable[0], f"{instrument.code} cannot total {total}"
    answers: list[Answer] = []
    remaining = total
    for index, item in enumerate(instrument.items):
        for choice in sorted(item.choices, key=lambda c: -c.points):
            points = choice.points if item.scored else 0
            if remaining - points in reachable[index + 1]:
                answers.append(choice.value)
                remaining -= points
                break
    return answers


def lowest_answers(instrument: Instrument) -> list[Response]:
    """The lowest answer to every item, and None for the items those answers leave unasked."""
    return with_skips(instrument, [min(item.choices, key=lambda c: c.points).value for item in instrument.items])


def with_skips(instrument: Instrument, answers: list[Answer]) -> list[Response]:
    skipped = instrument.skipped_by(answers)
    return [None if item.key in skipped else value for item, value in zip(instrument.items, answers, strict=True)]


def bam_answers(values: Mapping[str, int]) -> list[Answer]:
    return [values.get(item.key, 0) for item in BAM.items]


# --- Band boundaries, both sides -------------------------------------------------------------------------------------

BOUNDARIES = [
    ("PHQ-9", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate")]),
    ("PHQ-9", [(15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")]),
    ("PHQ-2", [(0, "negative"), (2, "negative"), (3, "positive"), (6, "positive")]),
    ("GAD-7", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate")]),
    ("GAD-7", [(15, "severe"), (21, "severe")]),
    ("GAD-2", [(0, "negative"), (2, "negative"), (3, "positive"), (6, "positive")]),
    ("AUDIT", [(0, "zone I"), (7, "zone I"), (8, "zone II"), (15, "zone II"), (16, "zone III"), (19, "zone III")]),
    ("AUDIT", [(20, "zone IV"), (40, "zone IV")]),
    ("DAST-10", [(0, "none"), (1, "low"), (2, "low"), (3, "moderate"), (5, "moderate"), (6, "substantial")]),
    ("DAST-10", [(8, "substantial"), (9, "severe"), (10, "severe")]),
    ("CIWA-Ar", [(0, "minimal/mild"), (9, "minimal/mild"), (10, "moderate"), (18, "moderate"), (19, "severe")]),
    ("CIWA-Ar", [(67, "severe")]),
    ("COWS", [(0, "none"), (4, "none"), (5, "mild"), (12, "mild"), (13, "moderate"), (24, "moderate")]),
    ("COWS", [(25, "moderately severe"), (36, "moderately severe"), (37, "severe"), (48, "severe")]),
]
BOUNDARY_CASES = [(code, total, band) for code, cases in BOUNDARIES for total, band in cases]


@pytest.mark.parametrize(("code", "total", "band"), BOUNDARY_CASES, ids=[f"{c}-{t}" for c, t, _ in BOUNDARY_CASES])
def test_each_band_boundary_lands_on_the_published_side(code: str, total: int, band: str) -> None:
    result = score(code, answers_totalling(get_instrument(code), total))

    assert (result.total, result.band) == (total, band)


AUDIT_C_CASES = [
    ("male", 0, "negative"),
    ("male", 3, "negative"),
    ("male", 4, "positive"),
    ("male", 12, "positive"),
    ("female", 0, "negative"),
    ("female", 2, "negative"),
    ("female", 3, "positive"),
    ("female", 12, "positive"),
]


@pytest.mark.parametrize(("sex", "total", "band"), AUDIT_C_CASES)
def test_audit_c_is_positive_from_4_for_men_and_from_3_for_women(sex: str, total: int, band: str) -> None:
    result = score("AUDIT-C", answers_totalling(get_instrument("AUDIT-C"), total), sex=sex)

    assert (result.total, result.band) == (total, band)
    assert result.flags == (["positive_screen"] if band == "positive" else [])


def test_audit_c_scores_a_total_of_3_differently_for_men_and_women() -> None:
    answers = [1, 1, 1]  # monthly or less; 3 or 4 drinks; less than monthly

    assert score("AUDIT-C", answers, sex="male").band == "negative"
    assert score("AUDIT-C", answers, sex="female").band == "positive"


def test_audit_c_refuses_to_band_without_the_patients_sex() -> None:
    with pytest.raises(ValueError, match=r"AUDIT-C needs the patient's sex \(male or female\)"):
        score("AUDIT-C", [1, 1, 1])


def test_audit_c_refuses_a_sex_it_has_no_cut_off_for() -> None:
    with pytest.raises(ValueError, match="AUDIT-C: sex must be male or female, not 'unknown'"):
        score("AUDIT-C", [1, 1, 1], sex="unknown")


def test_audit_c_reads_the_sex_case_insensitively() -> None:
    assert score("AUDIT-C", [1, 1, 1], sex="Female").band == "positive"


def test_sex_is_ignored_where_the_cut_off_does_not_depend_on_it() -> None:
    assert score("AUDIT", [0] * 10, sex="female") == score("AUDIT", [0] * 10)


# --- Maxima, written out by hand so that they check the definitions too ----------------------------------------------

HIGHEST_ANSWERS: list[tuple[str, list[Answer], int]] = [
    ("PHQ-9", [3] * 9, 27),
    ("PHQ-2", [3, 3], 6),
    ("GAD-7", [3] * 7, 21),
    ("GAD-2", [3, 3], 6),
    ("AUDIT", [4] * 10, 40),
    ("DAST-10", [True, True, False, True, True, True, True, True, True, True], 10),
    ("CIWA-Ar", [7, 7, 7, 7, 7, 7, 7, 7, 7, 4], 67),
    ("COWS", [4, 4, 5, 5, 4, 4, 5, 4, 4, 4, 5], 48),
]


@pytest.mark.parametrize(("code", "answers", "maximum"), HIGHEST_ANSWERS, ids=[c for c, _, _ in HIGHEST_ANSWERS])
def test_the_highest_answers_reach_the_published_maximum(code: str, answers: list[Answer], maximum: int) -> None:
    result = score(code, answers)

    assert result.total == maximum == get_instrument(code).max_total


def test_audit_c_reaches_its_maximum_of_12() -> None:
    assert score("AUDIT-C", [4, 4, 4], sex="male").total == 12


def test_audit_items_9_and_10_score_0_2_or_4() -> None:
    answers = [0] * 8 + [2, 4]

    assert score("AUDIT", answers).total == 6


def test_cows_is_moderately_severe_at_36_and_severe_from_37() -> None:
    at_36 = [4, 4, 5, 5, 4, 4, 5, 4, 1, 0, 0]
    at_37 = [4, 4, 5, 5, 4, 4, 5, 4, 2, 0, 0]

    assert (score("COWS", at_36).total, score("COWS", at_36).band) == (36, "moderately severe")
    assert (score("COWS", at_37).total, score("COWS", at_37).band) == (37, "severe")


# --- Wrong number of answers, disallowed answers ---------------------------------------------------------------------


@pytest.mark.parametrize("code", list(INSTRUMENTS))
@pytest.mark.parametrize("change", [-1, +1], ids=["one-short", "one-extra"])
def test_a_wrong_number_of_answers_is_refused(code: str, change: int) -> None:
    instrument = get_instrument(code)
    answers = lowest_answers(instrument)
    answers = answers[:-1] if change < 0 else [*answers, answers[0]]

    expected = f"{instrument.code} expects {len(instrument.items)} answers"
    with pytest.raises(ValueError, match=expected):
        score(code, answers, sex="male")


@pytest.mark.parametrize("answers", [None, "000000001", b"\x00" * 9])
def test_answers_that_are_not_a_list_are_refused_with_a_clear_message(answers: object) -> None:
    with pytest.raises(ValueError, match="PHQ-9 expects a list of 9 answers"):
        score("PHQ-9", answers)  # type: ignore[arg-type]


def test_the_bam_count_error_spells_out_items_7a_to_7g() -> None:
    with pytest.raises(ValueError, match=r"^BAM expects 23 answers \(items 1-6, 7A-7G, 8-17\), got 17$"):
        score("BAM", [0] * 17)


OUT_OF_RANGE: list[tuple[str, str, Answer, str]] = [
    ("PHQ-9", "9", 4, "PHQ-9 item 9: 4 is not an allowed answer (0, 1, 2, 3)"),
    ("PHQ-9", "1", -1, "PHQ-9 item 1: -1 is not an allowed answer (0, 1, 2, 3)"),
    ("PHQ-2", "2", 4, "PHQ-2 item 2: 4 is not an allowed answer (0, 1, 2, 3)"),
    ("GAD-7", "7", 4, "GAD-7 item 7: 4 is not an allowed answer (0, 1, 2, 3)"),
    ("GAD-2", "1", 4, "GAD-2 item 1: 4 is not an allowed answer (0, 1, 2, 3)"),
    ("AUDIT", "1", 5, "AUDIT item 1: 5 is not an allowed answer (0, 1, 2, 3, 4)"),
    ("AUDIT", "9", 1, "AUDIT item 9: 1 is not an allowed answer (0, 2, 4)"),
    ("AUDIT", "10", 3, "AUDIT item 10: 3 is not an allowed answer (0, 2, 4)"),
    ("AUDIT-C", "3", 5, "AUDIT-C item 3: 5 is not an allowed answer (0, 1, 2, 3, 4)"),
    ("DAST-10", "3", 1, "DAST-10 item 3: 1 is not an allowed answer (True, False)"),
    ("CIWA-Ar", "1", 8, "CIWA-Ar item 1: 8 is not an allowed answer (0, 1, 2, 3, 4, 5, 6, 7)"),
    ("CIWA-Ar", "10", 5, "CIWA-Ar item 10: 5 is not an allowed answer (0, 1, 2, 3, 4)"),
    ("COWS", "1", 3, "COWS item 1: 3 is not an allowed answer (0, 1, 2, 4)"),
    ("COWS", "3", 2, "COWS item 3: 2 is not an allowed answer (0, 1, 3, 5)"),
    ("COWS", "11", 1, "COWS item 11: 1 is not an allowed answer (0, 3, 5)"),
    ("BAM", "7C", 5, "BAM item 7C: 5 is not an allowed answer (0, 1, 2, 3, 4)"),
    ("BAM", "14", 2, "BAM item 14: 2 is not an allowed answer (0, 4)"),
    ("BAM", "17", 5, "BAM item 17: 5 is not an allowed answer (0, 1, 2, 3, 4)"),
]


@pytest.mark.parametrize(
    ("code", "key", "value", "message"), OUT_OF_RANGE, ids=[f"{c}-{k}" for c, k, _, _ in OUT_OF_RANGE]
)
def test_an_answer_the_item_does_not_allow_is_refused_naming_the_item(
    code: str, key: str, value: Answer, message: str
) -> None:
    instrument = get_instrument(code)
    answers = lowest_answers(instrument)
    answers[[item.key for item in instrument.items].index(key)] = value

    with pytest.raises(ValueError) as raised:
        score(code, answers, sex="female")
    assert str(raised.value) == message


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None])
def test_a_numeric_item_refuses_anything_but_an_int(value: object) -> None:
    with pytest.raises(ValueError, match=r"^PHQ-9 item 1: .* is not an allowed answer \(0, 1, 2, 3\)$"):
        score("PHQ-9", [value, 0, 0, 0, 0, 0, 0, 0, 0])  # type: ignore[list-item]


@pytest.mark.parametrize("value", [0, 1, "yes", None])
def test_a_yes_no_item_refuses_anything_but_true_or_false(value: object) -> None:
    answers: list[object] = [False] * 10
    answers[0] = value

    with pytest.raises(ValueError, match=r"^DAST-10 item 1: .* is not an allowed answer \(True, False\)$"):
        score("DAST-10", answers)  # type: ignore[arg-type]


def test_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown instrument 'PHQ9'"):
        score("PHQ9", [0] * 9)


@pytest.mark.parametrize("code", ["phq-9", "Phq-9", "PHQ-9"])
def test_the_instrument_code_is_matched_case_insensitively(code: str) -> None:
    assert score(code, [1] * 9).total == 9


def test_ciwa_ar_and_audit_c_codes_are_matched_case_insensitively() -> None:
    assert score("ciwa-ar", [0] * 10).band == "minimal/mild"
    assert score("audit-c", [0, 0, 0], sex="male").band == "negative"


# --- Flags -----------------------------------------------------------------------------------------------------------


def test_phq_9_item_9_raises_a_suicidal_ideation_flag_at_a_total_of_1() -> None:
    result = score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1])

    assert result == ScoreResult(total=1, band="minimal", subscales={}, flags=["suicidal_ideation"])


def test_phq_9_raises_no_flag_when_item_9_is_0_whatever_the_total() -> None:
    result = score("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 0])

    assert (result.total, result.band, result.flags) == (24, "severe", [])


@pytest.mark.parametrize("code", ["PHQ-2", "GAD-2"])
def test_a_two_item_screen_is_positive_from_3(code: str) -> None:
    assert score(code, [1, 1]).flags == []
    assert score(code, [2, 1]).flags == ["positive_screen"]


@pytest.mark.parametrize(("code", "just_below", "severe"), [("CIWA-Ar", 18, 19), ("COWS", 36, 37)])
def test_a_severe_withdrawal_band_raises_an_alert_and_the_band_below_does_not(
    code: str, just_below: int, severe: int
) -> None:
    instrument = get_instrument(code)

    assert score(code, answers_totalling(instrument, just_below)).flags == []
    assert score(code, answers_totalling(instrument, severe)).flags == ["severe_withdrawal"]


@pytest.mark.parametrize("code", ["PHQ-9", "GAD-7", "AUDIT", "DAST-10", "CIWA-Ar", "COWS", "BAM", "C-SSRS"])
def test_a_response_of_all_lowest_answers_needs_no_attention(code: str) -> None:
    assert score(code, lowest_answers(get_instrument(code))).flags == []


# --- DAST-10 ---------------------------------------------------------------------------------------------------------


def test_dast_10_scores_no_on_item_3_as_the_problem_answer() -> None:
    all_no = [False] * 10
    only_item_3_yes = [False, False, True, False, False, False, False, False, False, False]

    assert (score("DAST-10", all_no).total, score("DAST-10", all_no).band) == (1, "low")
    assert (score("DAST-10", only_item_3_yes).total, score("DAST-10", only_item_3_yes).band) == (0, "none")


def test_dast_10_scores_yes_as_1_on_every_other_item() -> None:
    all_yes = [True] * 10

    assert (score("DAST-10", all_yes).total, score("DAST-10", all_yes).band) == (9, "severe")


# --- BAM -------------------------------------------------------------------------------------------------------------

BAM_RESPONSE = {
    **{"1": 4, "2": 3, "3": 2, "4": 1, "5": 2, "6": 3, "8": 1, "9": 2, "10": 3, "11": 4, "12": 0, "13": 1},
    **{"14": 4, "15": 2, "16": 4, "17": 3},
    **dict.fromkeys(("7A", "7B", "7C", "7D", "7E", "7F", "7G"), 4),
}


def test_bam_sums_use_risk_and_protective_subscales_from_their_items() -> None:
    result = score("BAM", bam_answers(BAM_RESPONSE))

    assert result.subscales == {
        "use": 1 + 2 + 3,  # items 4, 5, 6
        "risk": 4 + 3 + 2 + 1 + 4 + 2,  # items 1, 2, 3, 8, 11, 15
        "protective": 2 + 3 + 0 + 1 + 4 + 4,  # items 9, 10, 12, 13, 14, 16
    }


def test_bam_has_no_total_and_says_to_read_the_subscales() -> None:
    result = score("BAM", bam_answers(BAM_RESPONSE))

    assert (result.total, result.band, result.flags) == (0, "subscales only", [])


def test_bam_items_7a_to_7g_and_17_count_towards_no_subscale() -> None:
    unscored_changed = {**BAM_RESPONSE, **dict.fromkeys(("7A", "7B", "7C", "7D", "7E", "7F", "7G", "17"), 0)}

    assert score("BAM", bam_answers(unscored_changed)) == score("BAM", bam_answers(BAM_RESPONSE))


def test_bam_subscales_reach_12_24_and_24_at_most() -> None:
    result = score("BAM", bam_answers({item.key: item.max_points for item in BAM.items}))

    assert result.subscales == {"use": 12, "risk": 24, "protective": 24}


def test_bam_item_14_is_answered_no_0_or_yes_4() -> None:
    assert score("BAM", bam_answers({"14": 4})).subscales["protective"] == 4


# --- CIWA-Ar configurable bands --------------------------------------------------------------------------------------

STRICTER = [Band("minimal/mild", 0, 7), Band("moderate", 8, 15), Band("severe", 16, 67)]


def test_ciwa_ar_bands_can_be_configured() -> None:
    at_15 = score("CIWA-Ar", answers_totalling(CIWA_AR, 15), bands=STRICTER)
    at_16 = score("CIWA-Ar", answers_totalling(CIWA_AR, 16), bands=STRICTER)

    assert (at_15.band, at_15.flags) == ("moderate", [])
    assert (at_16.band, at_16.flags) == ("severe", ["severe_withdrawal"])


def test_ciwa_ar_default_bands_apply_when_none_are_configured() -> None:
    assert score("CIWA-Ar", answers_totalling(CIWA_AR, 16)).band == "moderate"


def test_configured_bands_may_be_given_in_any_order() -> None:
    assert score("CIWA-Ar", answers_totalling(CIWA_AR, 8), bands=list(reversed(STRICTER))).band == "moderate"


BAD_CIWA_BANDS = [
    ([Band("minimal/mild", 0, 7), Band("moderate", 9, 15), Band("severe", 16, 67)], "gap at 8"),
    ([Band("minimal/mild", 0, 8), Band("moderate", 8, 15), Band("severe", 16, 67)], "overlap at 8"),
    ([Band("minimal/mild", 1, 9), Band("moderate", 10, 18), Band("severe", 19, 67)], "gap at 0"),
    (
        [Band("minimal/mild", 0, 9), Band("moderate", 10, 18), Band("severe", 19, 60)],
        "must end at the maximum total 67",
    ),
    ([Band("minimal/mild", 0, 9), Band("moderate", 10, 67)], "a band named 'severe' is required"),
    ([Band("low", 0, 9), Band("low", 10, 18), Band("severe", 19, 67)], "band names must be unique"),
    ([Band("minimal/mild", 0, 9), Band("moderate", 18, 10), Band("severe", 19, 67)], "min 18 is above max 10"),
    ([], "at least one band is required"),
]


@pytest.mark.parametrize(("bands", "problem"), BAD_CIWA_BANDS, ids=[problem for _, problem in BAD_CIWA_BANDS])
def test_configured_bands_that_do_not_cover_the_range_once_are_refused(bands: list[Band], problem: str) -> None:
    with pytest.raises(ValueError, match=f"CIWA-Ar band.*{problem}"):
        score("CIWA-Ar", [0] * 10, bands=bands)


def test_bands_of_an_instrument_that_is_not_configurable_cannot_be_overridden() -> None:
    with pytest.raises(ValueError, match="PHQ-9 bands are not configurable"):
        score("PHQ-9", [0] * 9, bands=[Band("fine", 0, 27)])


# --- The result and the definitions ----------------------------------------------------------------------------------


def test_a_score_result_cannot_be_changed() -> None:
    result = score("GAD-7", [0] * 7)

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 21  # type: ignore[misc]


def test_answers_may_be_any_sequence() -> None:
    assert score("GAD-2", (1, 2)).total == 3


BAND_NAMES = {
    "PHQ-9": ["minimal", "mild", "moderate", "moderately severe", "severe"],
    "PHQ-2": ["negative", "positive"],
    "GAD-7": ["minimal", "mild", "moderate", "severe"],
    "GAD-2": ["negative", "positive"],
    "AUDIT": ["zone I", "zone II", "zone III", "zone IV"],
    "AUDIT-C": ["negative", "positive", "negative", "positive"],
    "DAST-10": ["none", "low", "moderate", "substantial", "severe"],
    "CIWA-Ar": ["minimal/mild", "moderate", "severe"],
    "COWS": ["none", "mild", "moderate", "moderately severe", "severe"],
    "BAM": ["subscales only"],
    "C-SSRS": ["no risk identified", "low risk", "moderate risk", "high risk"],
}


def test_every_instrument_uses_the_band_names_of_the_domain_brief() -> None:
    assert {code: [band.name for band in instrument.bands] for code, instrument in INSTRUMENTS.items()} == BAND_NAMES


ITEM_COUNTS = {
    "PHQ-9": 9,
    "PHQ-2": 2,
    "GAD-7": 7,
    "GAD-2": 2,
    "AUDIT": 10,
    "AUDIT-C": 3,
    "DAST-10": 10,
    "CIWA-Ar": 10,
    "COWS": 11,
    "BAM": 23,
    "C-SSRS": 7,  # 1-6 and 6b, "within the past 3 months?"
}


def test_every_instrument_has_its_published_number_of_items() -> None:
    assert {code: len(instrument.items) for code, instrument in INSTRUMENTS.items()} == ITEM_COUNTS


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=list(INSTRUMENTS))
def test_every_instrument_cites_its_source_and_words_every_item(instrument: Instrument) -> None:
    assert instrument.name and instrument.citation.name and 1980 < instrument.citation.year < 2030
    for item in instrument.items:
        assert item.text and len(item.choices) >= 2
        assert instrument.code == "CIWA-Ar" or all(choice.label for choice in item.choices)


def test_only_ciwa_ar_has_configurable_bands() -> None:
    assert [code for code, instrument in INSTRUMENTS.items() if instrument.bands_configurable] == ["CIWA-Ar"]


def test_only_the_bam_is_scored_by_subscales_and_its_items_7a_to_7g_and_17_are_unscored() -> None:
    assert [code for code, instrument in INSTRUMENTS.items() if instrument.scoring is Scoring.SUBSCALES] == ["BAM"]
    assert [item.key for item in BAM.items if not item.scored] == ["7A", "7B", "7C", "7D", "7E", "7F", "7G", "17"]


# --- Properties ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(INSTRUMENTS))
@given(data=st.data())
def test_every_complete_valid_response_scores_in_range_and_lands_in_exactly_one_band(
    code: str, data: st.DataObject
) -> None:
    instrument = get_instrument(code)
    drawn = [data.draw(st.sampled_from(item.values), label=f"item {item.key}") for item in instrument.items]
    answers = with_skips(instrument, drawn)
    sex = data.draw(st.sampled_from(SEXES), label="sex") if instrument.requires_sex else None

    result = score(code, answers, sex=sex)

    assert instrument.min_total <= result.total <= instrument.max_total
    landed = [band for band in instrument.bands_for(sex) if band.min <= result.total <= band.max]
    assert [band.name for band in landed] == [result.band]
    for subscale in instrument.subscales:
        low, high = instrument.subscale_range(subscale)
        assert low <= result.subscales[subscale.name] <= high


@pytest.mark.parametrize("code", [code for code, i in INSTRUMENTS.items() if i.scoring is Scoring.SUM])
@given(data=st.data())
def test_the_total_is_the_sum_of_the_points_each_answer_scores(code: str, data: st.DataObject) -> None:
    instrument = get_instrument(code)
    choices = [data.draw(st.sampled_from(item.choices)) for item in instrument.items]

    result = score(code, [choice.value for choice in choices], sex="male")

    assert result.total == sum(choice.points for choice in choices)


@given(answers=st.lists(st.sampled_from([0, 1, 2, 3]), min_size=9, max_size=9))
def test_phq_9_flags_suicidal_ideation_exactly_when_item_9_is_above_0(answers: list[int]) -> None:
    assert ("suicidal_ideation" in score("PHQ-9", answers).flags) == (answers[8] > 0)


@given(answers=st.lists(st.booleans(), min_size=10, max_size=10))
def test_dast_10_counts_the_problem_answers(answers: list[bool]) -> None:
    problems = sum(answers) - answers[2] + (not answers[2])

    assert score("DAST-10", answers).total == problems


@given(
    cuts=st.lists(st.integers(min_value=1, max_value=67), min_size=2, max_size=2, unique=True).map(sorted),
    data=st.data(),
)
def test_any_configured_ciwa_ar_bands_place_every_total_in_exactly_one_band(
    cuts: list[int], data: st.DataObject
) -> None:
    moderate_from, severe_from = cuts
    bands = [
        Band("minimal/mild", 0, moderate_from - 1),
        Band("moderate", moderate_from, severe_from - 1),
        Band("severe", severe_from, 67),
    ]
    answers = [data.draw(st.sampled_from(item.values)) for item in CIWA_AR.items]

    result = score("CIWA-Ar", answers, bands=bands)

    assert [band.name for band in bands if band.min <= result.total <= band.max] == [result.band]
    assert (result.flags == ["severe_withdrawal"]) == (result.total >= severe_from)


@pytest.mark.parametrize("code", list(INSTRUMENTS))
@given(data=st.data())
def test_any_answer_an_item_does_not_allow_is_refused_naming_that_item(code: str, data: st.DataObject) -> None:
    instrument = get_instrument(code)
    answers = lowest_answers(instrument)
    index = data.draw(st.integers(min_value=0, max_value=len(answers) - 1), label="index")
    item = instrument.items[index]
    if item.is_yes_no:
        bad: object = data.draw(st.integers(), label="bad answer")
    else:
        bad = data.draw(st.integers().filter(lambda v: v not in item.values) | st.booleans(), label="bad answer")
    answers[index] = bad  # type: ignore[call-overload]

    with pytest.raises(ValueError, match=f"^{instrument.code} item {item.key}: "):
        score(code, answers, sex="male")
