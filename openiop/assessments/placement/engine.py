# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recommending a level of care from the dimension ratings and the IOP-fit
answers under one rule set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from openiop.assessments.placement.rule_set import (
    AdolescentCondition,
    DimensionCondition,
    FitCondition,
    Rule,
    RuleSet,
    load_rule_set,
)
from openiop.assessments.placement.vocabulary import (
    _DIMENSION,
    _FIT,
    _NOTE_EFFECT,
    DIMENSIONS,
    RATINGS,
    AnswerKind,
    _answer_kind,
)

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
