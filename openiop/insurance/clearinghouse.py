# SPDX-License-Identifier: AGPL-3.0-or-later
"""The connection to the clearinghouse, behind one small interface.

Many clearinghouses take X12 files over SFTP: the program drops what it sends
in an outbox and picks up answers from an inbox. ``FileDropClearinghouse``
is that, on the local file system (mount or sync the directories with the
clearinghouse's SFTP account); another transport (an HTTP API) implements the
same three methods. No Django models here: services decide what to send and
what an answer means.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings

# A file name the clearinghouse and every file system accept.
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Answers larger than this are not X12 responses to us; they stay in the inbox for a person to look at.
MAX_INBOX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class InboxFile:
    name: str
    path: Path
    text: str


class Clearinghouse(Protocol):
    def send(self, name: str, text: str) -> Path: ...

    def receive(self) -> list[InboxFile]: ...

    def archive(self, file: InboxFile) -> None: ...


class FileDropClearinghouse:
    """``root/outbox/`` for what we send, ``root/inbox/`` for answers,
    ``root/processed/`` for answers read (kept, never deleted)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.outbox = self.root / "outbox"
        self.inbox = self.root / "inbox"
        self.processed = self.root / "processed"

    def send(self, name: str, text: str) -> Path:
        """Write TEXT as NAME in the outbox. Written under a temporary name and
        renamed, so a transfer never picks up half a file."""
        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self.outbox / safe_name(name)
        partial = self.outbox / f".{target.name}.part"
        with open(partial, "w", encoding="ascii", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
        return target

    def receive(self) -> list[InboxFile]:
        """The answers waiting in the inbox, oldest name first (hidden and
        partial files, and files too large to be ours, are left alone)."""
        if not self.inbox.is_dir():
            return []
        files = []
        for path in sorted(self.inbox.iterdir()):
            if path.name.startswith(".") or not path.is_file() or path.stat().st_size > MAX_INBOX_BYTES:
                continue
            files.append(InboxFile(path.name, path, path.read_text(encoding="latin-1")))
        return files

    def archive(self, file: InboxFile) -> None:
        """Move a read answer to ``processed/``; another worker that moved it
        first is fine."""
        self.processed.mkdir(parents=True, exist_ok=True)
        target = self.processed / file.name
        if target.exists():
            target = self.processed / f"{target.stem}-{os.getpid()}-{id(file)}{target.suffix}"
        with contextlib.suppress(FileNotFoundError):
            shutil.move(str(file.path), str(target))


def safe_name(name: str) -> str:
    cleaned = _SAFE_NAME.sub("-", name).strip(".-")
    if not cleaned:
        raise ValueError("a clearinghouse file needs a name")
    return cleaned[:120]


def clearinghouse() -> Clearinghouse:
    """The configured connection: the file drop at ``OPENIOP_CLEARINGHOUSE_DIR``."""
    return FileDropClearinghouse(Path(settings.OPENIOP_CLEARINGHOUSE_DIR))
