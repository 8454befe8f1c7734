# SPDX-License-Identifier: AGPL-3.0-or-later
"""Level-of-care decision support. Pure functions, no database.

    >>> calm = {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0}
    >>> recommend(calm, {}).level
    '1'

The six dimensions and the IOP-fit questions are defined here; the levels of
care and every placement rule are data, in ``rules/placement-v<N>.json`` (the
format is described in ``rules/README.md``). Each version of the rule set stays
loadable, so a decision recorded under version 1 can be re-read with version 1.

The rules are OpenIOP's own, written in the vocabulary of the ASAM Criteria,
3rd edition (2013); the licensed ASAM decision rules are not used. A licensed
rule set, or one for the 4th edition (2023), plugs in as another data file.

How a recommendation is reached (deterministic, no rule order games):
1. Every rule that does not look at the level is checked. The *base level* is
   the highest ``min_level`` among those that hold (or the default level,
   lowered by any ``max_level`` that holds, when no minimum holds).
2. Rules with a ``base_level`` condition (the IOP-fit rules) are then checked
   against that base level.
3. The level is the highest ``min_level`` of all rules that held (minimums
   always win over maximums: under-treatment is the riskier mistake), and
   withdrawal management is needed when any rule that held says so.
Every rule that held gives a reason, in rule-set order.

Safety: a rule set loads only if it holds a rule that, on dimension 1 at 3 or
above alone, sets a minimum above the IOP level and withdrawal management.
Since minimums only ever raise the level, severe withdrawal risk can never be
placed at IOP or below; a clinician who still chooses IOP records an override
with a reason (the caller does that, not this module).
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NoReturn

from openiop.assessments.instruments import INSTRUMENTS, get_instrument

__all__ = [
    "DIMENSIONS",
    "FIT_FACTORS",
    "LEVELS",
    "Dimension",
    "FitFactor",
    "InstrumentResultInput",
    "Level",
    "Reason",
    "Recommendation",
    "RuleSet",
    "RuleSetError",
    "Suggestion",
    "available_versions",
    "load_rule_set",
    "parse_rule_set",
    "recommend",
    "strongest_suggestions",
    "suggest_ratings",
]

RULES_DIR = Path(__file__).with_name("rules")
RATINGS = range(5)  # every dimension is rated for risk 0-4
FORMAT = 1  # the data format this module reads (rules/README.md)


def gettext_noop(message: str) -> str:
    """Mark text for translation without importing Django: ``makemessages`` finds
    these calls, and templates translate the value when they show it."""
    return message


# --- Dimensions ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    number: int
    name: str  # as the ASAM Criteria, 3rd edition (2013) names it
    short: str
    guidance: tuple[str, ...]  # what each rating 0-4 means, in our own words

    def __post_init__(self) -> None:
        if len(self.guidance) != len(RATINGS):
            raise ValueError(f"dimension {self.number}: guidance needs one text per rating 0-4")


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        1,
        gettext_noop("Acute intoxication and/or withdrawal potential"),
        gettext_noop("Intoxication/withdrawal"),
        (
            gettext_noop("Not intoxicated, and no signs or expected risk of withdrawal."),
            gettext_noop(
                "Mild intoxication or mild withdrawal that is easing or expected to stay mild; no history of "
                "complicated withdrawal. Manageable without extra monitoring."
            ),
            gettext_noop(
                "Moderate withdrawal, or a risk of it (for example a moderate CIWA-Ar or COWS), without past "
                "seizures or delirium. Needs withdrawal management with regular on-site checks."
            ),
            gettext_noop(
                "Severe withdrawal, or a high risk of severe or complicated withdrawal (past seizures or delirium "
                "tremens, heavy daily alcohol or sedative use). Needs 24-hour medically monitored withdrawal "
                "management."
            ),
            gettext_noop(
                "Dangerous intoxication or withdrawal now: seizures, delirium, unstable vital signs or overdose. "
                "Needs hospital care immediately."
            ),
        ),
    ),
    Dimension(
        2,
        gettext_noop("Biomedical conditions and complications"),
        gettext_noop("Biomedical"),
        (
            gettext_noop("No physical health problems, or problems that are stable and do not affect treatment."),
            gettext_noop("Mild health problems that are stable and looked after by the person's own doctor."),
            gettext_noop(
                "Health problems that need attention and could get in the way of treatment (for example poorly "
                "controlled diabetes, pregnancy, chronic pain). Coordinate with medical care."
            ),
            gettext_noop(
                "Serious health problems that are poorly controlled or need regular nursing or medical monitoring; "
                "the person cannot manage them alone."
            ),
            gettext_noop("An acute, unstable medical condition that needs round-the-clock hospital care."),
        ),
    ),
    Dimension(
        3,
        gettext_noop("Emotional, behavioral or cognitive conditions"),
        gettext_noop("Emotional/behavioral/cognitive"),
        (
            gettext_noop("No mental health symptoms, or symptoms that are stable and do not get in the way."),
            gettext_noop(
                "Mild symptoms (low mood, worry, poor sleep) that cause little difficulty; the person can take "
                "part fully."
            ),
            gettext_noop(
                "Moderate symptoms, or a co-occurring condition that needs treatment alongside substance use "
                "treatment; some difficulty with daily life."
            ),
            gettext_noop(
                "Severe symptoms that seriously limit daily life or taking part, or thoughts of suicide or violence "
                "without intent or plan. Needs close follow-up, a safety plan and daily structure."
            ),
            gettext_noop(
                "Immediate danger: suicidal or violent intent or plan, psychosis, or unable to care for self. Needs "
                "emergency or inpatient psychiatric care now (988 or 911)."
            ),
        ),
    ),
    Dimension(
        4,
        gettext_noop("Readiness to change"),
        gettext_noop("Readiness"),
        (
            gettext_noop("Engaged and committed to change; takes part willingly."),
            gettext_noop("Willing to take part, but unsure about some goals or about needing to change."),
            gettext_noop(
                "Ambivalent or passive; here mainly because of outside pressure (family, work, court) and needs "
                "motivational work."
            ),
            gettext_noop("Does not see a problem or a need to change; unlikely to take part without intensive effort."),
            gettext_noop("Refuses treatment despite serious, immediate consequences of continued use."),
        ),
    ),
    Dimension(
        5,
        gettext_noop("Relapse, continued use or continued problem potential"),
        gettext_noop("Relapse potential"),
        (
            gettext_noop("No current risk of use or relapse; has solid coping skills."),
            gettext_noop("Some risk of relapse; knows the triggers and has coping skills, helped by regular support."),
            gettext_noop(
                "A clear risk of relapse or continued use, with limited coping skills; needs frequent, structured "
                "treatment to build them."
            ),
            gettext_noop(
                "A high risk: continued use despite consequences, strong cravings, or relapse soon after treatment; "
                "cannot cope without close daily support."
            ),
            gettext_noop(
                "Continued use with imminently dangerous consequences, and no ability to stop without a 24-hour "
                "structured setting."
            ),
        ),
    ),
    Dimension(
        6,
        gettext_noop("Recovery/living environment"),
        gettext_noop("Recovery environment"),
        (
            gettext_noop("A safe, stable home and people around who support recovery."),
            gettext_noop("A mostly supportive environment with some stress that the person can handle."),
            gettext_noop(
                "An unsupportive or stressful environment (use at home, conflict, insecure work or housing) that "
                "the person can handle with structured support."
            ),
            gettext_noop(
                "An environment that works against recovery: others using at home, no stable housing, or nobody "
                "supportive. The person needs a different place to live to recover."
            ),
            gettext_noop(
                "A dangerous environment (violence, abuse, no safe place to stay) or one that actively blocks "
                "recovery. Needs a safe place or 24-hour structure now."
            ),
        ),
    ),
)
_DIMENSION = MappingProxyType({dimension.number: dimension for dimension in DIMENSIONS})


# --- IOP fit (DOMAIN.md "Good fit for IOP") -------------------------------------------------------------------------


@dataclass(frozen=True)
class FitFactor:
    code: str
    question: str  # asked in plain words; the answer is yes (True) or no (False)
    favours_iop_when: bool  # the answer that makes IOP a better fit
    label: str = ""  # the favourable state, as DOMAIN.md lists it
    against_label: str = ""  # the state when the answer argues against IOP


FIT_FACTORS: tuple[FitFactor, ...] = (
    FitFactor(
        "strong_support",
        gettext_noop("Does the person have family, friends or others who actively support their recovery?"),
        True,
        gettext_noop("strong support system"),
        gettext_noop("no strong support system"),
    ),
    FitFactor(
        "stable_home",
        gettext_noop("Does the person have a stable, safe place to live for the coming months?"),
        True,
        gettext_noop("stable home"),
        gettext_noop("no stable home"),
    ),
    FitFactor(
        "previous_iop",
        gettext_noop("Has the person been in an intensive outpatient program before?"),
        False,
        gettext_noop("not previously in IOP"),
        gettext_noop("previously in IOP"),
    ),
    FitFactor(
        "low_relapse_risk_at_home",
        gettext_noop(
            "Is the risk of using again low at home (nobody there uses, and alcohol or drugs are not easy to get)?"
        ),
        True,
        gettext_noop("lower relapse risk at home"),
        gettext_noop("higher relapse risk at home"),
    ),
    FitFactor(
        "comfortable_in_groups",
        gettext_noop("Is the person comfortable talking and listening in a group?"),
        True,
        gettext_noop("comfortable in groups"),
        gettext_noop("not comfortable in groups"),
    ),
    FitFactor(
        "no_severe_withdrawal_risk",
        gettext_noop(
            "Is the person free of any risk of severe withdrawal (no past seizures or delirium tremens when "
            "stopping, no heavy daily alcohol, benzodiazepine or other sedative use)?"
        ),
        True,
        gettext_noop("no risk of severe withdrawal"),
        gettext_noop("risk of severe withdrawal"),
    ),
    FitFactor(
        "schedule_around_work_school",
        gettext_noop("Does the person need treatment scheduled around work, school or caring for others?"),
        True,
        gettext_noop("needs a schedule that fits work or school"),
        gettext_noop("no need to fit treatment around work or school"),
    ),
)
_FIT = MappingProxyType({factor.code: factor for factor in FIT_FACTORS})

AnswerKind = Literal["for", "against", "unanswered"]
NoteKind = Literal["caution", "supports", "info"]
_ANSWER_KINDS: Mapping[str, AnswerKind] = MappingProxyType(
    {"for": "for", "against": "against", "unanswered": "unanswered"}
)
_NOTE_KINDS: Mapping[str, NoteKind] = MappingProxyType({"caution": "caution", "supports": "supports", "info": "info"})
_NOTE_EFFECT: Mapping[NoteKind, str] = MappingProxyType(
    {"caution": "IOP fit caution", "supports": "IOP fit", "info": "note"}
)


def _answer_kind(factor: FitFactor, answer: bool | None) -> AnswerKind:
    if answer is None:
        return "unanswered"
    return "for" if answer == factor.favours_iop_when else "against"


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


# --- Recommending a level --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule_id: str  # from the rule-set data ("default" when no rule set the level)
    text: str
    effect: str  # "at least 3.7; withdrawal management", "IOP fit caution", "note", ...
    decisive: bool = False  # this rule set the recommended level


@dataclass(frozen=True)
class Recommendation:
    level: str  # a code from the rule set's levels
    withdrawal_management: bool
    reasons: tuple[Reason, ...]  # every rule that held, in rule-set order
    rule_set: str  # the rule set's label, e.g. "openiop-placement v1 (2026-11)"
    rule_set_version: str = ""
    level_name: str = ""
    withdrawal_management_label: str = ""  # "3.7-WM" when withdrawal management is needed, else ""
    base_level: str = ""  # the level before the IOP-fit rules


@dataclass(frozen=True)
class _Facts:
    ratings: Mapping[int, int]
    fit: Mapping[str, bool | None]
    adolescent: bool
    base_level: str | None = None


@dataclass(frozen=True)
class _Match:
    dimensions: tuple[int, ...]
    factors: tuple[tuple[str, AnswerKind], ...]


def recommend(
    ratings: Mapping[int, int],
    fit: Mapping[str, bool | None],
    *,
    adolescent: bool = False,
    rule_set: RuleSet | None = None,
) -> Recommendation:
    """Recommend a level of care from the six dimension ratings (all required, 0-4) and
    the IOP-fit answers (True/False, None or absent when not asked).

    Raises ValueError naming the dimension for a missing or out-of-range rating, and
    naming the factor for an unknown fit code or an answer that is not yes/no/None."""
    rules = rule_set or load_rule_set()
    facts = _Facts(_checked_ratings(ratings), _checked_fit(fit), _checked_adolescent(adolescent))

    held: dict[int, tuple[Rule, _Match]] = {}
    for index, rule in enumerate(rules.rules):
        if not rule.uses_base_level and (match := _match(rule, facts)):
            held[index] = (rule, match)
    base = _combine(rules, [rule for rule, _ in held.values()])
    with_base = _Facts(facts.ratings, facts.fit, facts.adolescent, base)
    for index, rule in enumerate(rules.rules):
        if rule.uses_base_level and (match := _match(rule, with_base)):
            held[index] = (rule, match)
    in_order = [held[index] for index in sorted(held)]
    level = _combine(rules, [rule for rule, _ in in_order])

    reasons = [_reason(rules, rule, match, with_base, level) for rule, match in in_order]
    if not any(rule.min_level or rule.max_level for rule, _ in in_order):
        reasons.insert(0, Reason("default", rules.default_reason, f"level {rules.default_level}", decisive=True))
    withdrawal_management = any(rule.withdrawal_management for rule, _ in in_order)
    chosen = rules.level(level)
    return Recommendation(
        level=level,
        withdrawal_management=withdrawal_management,
        reasons=tuple(reasons),
        rule_set=rules.label,
        rule_set_version=rules.version,
        level_name=chosen.name,
        withdrawal_management_label=chosen.withdrawal_management_label if withdrawal_management else "",
        base_level=base,
    )


def _checked_ratings(ratings: Mapping[int, int]) -> Mapping[int, int]:
    for key in ratings:
        if isinstance(key, bool) or key not in _DIMENSION:
            raise ValueError(f"Unknown dimension {key!r}; dimensions are 1-6")
    for dimension in DIMENSIONS:
        if dimension.number not in ratings:
            raise ValueError(f"Dimension {dimension.number} ({dimension.name}) has no rating")
        value = ratings[dimension.number]
        if isinstance(value, bool) or not isinstance(value, int) or value not in RATINGS:
            raise ValueError(f"Dimension {dimension.number} ({dimension.name}): rating {value!r} is not 0-4")
    return MappingProxyType(dict(ratings))


def _checked_fit(fit: Mapping[str, bool | None]) -> Mapping[str, bool | None]:
    for code, answer in fit.items():
        if code not in _FIT:
            raise ValueError(f"Unknown IOP-fit factor {code!r}; known: {', '.join(_FIT)}")
        if answer is not None and not isinstance(answer, bool):
            raise ValueError(f"IOP-fit factor {code!r}: answer {answer!r} is not yes (True), no (False) or None")
    return MappingProxyType({code: fit.get(code) for code in _FIT})


def _checked_adolescent(adolescent: bool) -> bool:
    if not isinstance(adolescent, bool):
        raise ValueError(f"adolescent must be True or False, not {adolescent!r}")
    return adolescent


def _match(rule: Rule, facts: _Facts) -> _Match | None:
    dimensions: list[int] = []
    factors: list[tuple[str, AnswerKind]] = []
    for condition in rule.when:
        if isinstance(condition, DimensionCondition):
            hits = [d for d in condition.dimensions if condition.at_least <= facts.ratings[d] <= condition.at_most]
            if len(hits) < condition.count:
                return None
            dimensions.extend(d for d in hits if d not in dimensions)
        elif isinstance(condition, FitCondition):
            kinds = ((code, _answer_kind(_FIT[code], facts.fit[code])) for code in condition.factors)
            hits_fit = [(code, kind) for code, kind in kinds if kind == condition.answer]
            if len(hits_fit) < condition.count:
                return None
            factors.extend(hit for hit in hits_fit if hit not in factors)
        elif isinstance(condition, AdolescentCondition):
            if facts.adolescent != condition.adolescent:
                return None
        elif facts.base_level not in condition.levels:
            return None
    return _Match(tuple(dimensions), tuple(factors))


def _combine(rules: RuleSet, held: Sequence[Rule]) -> str:
    """Highest minimum; with no minimum, the default lowered by the lowest maximum."""
    level = rules.rank(rules.default_level)
    ceilings = [rules.rank(rule.max_level) for rule in held if rule.max_level]
    floors = [rules.rank(rule.min_level) for rule in held if rule.min_level]
    if ceilings:
        level = min(level, *ceilings)
    if floors:
        level = max(level, *floors)
    return rules.levels[level].code


def _reason(rules: RuleSet, rule: Rule, match: _Match, facts: _Facts, level: str) -> Reason:
    values = {f"d{number}": str(rating) for number, rating in facts.ratings.items()}
    values["dimensions"] = _dimension_phrase(match.dimensions)
    values["factors"] = _join([_factor_phrase(code, kind) for code, kind in match.factors])
    values["base_level"] = facts.base_level or ""
    text = rule.reason.format_map(values)

    effects: list[str] = []
    if rule.min_level:
        effects.append(f"at least {rule.min_level}")
    if rule.max_level:
        overridden = rules.rank(level) > rules.rank(rule.max_level)
        effects.append(f"at most {rule.max_level}" + (" (a higher minimum applies)" if overridden else ""))
    if rule.withdrawal_management:
        effects.append("withdrawal management")
    if rule.note:
        effects.append(_NOTE_EFFECT[rule.note])
    decisive = level in (rule.min_level, rule.max_level)
    return Reason(rule.id, text[:1].upper() + text[1:], "; ".join(effects), decisive=decisive)


def _dimension_phrase(numbers: Sequence[int]) -> str:
    if not numbers:
        return ""
    named = [f"{number} ({_DIMENSION[number].short})" for number in numbers]
    return ("dimension " if len(named) == 1 else "dimensions ") + _join(named)


def _factor_phrase(code: str, kind: AnswerKind) -> str:
    factor = _FIT[code]
    return factor.against_label if kind == "against" else factor.label


def _join(parts: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- Suggesting ratings from instrument results ----------------------------------------------------------------------


@dataclass(frozen=True)
class InstrumentResultInput:
    """What the caller knows about one stored instrument result."""

    code: str  # "PHQ-9", "CIWA-Ar", ...
    total: int
    band: str
    flags: tuple[str, ...]  # e.g. ("suicidal_ideation",), ("severe_withdrawal",)
    subscales: Mapping[str, int]
    taken_on: datetime.date


@dataclass(frozen=True)
class Suggestion:
    dimension: int  # 1-6
    rating: int  # 0-4, the lowest rating the result supports
    reason: str  # "CIWA-Ar 22 (severe) on 2026-11-20 suggests dimension 1 at 3 or above: ..."
    source: str  # instrument code
    rule_id: str = ""
    taken_on: datetime.date | None = None


def suggest_ratings(results: Sequence[InstrumentResultInput], *, rule_set: RuleSet | None = None) -> list[Suggestion]:
    """Suggested dimension ratings from the newest result of each instrument (ties on the
    date: the later in ``results`` wins). One suggestion per instrument and dimension,
    the highest its rules support, ordered by dimension then rating (highest first).
    Results of instruments the rule set has no rule for are ignored."""
    rules = rule_set or load_rule_set()
    newest: dict[str, InstrumentResultInput] = {}
    for result in results:
        try:
            code = get_instrument(result.code).code
        except ValueError:
            continue
        if code not in newest or result.taken_on >= newest[code].taken_on:
            newest[code] = result

    best: dict[tuple[str, int], Suggestion] = {}
    for rule in rules.suggestions:
        found = newest.get(rule.instrument)
        if found is None:
            continue
        value = _result_match(rule, found)
        if value is None:
            continue
        key = (rule.instrument, rule.dimension)
        if key not in best or rule.rating > best[key].rating:
            text = rule.reason.format_map(
                {
                    "code": rule.instrument,
                    "total": str(found.total),
                    "band": found.band,
                    "date": found.taken_on.isoformat(),
                    "value": "" if value is True else str(value),
                }
            )
            best[key] = Suggestion(rule.dimension, rule.rating, text, rule.instrument, rule.id, found.taken_on)
    return sorted(best.values(), key=lambda suggestion: (suggestion.dimension, -suggestion.rating))


def _result_match(rule: SuggestionRule, result: InstrumentResultInput) -> int | bool | None:
    """None when a condition fails; otherwise the score a score condition read, or True."""
    value: int | bool = True
    for condition in rule.when:
        if isinstance(condition, FlagCondition):
            if condition.flag not in result.flags:
                return None
        elif isinstance(condition, BandCondition):
            if result.band not in condition.bands:
                return None
        else:
            score = _score(result, condition.score)
            if (condition.at_least is not None and score < condition.at_least) or (
                condition.at_most is not None and score > condition.at_most
            ):
                return None
            value = score
    return value


def _score(result: InstrumentResultInput, name: str) -> int:
    if name == "total":
        return result.total
    try:
        return result.subscales[name]
    except KeyError:
        raise ValueError(
            f"{result.code} result of {result.taken_on.isoformat()} has no {name!r} subscale "
            f"(has: {', '.join(result.subscales) or 'none'})"
        ) from None


def strongest_suggestions(suggestions: Sequence[Suggestion]) -> dict[int, Suggestion]:
    """The highest suggestion for each dimension (the first one on a tie), to pre-fill a form."""
    strongest: dict[int, Suggestion] = {}
    for suggestion in suggestions:
        current = strongest.get(suggestion.dimension)
        if current is None or suggestion.rating > current.rating:
            strongest[suggestion.dimension] = suggestion
    return dict(sorted(strongest.items()))


# The vocabulary of the newest rule set, checked at import so bad data fails loudly at start-up.
LEVELS: tuple[Level, ...] = load_rule_set().levels
