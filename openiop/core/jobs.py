# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background jobs: enqueue only after the surrounding transaction commits.

django-tasks (database backend) enqueues immediately; a job enqueued inside a
transaction that later rolls back would act on rows that never existed, and
on PostgreSQL a worker could pick it up before the rows are visible. So every
enqueue goes through ``enqueue_on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_tasks.base import Task


def enqueue_on_commit(task: Task[Any, Any], *args: Any, using: str | None = None, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using)


# --- Periodic jobs ----------------------------------------------------------------------------------------------------
# The worker (manage.py worker) runs each registered job in a thread of its own
# every ``seconds``: the apps register theirs in ready(), so core never imports
# them (the audit sealer, the privacy digest, the clearinghouse inbox).


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    seconds: float
    step: Callable[[], object]


_periodic: dict[str, PeriodicJob] = {}


def register_periodic(job: PeriodicJob) -> None:
    """Have the worker run JOB every ``job.seconds``; registering a name again replaces it."""
    _periodic[job.name] = job


def periodic_jobs() -> list[PeriodicJob]:
    return list(_periodic.values())
