# SPDX-License-Identifier: AGPL-3.0-or-later
"""The inbox poll: queued after a 270 is sent, once, and again while answers wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from openiop.accounts.models import User
from openiop.insurance import services
from openiop.insurance.jobs import import_clearinghouse_inbox
from openiop.insurance.models import Coverage

from .test_eligibility_electronic import drop_in_inbox, sample


def queued() -> int:
    return DBTaskResult.objects.filter(
        task_path=import_clearinghouse_inbox.module_path, status=TaskResultStatus.READY
    ).count()


def test_a_sent_270_queues_one_poll_of_the_inbox_after_commit(
    member: Coverage,
    biller: User,
    provider: None,
    tpo_consent: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        check = services.eligibility_check_send(actor=biller, coverage=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.eligibility_check_send(actor=biller, coverage=member)
    assert queued() == 1  # one waiting poll is enough
    DBTaskResult.objects.all().delete()
    # The poll reads the answer to the first and queues the next for the second, still pending.
    drop_in_inbox("a.271", sample("271_active.x12", trace=check.trace_number, sample_trace="OPENIOP-EC-1001"))
    with django_capture_on_commit_callbacks(execute=True):
        assert import_clearinghouse_inbox.call() == 1
    check.refresh_from_db()
    assert check.status == "active"
    assert queued() == 1
