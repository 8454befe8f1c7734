# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Last sign of life from each background worker, for /healthz."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.IntegerField(null=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"
