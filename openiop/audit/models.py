# SPDX-License-Identifier: AGPL-3.0-or-later
"""Append-only audit events (HIPAA 45 CFR 164.312(b) audit controls), sealed
into a keyed chain after they are written.

Writing an event is a plain INSERT: its id, from the database's sequence, is
its place in the log, and no request waits for another. The sealer
(``openiop.audit.sealing``, run by the worker every few seconds and by the
audit commands) then gives each event an ``AuditSeal``: a consecutive number,
the previous seal's hash and an HMAC of both with the event's content, under a
key that is not in the database (``settings.OPENIOP_AUDIT_KEY``). Signed
checkpoints of the newest seal, written outside the database, expose a tail
that was cut or a log that was wiped and rebuilt.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from openiop.core.access import RestrictedQuerySet

# What the first seal chains from.
GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(RestrictedQuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit records cannot be deleted")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        # An upsert would rewrite existing records through the back door.
        if kwargs.get("update_conflicts"):
            raise AppendOnlyError("audit records cannot be changed")
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new instance given an existing primary key would make Django try an
        # UPDATE first and silently overwrite that record; only ever INSERT.
        if not self._state.adding:
            raise AppendOnlyError("audit records cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records cannot be deleted")


class AuditEvent(AppendOnlyModel):
    # The primary key (the database's sequence) orders the log: newest first on
    # the page, and the order the sealer seals in.
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

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["actor", "occurred_at"]), models.Index(fields=["patient_id", "occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only the database hands out ids, so nobody can aim an INSERT at a
        # place in the log either.
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def canonical(self) -> str:
        """The exact text its seal covers."""
        return json.dumps(
            [
                self.pk,
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
            ],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )


class AuditSeal(AppendOnlyModel):
    """An event's place in the keyed chain: seals are numbered 1, 2, 3, ...
    with no gap, each covering its event's content and the seal before it."""

    seq = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.DO_NOTHING, related_name="seal")
    sealed_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"seal #{self.seq} of event #{self.event_id} {self.hash[:12]}"


class AuditSealer(models.Model):
    """The sealer's own row: locked by whoever seals, so seals are added by one
    sealer at a time. Requests never touch it.

    ``scan_from_id``: every event up to this id is sealed, so routine passes
    look only above it. It trails the newest event by ``FLOOR_LAG`` so that an
    event committed late (a long transaction holding an older id) is still
    found; a full sweep (hourly, and in the audit commands) finds any other."""

    scan_from_id = models.BigIntegerField(default=0)
    candidate_id = models.BigIntegerField(default=0)
    candidate_at = models.DateTimeField(null=True, blank=True)
    last_full_sweep_at = models.DateTimeField(null=True, blank=True)
    # The end of the last pass that sealed everything it found: audit_verify
    # names events left unsealed while no sealer has run.
    last_pass_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sealer (scanning from event #{self.scan_from_id})"
