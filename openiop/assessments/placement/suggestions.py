# SPDX-License-Identifier: AGPL-3.0-or-later
"""Suggesting dimension ratings from instrument results."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openiop.assessments.instruments import get_instrument
from openiop.assessments.placement.rule_set import BandCondition, FlagCondition, RuleSet, SuggestionRule, load_rule_set

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
