# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ICD-10-CM code set, offline: is a code billable, what does it mean,
and which codes match what a clinician types.

Pure Python (no Django). The codes come from ``simple-icd-10-cm`` (the CMS
tabular list it ships). Loading that list costs a second or two and about
200 MB, so nothing is loaded at import: the first call builds one compact
index (descriptions, the billable codes in classification order, a word
index over their descriptions) and every later call in the process reuses
it. A search after that is a few set intersections, well under 50 ms.

Codes are stored and compared without the dot, upper-case ("F1120"), which
is how claims carry them; ``display`` puts the dot back for people.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
import warnings
from dataclasses import dataclass

# Mental and behavioural disorders due to psychoactive substance use: an IOP's
# own diagnoses, listed first whenever they match.
SUD_PREFIXES = tuple(f"F1{digit}" for digit in range(10))

# A query word shorter than this matches whole words only ("of", "to", "2"):
# as a prefix it would match most of the code set and say nothing.
MIN_PREFIX_LENGTH = 3

_WORD = re.compile(r"[a-z0-9]+")
_CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z]{0,5}$")


@dataclass(frozen=True)
class _Index:
    descriptions: dict[str, str]  # every category and code (no dot) -> description
    billable: tuple[str, ...]  # leaf codes, in the classification's order
    billable_position: dict[str, int]  # code -> its position in ``billable``
    by_code: tuple[tuple[str, int], ...]  # (code, position), sorted by code, for prefixes
    vocabulary: tuple[str, ...]  # sorted distinct description words
    postings: dict[str, tuple[int, ...]]  # word -> positions of the billable codes using it
    sud_positions: range  # the F10-F19 leaf codes (contiguous in the classification)


_index: _Index | None = None
_lock = threading.Lock()


def _build() -> _Index:
    with warnings.catch_warnings():
        # The library reads its data with importlib.resources' legacy calls.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd  # slow import: only here, once

    descriptions: dict[str, str] = {}
    billable: list[str] = []
    for dotted, plain in zip(icd.get_all_codes(with_dots=True), icd.get_all_codes(with_dots=False), strict=True):
        # Chapters ("5") and blocks ("F10-F19") are headings, not codes; a
        # block holding one category shares its name and is listed twice.
        if plain.isdigit() or "-" in plain or plain in descriptions:
            continue
        descriptions[plain] = icd.get_description(dotted)
        if icd.is_leaf(dotted):
            billable.append(plain)
    word_positions: dict[str, list[int]] = {}
    for position, code in enumerate(billable):
        for word in set(_WORD.findall(descriptions[code].lower())):
            word_positions.setdefault(word, []).append(position)
    sud = [position for position, code in enumerate(billable) if code.startswith(SUD_PREFIXES)]
    return _Index(
        descriptions=descriptions,
        billable=tuple(billable),
        billable_position={code: position for position, code in enumerate(billable)},
        by_code=tuple(sorted((code, position) for position, code in enumerate(billable))),
        vocabulary=tuple(sorted(word_positions)),
        postings={word: tuple(positions) for word, positions in word_positions.items()},
        sud_positions=range(sud[0], sud[-1] + 1) if sud else range(0),
    )


def _the_index() -> _Index:
    global _index
    if _index is None:
        with _lock:  # two first requests at once build it once
            if _index is None:
                _index = _build()
    return _index


def warm_up() -> None:
    """Build the index now (a worker or a test may want the cost up front)."""
    _the_index()


# --- One code -----------------------------------------------------------------------------------------------------


def normalize(code: str) -> str:
    """``" f11.20 "`` -> ``"F1120"``: no dot, no spaces, upper-case."""
    return "".join(code.split()).replace(".", "").upper()


def display(code: str) -> str:
    """``"F1120"`` -> ``"F11.20"`` (ICD-10-CM puts the dot after the category)."""
    plain = normalize(code)
    return plain if len(plain) <= 3 else f"{plain[:3]}.{plain[3:]}"


def is_valid(code: str) -> bool:
    """A category or a code of the set (billable or not)."""
    return normalize(code) in _the_index().descriptions


def is_billable(code: str) -> bool:
    """A leaf of the classification: the only codes a claim accepts."""
    return normalize(code) in _the_index().billable_position


def describe(code: str) -> str:
    """The description of a category or code; "" when it is not in the set."""
    return _the_index().descriptions.get(normalize(code), "")


def billable_under(code: str, limit: int | None = None) -> list[str]:
    """The billable codes within a category (``"F112"`` -> F1120, F1121, ...),
    in the classification's order: what to choose instead of the category."""
    index = _the_index()
    prefix = normalize(code)
    if not prefix:
        return []
    positions = _code_prefix_positions(index, prefix)
    found = [index.billable[position] for position in sorted(positions)]
    return found if limit is None else found[:limit]


# --- Search -------------------------------------------------------------------------------------------------------


def search(text: str, limit: int = 20) -> list[tuple[str, str]]:
    """Billable codes matching TEXT, as (code without the dot, description).

    TEXT is a code prefix ("F11.2", "f112") or words ("opioid dependence"),
    or both; every term must match, case-insensitive. A term matches a code
    that starts with it, or a description word that starts with it (terms
    under three characters match whole words only). Substance use disorder
    codes (F10-F19) come first, then the rest in the classification's order.
    """
    terms = text.split()
    if not terms or limit <= 0:
        return []
    index = _the_index()
    matches: set[int] | None = None
    for positions in sorted((_term_positions(term) for term in terms), key=len):
        matches = set(positions) if matches is None else matches & positions
        if not matches:
            return []
    assert matches is not None
    sud = index.sud_positions
    ranked = sorted(matches, key=lambda position: (position not in sud, position))[:limit]
    return [(index.billable[position], index.descriptions[index.billable[position]]) for position in ranked]


@functools.lru_cache(maxsize=1024)
def _term_positions(term: str) -> frozenset[int]:
    """Positions of the billable codes one search term matches (cached: as
    someone types, each keystroke repeats the earlier words)."""
    index = _the_index()
    code = normalize(term)
    by_code = _code_prefix_positions(index, code) if _CODE_SHAPE.match(code) else set()
    # A term like "covid-19" is two words, both required; "b12" may be a
    # code prefix or a word ("vitamin b12"), so either way counts.
    by_words: set[int] | None = None
    for word in _WORD.findall(term.lower()):
        hits = _word_positions(index, word)
        by_words = hits if by_words is None else by_words & hits
    return frozenset(by_code | (by_words or set()))


def _word_positions(index: _Index, word: str) -> set[int]:
    if len(word) < MIN_PREFIX_LENGTH:
        return set(index.postings.get(word, ()))
    found: set[int] = set()
    start = bisect.bisect_left(index.vocabulary, word)
    for known in index.vocabulary[start:]:
        if not known.startswith(word):
            break
        found.update(index.postings[known])
    return found


def _code_prefix_positions(index: _Index, prefix: str) -> set[int]:
    start = bisect.bisect_left(index.by_code, (prefix, -1))
    found: set[int] = set()
    for code, position in index.by_code[start:]:
        if not code.startswith(prefix):
            break
        found.add(position)
    return found
