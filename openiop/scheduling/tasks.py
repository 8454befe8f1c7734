# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background jobs of the scheduling app (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from openiop.scheduling import planning


@task()
def build_week(proposal_id: int) -> str:
    """Solve a queued week proposal in the worker, not in the request: the
    solve takes up to OPENIOP_SCHEDULE_SOLVE_SECONDS. Returns the proposal's
    final status ("skipped" when it had already been picked up)."""
    proposal = planning.week_run(proposal_id)
    return proposal.status if proposal is not None else "skipped"
