# SPDX-License-Identifier: AGPL-3.0-or-later
"""Append-only, hash-chained audit events (HIPAA 45 CFR 164.312(b) audit controls).

Each event stores the SHA-256 of its own content together with the previous
event's hash, so altering, reordering or deleting any event breaks the chain
that ``manage.py audit_verify`` walks. ``AuditChainHead`` remembers the last
sequence number and hash, which also exposes a deleted tail.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from openiop.accounts.access import RestrictedQuerySet

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(RestrictedQuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        # An upsert would rewrite existing events through the back door.
        if kwargs.get("update_conflicts"):
            raise AppendOnlyError("audit events cannot be changed")
        return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # No database constraint and no cascade: an event outlives any account
        # and must never be rewritten by one.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    patient_id = models.CharField(max_length=64, blank=True, db_index=True)
    site_id = models.IntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor", "occurred_at"]), models.Index(fields=["patient_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new instance given an existing primary key would make Django try an
        # UPDATE first and silently overwrite that event; only the database
        # hands out ids, and only as an INSERT.
        if not self._state.adding or self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")

    def canonical(self) -> str:
        """The exact text the hash covers."""
        return json.dumps(
            [
                self.seq,
                self.occurred_at.isoformat(timespec="microseconds"),
                self.actor_id,
                self.actor_username,
                self.action,
                self.object_type,
                self.object_id,
                self.object_repr,
                self.patient_id,
                self.site_id,
                self.ip,
                self.request_id,
                self.data,
                self.prev_hash,
            ],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while an event is appended, so events get
    consecutive sequence numbers and chain in commit order."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
