# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rule set as data: its classes, and reading, checking and loading the
``rules/placement-v<N>.json`` files (format in ``rules/README.md``)."""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from openiop.assessments.instruments import INSTRUMENTS
from openiop.assessments.placement.vocabulary import (
    _ANSWER_KINDS,
    _DIMENSION,
    _FIT,
    _NOTE_KINDS,
    RATINGS,
    AnswerKind,
    NoteKind,
)

# The data sits beside the package, in openiop/assessments/rules/.
RULES_DIR = Path(__file__).parent.with_name("rules")
FORMAT = 1  # the data format this module reads (rules/README.md)

# --- The rule set, as loaded from data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    hours_hint: str
    edition: str = "ASAM 3rd ed. (2013)"
    withdrawal_management_label: str = ""  # how this level is named with withdrawal management, e.g. "3.7-WM"


@dataclass(frozen=True)
class DimensionCondition:
    """At least ``count`` of ``dimensions`` are rated within ``at_least``..``at_most``."""

    dimensions: tuple[int, ...]
    at_least: int
    at_most: int
    count: int


@dataclass(frozen=True)
class FitCondition:
    """At least ``count`` of ``factors`` were answered the ``answer`` way."""

    factors: tuple[str, ...]
    answer: AnswerKind
    count: int


@dataclass(frozen=True)
class AdolescentCondition:
    adolescent: bool


@dataclass(frozen=True)
class BaseLevelCondition:
    """The base level (from the rules that do not look at the level) is one of ``levels``."""

    levels: tuple[str, ...]


Condition = DimensionCondition | FitCondition | AdolescentCondition | BaseLevelCondition


@dataclass(frozen=True)
class Rule:
    id: str
    when: tuple[Condition, ...]  # all must hold
    reason: str  # a template: {d1}..{d6}, {dimensions}, {factors}, {base_level}
    min_level: str | None = None
    max_level: str | None = None
    withdrawal_management: bool = False
    note: NoteKind | None = None
    comment: str = ""
    # Rules that look at the base level are checked in the second pass.
    uses_base_level: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        uses = any(isinstance(condition, BaseLevelCondition) for condition in self.when)
        object.__setattr__(self, "uses_base_level", uses)


@dataclass(frozen=True)
class FlagCondition:
    flag: str


@dataclass(frozen=True)
class BandCondition:
    bands: tuple[str, ...]


@dataclass(frozen=True)
class ScoreCondition:
    """The total (``score == "total"``) or a subscale lies within ``at_least``..``at_most``."""

    score: str
    at_least: int | None
    at_most: int | None


ResultCondition = FlagCondition | BandCondition | ScoreCondition


@dataclass(frozen=True)
class SuggestionRule:
    id: str
    instrument: str  # the instrument's code as instruments.py spells it
    when: tuple[ResultCondition, ...]  # all must hold
    dimension: int
    rating: int
    reason: str  # a template: {code}, {total}, {band}, {date}, {value}


@dataclass(frozen=True)
class RuleSet:
    version: str
    label: str  # "openiop-placement v1 (2026-11)": shown with every recommendation
    edition: str  # the level vocabulary's source
    basis: str  # what the rules are (and are not), for the UI
    published: str
    iop_level: str
    default_level: str
    default_reason: str
    levels: tuple[Level, ...]  # least to most intensive
    rules: tuple[Rule, ...]
    suggestions: tuple[SuggestionRule, ...]
    source: str = ""  # the data file it came from
    _rank: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rank", MappingProxyType({level.code: i for i, level in enumerate(self.levels)}))

    def rank(self, code: str) -> int:
        """How intensive level ``code`` is (0 = least); ValueError for a code outside the vocabulary."""
        try:
            return self._rank[code]
        except KeyError:
            raise ValueError(f"Unknown level {code!r}; known: {', '.join(self._rank)}") from None

    def level(self, code: str) -> Level:
        return self.levels[self.rank(code)]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


class RuleSetError(ValueError):
    """The rule-set data is malformed. The message names the file and the rule."""


# --- Reading the data ------------------------------------------------------------------------------------------------

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_VERSION = re.compile(r"\d+(?:\.\d+)*\Z")
_FILE = re.compile(r"placement-v(\d+(?:\.\d+)*)\.json\Z")
_RULE_FIELDS = frozenset({"d1", "d2", "d3", "d4", "d5", "d6", "dimensions", "factors", "base_level"})
_SUGGESTION_FIELDS = frozenset({"code", "total", "band", "date", "value"})


def _fail(where: str, problem: str) -> NoReturn:
    raise RuleSetError(f"{where}: {problem}")


def _object(value: object, where: str, *, required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, object]:
    if not isinstance(value, dict):
        _fail(where, f"expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        _fail(where, f"unknown key {unknown[0]!r} (allowed: {', '.join([*required, *optional])})")
    missing = [key for key in required if key not in value]
    if missing:
        _fail(where, f"missing key {missing[0]!r}")
    return {str(key): item for key, item in value.items()}


def _str(value: object, where: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(where, f"{what} must be a non-empty string, not {value!r}")
    return value


def _int(value: object, where: str, what: str, allowed: range) -> int:
    # JSON true is a Python int: refuse it explicitly.
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        _fail(where, f"{what} must be a whole number from {allowed.start} to {allowed.stop - 1}, not {value!r}")
    return value


def _bool(value: object, where: str, what: str) -> bool:
    if not isinstance(value, bool):
        _fail(where, f"{what} must be true or false, not {value!r}")
    return value


def _list(value: object, where: str, what: str) -> list[object]:
    if not isinstance(value, list):
        _fail(where, f"{what} must be a list, not {value!r}")
    return value


def _one_or_many(value: object, where: str, what: str) -> list[object]:
    items = value if isinstance(value, list) else [value]
    if not items:
        _fail(where, f"{what} must not be empty")
    return items


def _level_code(value: object, where: str, what: str, codes: Sequence[str]) -> str:
    if value not in codes:
        _fail(where, f"unknown level {value!r} in {what} (known: {', '.join(codes)})")
    return str(value)


def _count(raw: Mapping[str, object], where: str, size: int) -> int:
    value = raw.get("count", 1)
    if value == "all":
        return size
    return _int(value, where, "count", range(1, size + 1))


def _range(raw: Mapping[str, object], where: str, allowed: range) -> tuple[int | None, int | None]:
    if "at_least" not in raw and "at_most" not in raw:
        _fail(where, "a condition needs at_least, at_most or both")
    low = _int(raw["at_least"], where, "at_least", allowed) if "at_least" in raw else None
    high = _int(raw["at_most"], where, "at_most", allowed) if "at_most" in raw else None
    if low is not None and high is not None and low > high:
        _fail(where, f"at_least {low} is above at_most {high}")
    return low, high


def _subject(raw: object, where: str, subjects: Sequence[str]) -> tuple[str, dict[str, object]]:
    if not isinstance(raw, dict):
        _fail(where, f"a condition must be an object, not {raw!r}")
    found = [key for key in subjects if key in raw]
    if len(found) != 1:
        _fail(where, f"each condition needs exactly one of {', '.join(subjects)} (got {sorted(raw)})")
    return found[0], raw


def _condition(raw: object, where: str, codes: Sequence[str]) -> Condition:
    subject, data = _subject(raw, where, ("dimension", "dimensions", "fit", "adolescent", "base_level"))
    if subject in ("dimension", "dimensions"):
        _object(data, where, required=(subject,), optional=("at_least", "at_most", "count"))
        raw_numbers = [data["dimension"]] if subject == "dimension" else _one_or_many(data[subject], where, subject)
        numbers = tuple(_dimension_number(number, where) for number in raw_numbers)
        if subject == "dimension" and "count" in data:
            _fail(where, "count goes with 'dimensions', not 'dimension'")
        low, high = _range(data, where, RATINGS)
        return DimensionCondition(
            numbers, 0 if low is None else low, 4 if high is None else high, _count(data, where, len(numbers))
        )
    if subject == "fit":
        _object(data, where, required=("fit", "answer"), optional=("count",))
        factors = tuple(_fit_code(code, where) for code in _one_or_many(data["fit"], where, "fit"))
        raw_answer = data["answer"]
        answer = _ANSWER_KINDS.get(raw_answer) if isinstance(raw_answer, str) else None
        if answer is None:
            _fail(where, f"answer must be one of {', '.join(_ANSWER_KINDS)}, not {data['answer']!r}")
        return FitCondition(factors, answer, _count(data, where, len(factors)))
    if subject == "adolescent":
        _object(data, where, required=("adolescent",))
        return AdolescentCondition(_bool(data["adolescent"], where, "adolescent"))
    _object(data, where, required=("base_level",))
    levels = _one_or_many(data["base_level"], where, "base_level")
    return BaseLevelCondition(tuple(_level_code(code, where, "base_level", codes) for code in levels))


def _dimension_number(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in _DIMENSION:
        _fail(where, f"unknown dimension {value!r} (dimensions are 1-6)")
    return value


def _fit_code(value: object, where: str) -> str:
    if not isinstance(value, str) or value not in _FIT:
        _fail(where, f"unknown fit factor {value!r} (known: {', '.join(_FIT)})")
    return value


def _template(value: object, where: str, allowed: frozenset[str]) -> str:
    text = _str(value, where, "reason")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as error:
        _fail(where, f"malformed reason template ({error})")
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            _fail(where, f"unknown placeholder {{{name}}} in reason (allowed: {', '.join(sorted(allowed))})")
    return text


def _rule(raw: object, where: str, codes: Sequence[str]) -> Rule:
    data = _object(raw, where, required=("id", "when", "then", "reason"), optional=("comment",))
    when = tuple(_condition(item, where, codes) for item in _list(data["when"], where, "when"))
    then = _object(
        data["then"], where, required=(), optional=("min_level", "max_level", "withdrawal_management", "note")
    )
    low = _level_code(then["min_level"], where, "min_level", codes) if "min_level" in then else None
    high = _level_code(then["max_level"], where, "max_level", codes) if "max_level" in then else None
    if low is not None and high is not None and codes.index(low) > codes.index(high):
        _fail(where, f"min_level {low} is above max_level {high}")
    wm = _bool(then.get("withdrawal_management", False), where, "withdrawal_management")
    raw_note = then.get("note")
    note = _NOTE_KINDS.get(raw_note) if isinstance(raw_note, str) else None
    if raw_note is not None and note is None:
        _fail(where, f"note must be one of {', '.join(_NOTE_KINDS)}, not {raw_note!r}")
    if low is None and high is None and not wm and note is None:
        _fail(where, "'then' has no effect (min_level, max_level, withdrawal_management or note)")
    allowed = set(_RULE_FIELDS)
    if not any(isinstance(condition, DimensionCondition) for condition in when):
        allowed.discard("dimensions")
    if not any(isinstance(condition, FitCondition) for condition in when):
        allowed.discard("factors")
    reason = _template(data["reason"], where, frozenset(allowed))
    comment = _str(data["comment"], where, "comment") if "comment" in data else ""
    rule_id = str(data["id"])
    return Rule(rule_id, when, reason, low, high, wm, note, comment)


def _result_condition(raw: object, where: str, instrument_code: str) -> ResultCondition:
    instrument = INSTRUMENTS[instrument_code]
    subject, data = _subject(raw, where, ("flag", "band", "score"))
    if subject == "flag":
        _object(data, where, required=("flag",))
        flags = sorted({flag.flag for flag in instrument.flags})
        if data["flag"] not in flags:
            _fail(where, f"{instrument_code} raises no flag {data['flag']!r} (it raises: {', '.join(flags) or 'none'})")
        return FlagCondition(str(data["flag"]))
    if subject == "band":
        _object(data, where, required=("band",))
        names = [band.name for band in instrument.bands]
        bands = _one_or_many(data["band"], where, "band")
        for band in bands:
            if band not in names:
                _fail(where, f"{instrument_code} has no band {band!r} (bands: {', '.join(dict.fromkeys(names))})")
        return BandCondition(tuple(str(band) for band in bands))
    _object(data, where, required=("score",), optional=("at_least", "at_most"))
    scores = ["total", *(subscale.name for subscale in instrument.subscales)]
    if data["score"] not in scores:
        _fail(where, f"{instrument_code} has no score {data['score']!r} (scores: {', '.join(scores)})")
    low, high = _range(data, where, range(1000))
    return ScoreCondition(str(data["score"]), low, high)


def _suggestion(raw: object, where: str) -> SuggestionRule:
    data = _object(raw, where, required=("id", "instrument", "when", "dimension", "rating", "reason"))
    code = data["instrument"]
    if code not in INSTRUMENTS:
        _fail(where, f"unknown instrument {code!r} (known: {', '.join(INSTRUMENTS)})")
    when = tuple(_result_condition(item, where, str(code)) for item in _list(data["when"], where, "when"))
    if not when:
        _fail(where, "'when' needs at least one condition")
    allowed = set(_SUGGESTION_FIELDS)
    if not any(isinstance(condition, ScoreCondition) for condition in when):
        allowed.discard("value")
    return SuggestionRule(
        id=str(data["id"]),
        instrument=str(code),
        when=when,
        dimension=_dimension_number(data["dimension"], where),
        rating=_int(data["rating"], where, "rating", RATINGS),
        reason=_template(data["reason"], where, frozenset(allowed)),
    )


def _entries(raw: object, source: str, kind: str) -> list[tuple[str, object]]:
    """(where, entry) for each rule, with the rule's id checked and unique, so that later
    errors name the rule."""
    seen: set[str] = set()
    entries = []
    for index, entry in enumerate(_list(raw, source, f"{kind}s"), start=1):
        rule_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(rule_id, str) or not _ID.match(rule_id):
            _fail(f"{source} {kind} #{index}", f"id must be letters, digits, '.', '_' or '-', not {rule_id!r}")
        if rule_id in seen:
            _fail(f"{source} {kind} {rule_id}", "duplicate id")
        seen.add(rule_id)
        entries.append((f"{source} {kind} {rule_id}", entry))
    return entries


def parse_rule_set(data: object, *, source: str = "rule set") -> RuleSet:
    """Check and build a rule set from decoded JSON. Raises RuleSetError naming ``source``
    and the rule for anything malformed: an unknown level, dimension, fit factor,
    instrument, band or placeholder, a missing key, or no withdrawal safety rule."""
    top = _object(
        data,
        source,
        required=(
            "format",
            "version",
            "label",
            "published",
            "basis",
            "edition",
            "iop_level",
            "default_level",
            "default_reason",
            "levels",
            "rules",
            "suggestions",
        ),
        optional=("comment",),
    )
    if top["format"] != FORMAT:
        _fail(source, f"format {top['format']!r} is not supported (this code reads format {FORMAT})")
    version = _str(top["version"], source, "version")
    if not _VERSION.match(version):
        _fail(source, f"version must be numbers separated by dots, not {version!r}")
    edition = _str(top["edition"], source, "edition")

    levels: list[Level] = []
    for index, raw in enumerate(_list(top["levels"], source, "levels"), start=1):
        where = f"{source} level #{index}"
        entry = _object(raw, where, required=("code", "name", "hours_hint", "withdrawal_management_label"))
        code = _str(entry["code"], where, "code")
        if any(level.code == code for level in levels):
            _fail(where, f"duplicate level code {code!r}")
        levels.append(
            Level(
                code=code,
                name=_str(entry["name"], where, "name"),
                hours_hint=_str(entry["hours_hint"], where, "hours_hint"),
                edition=edition,
                withdrawal_management_label=_str(
                    entry["withdrawal_management_label"], where, "withdrawal_management_label"
                ),
            )
        )
    if not levels:
        _fail(source, "levels must not be empty")
    codes = [level.code for level in levels]

    rules = tuple(_rule(raw, where, codes) for where, raw in _entries(top["rules"], source, "rule"))
    suggestions = tuple(_suggestion(raw, where) for where, raw in _entries(top["suggestions"], source, "suggestion"))
    rule_set = RuleSet(
        version=version,
        label=_str(top["label"], source, "label"),
        edition=edition,
        basis=_str(top["basis"], source, "basis"),
        published=_str(top["published"], source, "published"),
        iop_level=_level_code(top["iop_level"], source, "iop_level", codes),
        default_level=_level_code(top["default_level"], source, "default_level", codes),
        default_reason=_str(top["default_reason"], source, "default_reason"),
        levels=tuple(levels),
        rules=rules,
        suggestions=suggestions,
        source=source,
    )
    _check_withdrawal_safety(rule_set)
    return rule_set


def _check_withdrawal_safety(rule_set: RuleSet) -> None:
    """Refuse a rule set that could place severe withdrawal risk at IOP or below.

    One rule whose only condition is "dimension 1 at least 3 (or lower)" with a minimum
    above IOP and withdrawal management is enough: minimums only ever raise the level."""
    iop = rule_set.rank(rule_set.iop_level)
    for rule in rule_set.rules:
        if (
            len(rule.when) == 1
            and isinstance(condition := rule.when[0], DimensionCondition)
            and condition.dimensions == (1,)
            and condition.at_least <= 3
            and condition.at_most == 4
            and rule.min_level is not None
            and rule_set.rank(rule.min_level) > iop
            and rule.withdrawal_management
        ):
            return
    _fail(
        rule_set.source,
        f"no withdrawal safety rule: one rule must have the single condition dimension 1 at_least 3 (or lower), "
        f"a min_level above {rule_set.iop_level} and withdrawal_management true",
    )


@functools.cache
def available_versions() -> tuple[str, ...]:
    """The rule-set versions in ``rules/``, oldest first (read once: the files ship with the code)."""
    found = (match.group(1) for path in RULES_DIR.glob("placement-v*.json") if (match := _FILE.match(path.name)))
    return tuple(sorted(found, key=lambda version: tuple(int(part) for part in version.split("."))))


def load_rule_set(version: str | None = None) -> RuleSet:
    """The rule set ``version`` ("1"), or the newest when None. Loaded once and cached;
    ValueError for a version that does not exist, RuleSetError for malformed data."""
    versions = available_versions()
    if version is None:
        if not versions:
            raise RuleSetError(f"no placement rule set in {RULES_DIR}")
        version = versions[-1]
    if version not in versions:
        raise ValueError(f"No placement rule set version {version!r}; available: {', '.join(versions)}")
    return _load(version)


@functools.cache
def _load(version: str) -> RuleSet:
    path = RULES_DIR / f"placement-v{version}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RuleSetError(f"{path.name}: not valid JSON ({error})") from None
    rule_set = parse_rule_set(data, source=path.name)
    if rule_set.version != version:
        raise RuleSetError(f"{path.name}: says version {rule_set.version!r}, expected {version!r}")
    return rule_set


# The vocabulary of the newest rule set, checked at import so bad data fails loudly at start-up.
LEVELS: tuple[Level, ...] = load_rule_set().levels
