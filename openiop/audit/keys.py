# SPDX-License-Identifier: AGPL-3.0-or-later
"""The audit key: what makes the seal chain and the checkpoints unforgeable.

Read by the settings at start-up, so it never touches the database: someone
who can rewrite every row still cannot compute a seal that verifies. Kept apart
from SECRET_KEY, which may be rotated; this key must stay the same for as long
as the log it signed is kept.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from openiop.config.env import env_str

MINIMUM_KEY_LENGTH = 32


def audit_key(var_dir: Path) -> bytes:
    """OPENIOP_AUDIT_KEY or OPENIOP_AUDIT_KEY_FILE, else a key generated once
    into ``var/audit_key`` (readable by its owner only)."""
    configured = env_str("OPENIOP_AUDIT_KEY")
    if configured is not None:
        if len(configured) < MINIMUM_KEY_LENGTH:
            raise ImproperlyConfigured(f"OPENIOP_AUDIT_KEY: must be at least {MINIMUM_KEY_LENGTH} characters long")
        return configured.encode("utf-8")
    key_file = var_dir / "audit_key"
    if not key_file.exists():
        # Written aside and linked into place: of two processes starting at
        # once (web and worker), one key wins and both read it. Two keys would
        # leave seals that never verify.
        var_dir.mkdir(parents=True, exist_ok=True)
        draft = var_dir / f".audit_key.{os.getpid()}.{secrets.token_hex(4)}"
        draft.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = key_file.read_text(encoding="utf-8").strip()
    if len(key) < MINIMUM_KEY_LENGTH:
        raise ImproperlyConfigured(f"{key_file}: the audit key must be at least {MINIMUM_KEY_LENGTH} characters long")
    return key.encode("utf-8")
