# SPDX-License-Identifier: AGPL-3.0-or-later
"""Seal written audit events into the keyed chain, one sealer at a time.

Requests only INSERT events (``log_action``). This module, run by the worker
every ``OPENIOP_AUDIT_SEAL_SECONDS`` and by the audit commands, gives every
committed event without a seal the next seal number, in event-id order:

    hash = HMAC-SHA256(audit key, "<seq>\\n<previous hash>\\n<event content>")

An event whose transaction commits late (after events with higher ids were
sealed) simply gets a later seal number; the chain's order is the order of
sealing, and the event id keeps the order of writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from openiop.audit.models import GENESIS_HASH, AuditEvent, AuditSeal, AuditSealer

# Events sealed per transaction: the sealer's lock (and, on SQLite, the
# database's write lock) is never held for long.
BATCH_SIZE = 2000
# Routine passes look only at events above a floor that trails the newest
# event by this much, so an event committed late is still found cheaply.
FLOOR_LAG = dt.timedelta(minutes=10)
# A full sweep (every event without a seal, however old) this often.
FULL_SWEEP_EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SealResult:
    sealed: int
    last_seq: int
    last_hash: str
    last_event_id: int | None
    # Another sealer held the lock and this call did not wait for it.
    busy: bool = False


def audit_key() -> bytes:
    key: bytes = settings.OPENIOP_AUDIT_KEY
    return key


def seal_hash(key: bytes, seq: int, prev_hash: str, event: AuditEvent) -> str:
    message = f"{seq}\n{prev_hash}\n{event.canonical()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def last_seal(using: str) -> AuditSeal | None:
    return AuditSeal.objects.using(using).order_by("-seq").first()


def _result(using: str, sealed: int, *, busy: bool = False) -> SealResult:
    tail = last_seal(using)
    if tail is None:
        return SealResult(sealed, 0, GENESIS_HASH, None, busy)
    return SealResult(sealed, tail.seq, tail.hash, tail.event_id, busy)


def _locked_state(using: str, *, wait: bool) -> AuditSealer | None:
    """The sealer's row, locked for this transaction; None when another
    sealer holds it and WAIT is false."""
    rows = AuditSealer.objects.using(using)
    if connections[using].features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=not wait)
    state = rows.filter(pk=1).first()
    if state is None and not AuditSealer.objects.using(using).filter(pk=1).exists():
        try:
            with transaction.atomic(using=using):
                AuditSealer.objects.using(using).create(pk=1)
        except IntegrityError:
            pass  # another sealer made it first
        state = rows.filter(pk=1).first()
    return state


def seal_pending(*, wait: bool = True, full_sweep: bool = False) -> SealResult:
    """Seal every committed event that has no seal yet; returns the new tail.

    With ``wait`` false (the worker), a pass already under way elsewhere is
    left to finish and this call returns at once with ``busy`` set.
    ``full_sweep`` looks below the floor too (done hourly in any case)."""
    using = router.db_for_write(AuditSeal)
    key = audit_key()
    sealed = 0
    above_id = None
    while True:
        moment = timezone.now()
        with transaction.atomic(using=using):
            state = _locked_state(using, wait=wait)
            if state is None:
                return _result(using, sealed, busy=True)
            sweep = (
                full_sweep or state.last_full_sweep_at is None or moment - state.last_full_sweep_at >= FULL_SWEEP_EVERY
            )
            floor = 0 if sweep else state.scan_from_id
            if above_id is not None:
                floor = max(floor, above_id)
            batch = list(
                AuditEvent.objects.using(using).filter(id__gt=floor, seal__isnull=True).order_by("id")[:BATCH_SIZE]
            )
            tail = last_seal(using)
            seq, prev_hash = (tail.seq, tail.hash) if tail is not None else (0, GENESIS_HASH)
            seals = []
            for event in batch:
                seq += 1
                digest = seal_hash(key, seq, prev_hash, event)
                seals.append(AuditSeal(seq=seq, event=event, sealed_at=moment, prev_hash=prev_hash, hash=digest))
                prev_hash = digest
            AuditSeal.objects.using(using).bulk_create(seals)
            sealed += len(seals)
            if len(batch) == BATCH_SIZE:
                above_id = batch[-1].pk
                continue
            _advance(state, using, moment, swept=sweep)
        return _result(using, sealed)


def _advance(state: AuditSealer, using: str, moment: dt.datetime, *, swept: bool) -> None:
    """After a pass that left nothing pending: move the floor up to the newest
    event seen ``FLOOR_LAG`` ago, and remember this pass."""
    if state.candidate_at is None or moment - state.candidate_at >= FLOOR_LAG:
        if state.candidate_at is not None:
            state.scan_from_id = max(state.scan_from_id, state.candidate_id)
        state.candidate_id = AuditEvent.objects.using(using).aggregate(newest=Max("id"))["newest"] or 0
        state.candidate_at = moment
    if swept:
        state.last_full_sweep_at = moment
    state.last_pass_at = moment
    state.save(using=using)
