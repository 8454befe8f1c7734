# SPDX-License-Identifier: AGPL-3.0-or-later
"""Walk the audit chain and report every break."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openiop.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True)
class Problem:
    seq: int | None
    kind: str  # altered | missing | reordered | head
    detail: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" if self.seq is not None else "chain"
        return f"{where}: {self.kind}: {self.detail}"


def verify_chain(*, chunk_size: int = 5000) -> Iterator[Problem]:
    """Yield each problem found; yields nothing for an intact chain.

    - altered: the event's content no longer matches its stored hash;
    - missing: a sequence number is skipped (an event was deleted);
    - reordered: an event does not point at the hash of the event before it
      (events swapped, or one replaced by a re-hashed forgery);
    - head: the chain head disagrees with the last event (the tail was cut).
    """
    expected_seq = 1
    previous_hash = GENESIS_HASH
    last_seq = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            missing = f"{expected_seq}" if event.seq == expected_seq + 1 else f"{expected_seq}-{event.seq - 1}"
            yield Problem(event.seq, "missing", f"events {missing} are missing before this one")
        elif event.prev_hash != previous_hash:
            yield Problem(event.seq, "reordered", "does not follow the event before it in the chain")
        if event.compute_hash() != event.hash:
            yield Problem(
                event.seq,
                "altered",
                f"content does not match its hash ({event.action} {event.object_type}:{event.object_id})",
            )
        previous_hash = event.hash
        expected_seq = event.seq + 1
        last_seq = event.seq
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        # log_action creates the head with the first event; events without a
        # head mean it was removed, and with it the check on a cut tail.
        if last_seq:
            yield Problem(None, "head", f"the chain head is missing but the log holds events up to #{last_seq}")
    elif head.last_seq != last_seq or (last_seq and head.last_hash != previous_hash):
        yield Problem(None, "head", f"the last recorded event is #{head.last_seq} but the log ends at #{last_seq}")
