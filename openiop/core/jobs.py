# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background jobs: enqueue only after the surrounding transaction commits.

django-tasks (database backend) enqueues immediately; a job enqueued inside a
transaction that later rolls back would act on rows that never existed, and
on PostgreSQL a worker could pick it up before the rows are visible. So every
enqueue goes through ``enqueue_on_commit``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks.base import Task


def enqueue_on_commit(task: Task[Any, Any], *args: Any, using: str | None = None, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using)
