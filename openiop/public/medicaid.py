# SPDX-License-Identifier: AGPL-3.0-or-later
"""Medicaid expansion, for the cost estimator: adults with income at or below
138 % of the federal poverty guideline qualify for Medicaid in the states that
expanded it under the Affordable Care Act, and Medicaid covers intensive
outpatient treatment for substance use. Pure data and arithmetic, no database.
"""

from __future__ import annotations

from decimal import Decimal

from openiop.public.poverty import Guideline

# The ACA expansion's income limit for adults: 133 % of the guideline plus the
# 5 % income disregard.
EXPANSION_LIMIT_PERCENT = Decimal(138)

# States (and DC) that have adopted and implemented the ACA Medicaid
# expansion. Source: KFF, "Status of State Medicaid Expansion Decisions"
# (https://www.kff.org/status-of-state-medicaid-expansion-decisions/), as of
# 2025-11-01: 40 states and DC; not expanded: AL, FL, GA, KS, MS, SC, TN, TX,
# WI, WY (Wisconsin covers adults to 100 % of the guideline without the
# expansion). Update this set when a state changes course.
EXPANSION_STATES: frozenset[str] = frozenset(
    {
        "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "HI", "ID", "IL", "IN", "IA", "KY", "LA", "ME", "MD",
        "MA", "MI", "MN", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
        "RI", "SD", "UT", "VT", "VA", "WA", "WV",
    }
)  # fmt: skip


def has_expanded(state: str) -> bool:
    return state.strip().upper() in EXPANSION_STATES


def may_qualify(*, income: Decimal, household_size: int, guideline: Guideline, state: str) -> bool:
    """Whether an adult with INCOME (a year, for HOUSEHOLD_SIZE people) in
    STATE is at or under the expansion limit of a state that expanded
    Medicaid. Compared exactly, not on the rounded percent shown."""
    if not has_expanded(state):
        return False
    return income * 100 <= guideline.amount(household_size) * EXPANSION_LIMIT_PERCENT
