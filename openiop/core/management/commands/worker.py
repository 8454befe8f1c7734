# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run the background worker (django-tasks' db_worker) with a heartbeat that
/healthz reads."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

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


class Command(DbWorkerCommand):
    help = "Run the OpenIOP background worker (database-backed task queue) with a health heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        started_at = timezone.now()
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    beat(heartbeat_id, started_at)
                except Exception:  # a missed beat must not kill the worker
                    logger.exception("worker heartbeat failed")
                finally:
                    close_old_connections()
                stop.wait(HEARTBEAT_SECONDS)

        thread = threading.Thread(target=loop, name="openiop-heartbeat", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
