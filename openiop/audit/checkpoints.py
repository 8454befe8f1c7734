# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signed checkpoints of the seal chain's head, kept outside the database.

Each checkpoint is a small JSON file in ``OPENIOP_AUDIT_CHECKPOINT_DIR``:
the newest seal's number and hash, its event, when it was written, and an
HMAC under the audit key. Someone who can rewrite the database can cut the
chain's tail, wipe it, or rebuild it, but cannot move a checkpoint back or
forge a new one; ``audit_verify`` checks the chain against every checkpoint.
Keep the directory on storage the database's users cannot write to (another
volume, or copied off the machine).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import router

from openiop.audit.models import AuditSeal
from openiop.audit.sealing import audit_key, last_seal

FORMAT = "openiop-audit-checkpoint/1"
_FIELDS = ("format", "seq", "hash", "event_id", "written_at")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    event_id: int | None
    written_at: dt.datetime
    path: Path

    def __str__(self) -> str:
        return f"checkpoint {self.path.name} (seal #{self.seq}, written {self.written_at.isoformat()})"


def checkpoint_dir() -> Path:
    return Path(settings.OPENIOP_AUDIT_CHECKPOINT_DIR)


def checkpoint_interval() -> dt.timedelta:
    return dt.timedelta(minutes=settings.OPENIOP_AUDIT_CHECKPOINT_MINUTES)


def _signature(body: dict[str, Any]) -> str:
    # A key of its own, derived from the audit key: a checkpoint can never be
    # passed off as a seal or the other way round.
    signing_key = hmac.new(audit_key(), b"openiop audit checkpoint", hashlib.sha256).digest()
    text = json.dumps([body.get(name) for name in _FIELDS], separators=(",", ":"))
    return hmac.new(signing_key, text.encode(), hashlib.sha256).hexdigest()


def write_checkpoint(*, seq: int, head_hash: str, event_id: int | None, now: dt.datetime) -> Checkpoint:
    """Write one checkpoint atomically (a reader never sees half a file)."""
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    written_at = now.astimezone(dt.UTC)
    body: dict[str, Any] = {
        "format": FORMAT,
        "seq": seq,
        "hash": head_hash,
        "event_id": event_id,
        "written_at": written_at.isoformat(timespec="microseconds"),
    }
    body["signature"] = _signature(body)
    # Named so that listing the directory sorts by seal number, then time.
    path = directory / f"checkpoint-{seq:012d}-{written_at:%Y%m%dT%H%M%S%fZ}.json"
    draft = directory / f".{path.name}.{os.getpid()}.tmp"
    with open(draft, "w", encoding="utf-8") as handle:
        json.dump(body, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(draft, path)
    directory_handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_handle)
    finally:
        os.close(directory_handle)
    return Checkpoint(seq, head_hash, event_id, written_at, path)


def _read(path: Path) -> Checkpoint:
    """One checkpoint file; ValueError (with the reason) unless it is a valid,
    correctly signed checkpoint."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise ValueError("not an OpenIOP audit checkpoint")
        if not hmac.compare_digest(str(body.get("signature", "")), _signature(body)):
            raise ValueError("its signature does not match (forged, altered or signed with another key)")
        event_id = body["event_id"]
        return Checkpoint(
            seq=int(body["seq"]),
            hash=str(body["hash"]),
            event_id=int(event_id) if event_id is not None else None,
            written_at=dt.datetime.fromisoformat(body["written_at"]),
            path=path,
        )
    except (OSError, KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"unreadable ({error})") from None


def _files() -> list[Path]:
    directory = checkpoint_dir()
    return sorted(directory.glob("checkpoint-*.json")) if directory.is_dir() else []


def read_checkpoints() -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint whose signature holds, oldest seal first, and a
    sentence for each file that is not a valid checkpoint."""
    valid: list[Checkpoint] = []
    invalid: list[str] = []
    for path in _files():
        try:
            valid.append(_read(path))
        except ValueError as error:
            invalid.append(f"{path.name}: {error}")
    valid.sort(key=lambda checkpoint: (checkpoint.seq, checkpoint.written_at))
    return valid, invalid


def highest_checkpoint() -> Checkpoint | None:
    """The valid checkpoint of the highest seal (the newest, when several
    record it). Reads the last file by name first: one file, usually."""
    for path in reversed(_files()):
        try:
            return _read(path)
        except ValueError:
            continue
    return None


class CheckpointRefused(Exception):
    """The database no longer agrees with the last checkpoint: writing a new
    one would bless whatever changed it."""


def checkpoint_if_due(*, now: dt.datetime, force: bool = False) -> Checkpoint | None:
    """Write a checkpoint of the newest seal when the last one is older than
    ``OPENIOP_AUDIT_CHECKPOINT_MINUTES`` and the chain has grown since (or
    always, with FORCE). Refuses when the seal the last checkpoint recorded
    is gone or different."""
    using = router.db_for_read(AuditSeal)
    tail = last_seal(using)
    if tail is None:
        return None
    highest = highest_checkpoint()
    if highest is not None:
        recorded = AuditSeal.objects.using(using).filter(seq=highest.seq).values_list("hash", flat=True).first()
        if recorded != highest.hash:
            raise CheckpointRefused(
                f"the log no longer holds seal #{highest.seq} as {highest.path.name} recorded it; run audit_verify"
            )
        if not force and (tail.seq == highest.seq or now - highest.written_at < checkpoint_interval()):
            return None
    return write_checkpoint(seq=tail.seq, head_hash=tail.hash, event_id=tail.event_id, now=now)
