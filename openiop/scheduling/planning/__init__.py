# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week planner's seam with the database: build the optimizer's Problem
for one site's next week, store what it proposes, and publish a proposal.

Only what the planner placed (source "optimizer") is ever replaced: bookings
staff made by hand stay, count towards the week, take their seats and block
the patient's and clinician's time. Publishing runs every booking through the
same services as a booking by hand (overlaps, capacity, opening hours), in one
transaction: one refusal and the published schedule stays exactly as it was.
"""

from openiop.scheduling.planning.problem import (
    DEFAULT_CASELOAD,
    OPTIMIZER,
    Built,
    build_problem,
    matrix_week,
    slot_id,
    subtract,
    tracks_of,
)
from openiop.scheduling.planning.publishing import emptied_sessions, publish
from openiop.scheduling.planning.warm import published_last_week
from openiop.scheduling.planning.weeks import (
    expire_stuck,
    next_monday,
    propose_replan,
    propose_week,
    propose_weeks,
    solve_processes,
    solve_seconds,
    stuck_after,
    week_request,
    week_run,
)

__all__ = [
    "DEFAULT_CASELOAD",
    "OPTIMIZER",
    "Built",
    "build_problem",
    "emptied_sessions",
    "expire_stuck",
    "matrix_week",
    "next_monday",
    "propose_replan",
    "propose_week",
    "propose_weeks",
    "publish",
    "published_last_week",
    "slot_id",
    "solve_processes",
    "solve_seconds",
    "stuck_after",
    "subtract",
    "tracks_of",
    "week_request",
    "week_run",
]
