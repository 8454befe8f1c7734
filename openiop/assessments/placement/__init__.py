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

from openiop.assessments.placement.engine import Reason, Recommendation, recommend
from openiop.assessments.placement.rule_set import (
    FORMAT,
    LEVELS,
    RULES_DIR,
    AdolescentCondition,
    BandCondition,
    BaseLevelCondition,
    Condition,
    DimensionCondition,
    FitCondition,
    FlagCondition,
    Level,
    ResultCondition,
    Rule,
    RuleSet,
    RuleSetError,
    ScoreCondition,
    SuggestionRule,
    available_versions,
    load_rule_set,
    parse_rule_set,
)
from openiop.assessments.placement.suggestions import (
    InstrumentResultInput,
    Suggestion,
    strongest_suggestions,
    suggest_ratings,
)
from openiop.assessments.placement.vocabulary import (
    DIMENSIONS,
    FIT_FACTORS,
    RATINGS,
    AnswerKind,
    Dimension,
    FitFactor,
    NoteKind,
    gettext_noop,
)

__all__ = [
    "DIMENSIONS",
    "FIT_FACTORS",
    "FORMAT",
    "LEVELS",
    "RATINGS",
    "RULES_DIR",
    "AdolescentCondition",
    "AnswerKind",
    "BandCondition",
    "BaseLevelCondition",
    "Condition",
    "Dimension",
    "DimensionCondition",
    "FitCondition",
    "FitFactor",
    "FlagCondition",
    "InstrumentResultInput",
    "Level",
    "NoteKind",
    "Reason",
    "Recommendation",
    "ResultCondition",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "ScoreCondition",
    "Suggestion",
    "SuggestionRule",
    "available_versions",
    "gettext_noop",
    "load_rule_set",
    "parse_rule_set",
    "recommend",
    "strongest_suggestions",
    "suggest_ratings",
]
