# SPDX-License-Identifier: AGPL-3.0-or-later
"""Polling the clearinghouse inbox for 271s, as a background job.

Sending a 270 queues one poll a minute later (after the sending transaction
commits); each poll reads the inbox and queues the next while electronic
checks sent in the last two days still wait for their answer. At most one
poll waits in the queue at a time. ``manage.py clearinghouse_import`` reads
files by hand.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from openiop.core.jobs import enqueue_on_commit

POLL_SECONDS = 60
# Answers come back in seconds to hours; a request unanswered after this is followed up by phone.
KEEP_POLLING = dt.timedelta(days=2)


@task()
def import_clearinghouse_inbox() -> int:
    """Read the inbox; the number of files looked at."""
    from openiop.insurance.models import CheckMethod, EligibilityCheck, EligibilityStatus
    from openiop.insurance.services_eligibility import eligibility_inbox_import

    outcomes = eligibility_inbox_import()
    waiting = EligibilityCheck.objects.filter(
        method=CheckMethod.ELECTRONIC,
        status=EligibilityStatus.PENDING,
        checked_at__gte=timezone.now() - KEEP_POLLING,
    )
    if waiting.exists():
        poll_inbox_soon()
    return len(outcomes)


def _poll_queued() -> bool:
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: one extra poll is harmless
        return False
    return DBTaskResult.objects.filter(
        task_path=import_clearinghouse_inbox.module_path, status=TaskResultStatus.READY
    ).exists()


def poll_inbox_soon() -> None:
    """Queue a poll of the inbox a minute from now, unless one is queued."""
    if _poll_queued():
        return
    enqueue_on_commit(import_clearinghouse_inbox.using(run_after=timezone.now() + dt.timedelta(seconds=POLL_SECONDS)))
