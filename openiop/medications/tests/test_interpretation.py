# SPDX-License-Identifier: AGPL-3.0-or-later
"""The reading rules, with no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.medications.interpretation import (
    CONFIRMATORY,
    INVALID,
    NEGATIVE,
    POSITIVE,
    PRESUMPTIVE,
    MedicationSpan,
    Result,
    Verdict,
    interpret,
)

DAY = dt.date(2026, 3, 5)
BUP = MedicationSpan("Buprenorphine/naloxone", dt.date(2026, 2, 1), None, frozenset({"buprenorphine"}))


def bup(start: dt.date, stop: dt.date | None = None) -> MedicationSpan:
    return MedicationSpan("Buprenorphine", start, stop, frozenset({"buprenorphine"}))


def presumptive(drug_class: str, result: str) -> Result:
    return Result(drug_class, PRESUMPTIVE, result)


def confirmatory(drug_class: str, result: str) -> Result:
    return Result(drug_class, CONFIRMATORY, result)


def test_a_buprenorphine_positive_is_expected_for_a_patient_on_buprenorphine() -> None:
    reading = interpret([presumptive("buprenorphine", POSITIVE)], [BUP], DAY)

    assert reading.verdict_for("buprenorphine") == Verdict.EXPECTED
    assert reading.expected[0].explained_by == ("Buprenorphine/naloxone",)
    assert reading.unexpected == []


def test_a_buprenorphine_positive_without_a_prescription_is_unexpected() -> None:
    reading = interpret([presumptive("buprenorphine", POSITIVE)], [], DAY)

    assert reading.unexpected_classes == ["buprenorphine"]


def test_buprenorphine_does_not_explain_a_positive_of_another_class() -> None:
    reading = interpret([presumptive("buprenorphine", POSITIVE), presumptive("fentanyl", POSITIVE)], [BUP], DAY)

    assert reading.verdict_for("buprenorphine") == Verdict.EXPECTED
    assert reading.unexpected_classes == ["fentanyl"]


def test_a_medication_started_after_the_collection_does_not_explain_it() -> None:
    reading = interpret([presumptive("buprenorphine", POSITIVE)], [bup(DAY + dt.timedelta(days=1))], DAY)

    assert reading.verdict_for("buprenorphine") == Verdict.UNEXPECTED


def test_a_medication_started_on_the_collection_date_explains_it() -> None:
    reading = interpret([presumptive("buprenorphine", POSITIVE)], [bup(DAY)], DAY)

    assert reading.verdict_for("buprenorphine") == Verdict.EXPECTED


def test_a_medication_stopped_before_the_collection_does_not_explain_it_but_is_shown_as_possible() -> None:
    stopped = bup(dt.date(2026, 1, 1), DAY - dt.timedelta(days=3))

    reading = interpret([presumptive("buprenorphine", POSITIVE)], [stopped], DAY)

    assert reading.verdict_for("buprenorphine") == Verdict.UNEXPECTED
    assert reading.unexpected[0].recently_stopped == ("Buprenorphine",)


def test_a_medication_stopped_long_ago_is_not_even_mentioned() -> None:
    stopped = bup(dt.date(2025, 1, 1), DAY - dt.timedelta(days=30))

    reading = interpret([presumptive("buprenorphine", POSITIVE)], [stopped], DAY)

    assert reading.unexpected[0].recently_stopped == ()


def test_a_medication_stopped_on_the_collection_date_still_explains_it() -> None:
    reading = interpret([presumptive("buprenorphine", POSITIVE)], [bup(dt.date(2026, 1, 1), DAY)], DAY)

    assert reading.verdict_for("buprenorphine") == Verdict.EXPECTED


def test_a_confirmatory_negative_overrides_a_presumptive_positive() -> None:
    reading = interpret([presumptive("cocaine", POSITIVE), confirmatory("cocaine", NEGATIVE)], [], DAY)

    finding = reading.findings[0]
    assert finding.verdict == Verdict.NEGATIVE
    assert finding.confirmed and finding.overridden
    assert reading.unexpected == []


def test_a_confirmatory_positive_overrides_a_presumptive_negative() -> None:
    reading = interpret([presumptive("fentanyl", NEGATIVE), confirmatory("fentanyl", POSITIVE)], [], DAY)

    assert reading.verdict_for("fentanyl") == Verdict.UNEXPECTED
    assert reading.findings[0].overridden


def test_an_invalid_confirmatory_leaves_the_presumptive_result_standing() -> None:
    reading = interpret([presumptive("cocaine", POSITIVE), confirmatory("cocaine", INVALID)], [], DAY)

    assert reading.verdict_for("cocaine") == Verdict.UNEXPECTED
    assert not reading.findings[0].confirmed


def test_a_negative_for_a_prescribed_medication_is_flagged_for_adherence_not_as_use() -> None:
    reading = interpret([presumptive("buprenorphine", NEGATIVE)], [BUP], DAY)

    assert reading.verdict_for("buprenorphine") == Verdict.EXPECTED_ABSENT
    assert reading.unexpected == [] and reading.expected == []


def test_methadone_from_an_outside_program_explains_a_methadone_positive() -> None:
    methadone = MedicationSpan("Methadone (OTP)", dt.date(2025, 12, 1), None, frozenset({"methadone"}))

    reading = interpret([presumptive("methadone", POSITIVE), presumptive("opiates", POSITIVE)], [methadone], DAY)

    assert reading.verdict_for("methadone") == Verdict.EXPECTED
    assert reading.unexpected_classes == ["opiates"]


def test_an_invalid_result_is_neither_expected_nor_unexpected() -> None:
    reading = interpret([presumptive("cannabinoids", INVALID)], [], DAY)

    assert reading.invalid[0].drug_class == "cannabinoids"
    assert reading.unexpected == [] and reading.expected == []


def test_two_different_results_for_one_class_and_method_are_refused() -> None:
    with pytest.raises(ValueError, match="two different"):
        interpret([presumptive("cocaine", POSITIVE), presumptive("cocaine", NEGATIVE)], [], DAY)


def test_unknown_methods_and_results_are_refused() -> None:
    with pytest.raises(ValueError, match="method"):
        interpret([Result("cocaine", "guess", POSITIVE)], [], DAY)
    with pytest.raises(ValueError, match="result"):
        interpret([Result("cocaine", PRESUMPTIVE, "maybe")], [], DAY)


results = st.sampled_from([POSITIVE, NEGATIVE, INVALID])


@given(
    pres=st.none() | results,
    conf=st.none() | results,
    start_offset=st.integers(-60, 60),
    length=st.none() | st.integers(0, 90),
)
def test_every_positive_lands_in_exactly_one_of_expected_or_unexpected(
    pres: str | None, conf: str | None, start_offset: int, length: int | None
) -> None:
    start = DAY + dt.timedelta(days=start_offset)
    medication = bup(start, None if length is None else start + dt.timedelta(days=length))
    items = ([presumptive("buprenorphine", pres)] if pres else []) + (
        [confirmatory("buprenorphine", conf)] if conf else []
    )

    reading = interpret(items, [medication], DAY)

    if not items:
        assert reading.findings == ()
        return
    final = conf if conf in (POSITIVE, NEGATIVE) else pres or conf
    verdict = reading.verdict_for("buprenorphine")
    if final == POSITIVE:
        assert verdict == (Verdict.EXPECTED if medication.active_on(DAY) else Verdict.UNEXPECTED)
    else:
        assert verdict not in (Verdict.EXPECTED, Verdict.UNEXPECTED)
