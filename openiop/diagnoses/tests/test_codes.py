# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ICD-10-CM code set: plain tests, no database."""

from __future__ import annotations

import re

import pytest

from openiop.diagnoses import codes


@pytest.fixture(scope="module", autouse=True)
def _index_built() -> None:
    codes.warm_up()


@pytest.mark.parametrize("written", ["F11.20", "f1120", " f11.20 ", "F1120"])
def test_a_leaf_code_is_billable_however_it_is_written(written: str) -> None:
    assert codes.is_billable(written)


@pytest.mark.parametrize("code", ["F11", "F11.2", "f112", "F10-F19", "5", "Z99.99", "", "hello"])
def test_categories_headings_and_unknown_codes_are_not_billable(code: str) -> None:
    assert not codes.is_billable(code)


def test_seventh_character_codes_are_billable_and_their_parents_are_not() -> None:
    assert codes.is_billable("T40.0X1A")
    assert not codes.is_billable("T40.0X1")


def test_normalize_and_display_move_the_dot() -> None:
    assert codes.normalize(" f11.20 ") == "F1120"
    assert codes.display("f1120") == "F11.20"
    assert codes.display("F32A") == "F32.A"
    assert codes.display("F11") == "F11"


def test_describe_names_codes_and_categories_and_nothing_for_unknown_codes() -> None:
    assert codes.describe("F11.20") == "Opioid dependence, uncomplicated"
    assert codes.describe("f112") == "Opioid dependence"
    assert codes.describe("F10-F19") == ""
    assert codes.describe("Q99.99") == ""
    assert codes.is_valid("F11.2")
    assert not codes.is_valid("F11.299")


def test_billable_under_lists_a_categorys_leaf_codes_in_order() -> None:
    under = codes.billable_under("F11.2")
    assert under[:2] == ["F1120", "F1121"]
    assert all(code.startswith("F112") and codes.is_billable(code) for code in under)
    assert codes.billable_under("F11.2", limit=3) == under[:3]
    assert codes.billable_under("") == []


def test_search_by_code_prefix_with_or_without_the_dot() -> None:
    with_dot = codes.search("F11.2")
    assert with_dot == codes.search("f112")
    assert with_dot[0] == ("F1120", "Opioid dependence, uncomplicated")
    assert all(code.startswith("F112") for code, _description in with_dot)


def test_search_by_words_needs_every_word_whatever_the_case() -> None:
    found = codes.search("Major DEPRESSIVE single moderate")
    assert found == [("F321", "Major depressive disorder, single episode, moderate")]
    assert codes.search("opioid dependence zebra") == []


def test_words_match_as_prefixes_but_short_words_only_whole() -> None:
    assert ("F411", "Generalized anxiety disorder") in codes.search("general anxi")
    # "a" alone would match most descriptions as a prefix; as a word it is rare.
    found = codes.search("a", limit=50)
    assert found
    assert all("a" in re.findall(r"[a-z0-9]+", description.lower()) for _code, description in found)


def test_substance_use_codes_come_first_when_they_match() -> None:
    found = codes.search("anxiety disorder", limit=500)
    assert found[0][0].startswith("F1")
    first_other = next(i for i, (code, _d) in enumerate(found) if not code.startswith(codes.SUD_PREFIXES))
    assert all(not code.startswith(codes.SUD_PREFIXES) for code, _d in found[first_other:])
    # Without a substance code among the matches, the order is the classification's.
    assert [code for code, _d in codes.search("generalized anxiety")] == ["F411"]


def test_search_returns_only_billable_codes_within_the_limit() -> None:
    found = codes.search("alcohol", limit=7)
    assert len(found) == 7
    assert all(codes.is_billable(code) for code, _description in found)
    assert codes.search("   ") == []
    assert codes.search("alcohol", limit=0) == []


def test_a_code_shaped_word_matches_as_a_word_too() -> None:
    assert any(code.startswith("D51") for code, _d in codes.search("vitamin b12"))
