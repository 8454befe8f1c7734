# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run the background worker (django-tasks' db_worker) with a heartbeat that
/healthz reads, and the audit sealer: every ``OPENIOP_AUDIT_SEAL_SECONDS`` it
seals the audit events written since its last pass and, at least hourly,
writes a signed checkpoint (openiop.audit.sealing, openiop.audit.checkpoints)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from openiop.audit.checkpoints import CheckpointRefused, checkpoint_if_due
from openiop.audit.sealing import seal_pending
from openiop.core.models import WorkerHeartbeat
from openiop.privacy.jobs import CHECK_SECONDS as PRIVACY_CHECK_SECONDS
from openiop.privacy.jobs import daily_expiry_digest

HEARTBEAT_SECONDS = 30
logger = logging.getLogger(__name__)


def beat(worker_id: str, started_at: Any) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def seal_audit_log() -> None:
    """One sealer pass, then a checkpoint if one is due. Another worker's
    pass already under way is left to finish (it seals the same events)."""
    result = seal_pending(wait=False)
    if result.busy:
        return
    try:
        checkpoint_if_due(now=timezone.now())
    except CheckpointRefused as refusal:
        # Not fatal for the worker, and never papered over with a new one.
        logger.error("audit checkpoint not written: %s", refusal)


def every(seconds: float, stop: threading.Event, name: str, step: Callable[[], object]) -> threading.Thread:
    """Run STEP now and then every SECONDS in a daemon thread until STOP."""

    def loop() -> None:
        while not stop.is_set():
            try:
                step()
            except Exception:  # a missed pass must not kill the worker
                logger.exception("%s failed", name)
            finally:
                close_old_connections()
            stop.wait(seconds)

    thread = threading.Thread(target=loop, name=f"openiop-{name}", daemon=True)
    thread.start()
    return thread


class Command(DbWorkerCommand):
    help = "Run the OpenIOP background worker (database-backed task queue) with a health heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        started_at = timezone.now()
        stop = threading.Event()
        every(HEARTBEAT_SECONDS, stop, "heartbeat", lambda: beat(heartbeat_id, started_at))
        # A thread of its own: sealing a large backlog never delays the heartbeat.
        every(settings.OPENIOP_AUDIT_SEAL_SECONDS, stop, "audit-sealer", seal_audit_log)
        # Hourly look, once-a-day send: consents expiring soon, to the privacy officers.
        every(PRIVACY_CHECK_SECONDS, stop, "privacy-daily", daily_expiry_digest)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
