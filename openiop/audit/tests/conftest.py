# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def checkpoint_dir(settings: Any, tmp_path: Path) -> Path:
    """A private checkpoint directory for every audit test: never the
    developer's var/audit-checkpoints, whose checkpoints describe another
    database."""
    path = tmp_path / "audit-checkpoints"
    settings.OPENIOP_AUDIT_CHECKPOINT_DIR = path
    return path
