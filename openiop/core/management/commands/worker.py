# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run the background worker (django-tasks' db_worker) with a heartbeat that
/healthz reads, and the periodic jobs the apps register with
``openiop.core.jobs.register_periodic``: among them the audit sealer (every
``OPENIOP_AUDIT_SEAL_SECONDS`` it seals the events written since its last pass
and, at least hourly, writes a signed checkpoint; openiop.audit.jobs)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from openiop.core.jobs import periodic_jobs
from openiop.core.models import WorkerHeartbeat

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
        # Each app's periodic jobs (the audit sealer, the privacy digest, the
        # clearinghouse inbox) in threads of their own: a long pass of one
        # never delays the heartbeat or another.
        for job in periodic_jobs():
            every(job.seconds, stop, job.name, job.step)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
