# SPDX-License-Identifier: AGPL-3.0-or-later
"""Next week's schedule: group assignments and individual appointments built
with OR-Tools CP-SAT, a greedy baseline, seat checks, explanations in words and
one-patient re-planning. Plain data in and out; no database."""

from openiop.scheduling.optimizer.explain import describe_availability, explain
from openiop.scheduling.optimizer.greedy import greedy
from openiop.scheduling.optimizer.instance import Score, Weights, build_site, score, violations
from openiop.scheduling.optimizer.model import (
    DAY_NAMES,
    Clinician,
    GroupSession,
    IndividualSlot,
    Patient,
    Problem,
    ProblemError,
    Schedule,
    Site,
    Track,
    Window,
    combine,
    merge_windows,
    validate,
)
from openiop.scheduling.optimizer.parallel import ERROR
from openiop.scheduling.optimizer.precheck import Shortfall, seat_check
from openiop.scheduling.optimizer.replan import ReplanResult, replan_patient
from openiop.scheduling.optimizer.solve import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    UNKNOWN,
    Result,
    SiteResult,
    SolveOptions,
    solve,
    solve_each,
)
from openiop.scheduling.optimizer.warmstart import carry_over

__all__ = [
    "DAY_NAMES",
    "ERROR",
    "FEASIBLE",
    "INFEASIBLE",
    "OPTIMAL",
    "UNKNOWN",
    "Clinician",
    "GroupSession",
    "IndividualSlot",
    "Patient",
    "Problem",
    "ProblemError",
    "ReplanResult",
    "Result",
    "Schedule",
    "Score",
    "Shortfall",
    "Site",
    "SiteResult",
    "SolveOptions",
    "Track",
    "Weights",
    "Window",
    "build_site",
    "carry_over",
    "combine",
    "describe_availability",
    "explain",
    "greedy",
    "merge_windows",
    "replan_patient",
    "score",
    "seat_check",
    "solve",
    "solve_each",
    "validate",
    "violations",
]
