# SPDX-License-Identifier: AGPL-3.0-or-later
"""Walk the seal chain, compare it with the checkpoints, and report every break."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Min

from openiop.audit.checkpoints import Checkpoint, checkpoint_interval, read_checkpoints
from openiop.audit.models import GENESIS_HASH, AuditEvent, AuditSeal, AuditSealer
from openiop.audit.sealing import audit_key, seal_hash


@dataclass(frozen=True)
class Problem:
    seq: int | None
    # late | missing | reordered | altered | cut | rewritten | checkpoint
    kind: str
    detail: str

    def __str__(self) -> str:
        where = f"seal #{self.seq}" if self.seq is not None else "log"
        return f"{where}: {self.kind}: {self.detail}"


def seal_deadline() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OPENIOP_AUDIT_SEAL_DEADLINE_SECONDS)


def late_events(now: dt.datetime) -> Problem | None:
    """Events still unsealed after the deadline while no sealer has run since
    then: the worker is not sealing, and this stretch of the log is not yet
    protected by the key. Call before sealing, or it is sealed away."""
    deadline = seal_deadline()
    state = AuditSealer.objects.filter(pk=1).first()
    if state is not None and state.last_pass_at is not None and now - state.last_pass_at < deadline:
        return None  # a sealer ran recently; anything unsealed committed after it
    stale = AuditEvent.objects.filter(seal__isnull=True, occurred_at__lt=now - deadline).aggregate(
        first=Min("id"), last=Max("id"), since=Min("occurred_at")
    )
    if stale["first"] is None:
        return None
    count = AuditEvent.objects.filter(seal__isnull=True, occurred_at__lt=now - deadline).count()
    return Problem(
        None,
        "late",
        f"{count} event(s) (#{stale['first']}-#{stale['last']}, written since {stale['since']:%Y-%m-%d %H:%M:%S} UTC) "
        f"were not sealed within {int(deadline.total_seconds())} s: is the worker running?",
    )


def verify_log(*, now: dt.datetime, chunk_size: int = 5000) -> Iterator[Problem]:
    """Yield each problem found in the sealed log; nothing when it is intact.

    - missing: a seal number is skipped, or a sealed event is gone;
    - reordered: a seal does not point at the hash of the seal before it;
    - altered: a seal's HMAC does not cover its event as it reads now (the
      event or the seal was changed, or rebuilt without the key);
    - cut: a checkpoint records a seal the log no longer reaches (the tail
      was deleted, or everything was);
    - rewritten: the seal at a checkpoint's number is not the one it recorded;
    - checkpoint: a checkpoint file is forged or unreadable, or none was
      written although the log has been sealed for longer than the interval.
    """
    key = audit_key()
    checkpoints, unreadable = read_checkpoints()
    for sentence in unreadable:
        yield Problem(None, "checkpoint", sentence)
    wanted = {checkpoint.seq for checkpoint in checkpoints}
    hash_at: dict[int, str] = {}
    expected_seq, previous_hash, last_seq = 1, GENESIS_HASH, 0
    while True:
        seals = list(AuditSeal.objects.filter(seq__gte=expected_seq).order_by("seq")[:chunk_size])
        if not seals:
            break
        events = AuditEvent.objects.in_bulk([seal.event_id for seal in seals])
        for seal in seals:
            if seal.seq != expected_seq:
                gap = f"{expected_seq}" if seal.seq == expected_seq + 1 else f"{expected_seq}-{seal.seq - 1}"
                yield Problem(seal.seq, "missing", f"seals {gap} are missing before this one")
            elif seal.prev_hash != previous_hash:
                yield Problem(seal.seq, "reordered", "does not follow the seal before it in the chain")
            event = events.get(seal.event_id)
            if event is None:
                yield Problem(seal.seq, "missing", f"its event #{seal.event_id} is gone")
            elif not hmac.compare_digest(seal_hash(key, seal.seq, seal.prev_hash, event), seal.hash):
                yield Problem(
                    seal.seq,
                    "altered",
                    f"event #{event.pk} ({event.action} {event.object_type}:{event.object_id}) "
                    "does not match its seal: the event or the seal was changed "
                    "(or the audit key is not the one that sealed it)",
                )
            if seal.seq in wanted:
                hash_at[seal.seq] = seal.hash
            previous_hash, expected_seq, last_seq = seal.hash, seal.seq + 1, seal.seq
    yield from _against_checkpoints(checkpoints, hash_at, last_seq, now)


def _against_checkpoints(
    checkpoints: list[Checkpoint], hash_at: dict[int, str], last_seq: int, now: dt.datetime
) -> Iterator[Problem]:
    for checkpoint in checkpoints:
        if checkpoint.seq > last_seq:
            yield Problem(
                None,
                "cut",
                f"{checkpoint} records seal #{checkpoint.seq} (event #{checkpoint.event_id}) "
                f"but the log ends at seal #{last_seq}: events were removed",
            )
        elif hash_at.get(checkpoint.seq) != checkpoint.hash:
            yield Problem(checkpoint.seq, "rewritten", f"is not the seal {checkpoint} recorded: the log was rewritten")
    if not checkpoints and last_seq:
        first_sealed = AuditSeal.objects.filter(seq=1).values_list("sealed_at", flat=True).first()
        # Twice the interval: the worker writes one after its next pass.
        if first_sealed is None or now - first_sealed > 2 * checkpoint_interval():
            yield Problem(
                None,
                "checkpoint",
                f"no checkpoint in {settings.OPENIOP_AUDIT_CHECKPOINT_DIR} although the log holds {last_seq} seals: "
                "nothing shows whether its tail was cut (is the worker running, is the directory right?)",
            )
