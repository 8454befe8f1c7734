# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading the payers' answers to our claims from the clearinghouse inbox, as
a background job.

Writing a claim file queues a read of the inbox (after the transaction
commits); each read goes through the insurance app's clearinghouse import,
which hands 999, 277CA and 835 files to the importers in
``services_answers``, and queues the next while claims sent in the last 45
days still wait for an answer. The insurance app's own poll (for 271s) reads
the same inbox with the same importers, so either may find a file first.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from openiop.core.jobs import enqueue_on_commit

POLL_SECONDS = 15 * 60
# Remittances take weeks; a claim unanswered after this is followed up by a claim status inquiry.
KEEP_POLLING = dt.timedelta(days=45)


@task()
def import_claim_answers() -> int:
    """Read the inbox; the number of files looked at."""
    from openiop.claims.models import AWAITING_REMITTANCE, Claim
    from openiop.insurance.services_eligibility import eligibility_inbox_import

    outcomes = eligibility_inbox_import()
    waiting = Claim.objects.filter(status__in=AWAITING_REMITTANCE, updated_at__gte=timezone.now() - KEEP_POLLING)
    if waiting.exists():
        read_answers_soon()
    return len(outcomes)


def _queued() -> bool:
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: one extra read is harmless
        return False
    return DBTaskResult.objects.filter(
        task_path=import_claim_answers.module_path, status=TaskResultStatus.READY
    ).exists()


def read_answers_soon() -> None:
    """Queue a read of the inbox a while from now, unless one is queued."""
    if _queued():
        return
    enqueue_on_commit(import_claim_answers.using(run_after=timezone.now() + dt.timedelta(seconds=POLL_SECONDS)))
