# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from openiop.claims.tests.builders import NOW


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _clearinghouse_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.OPENIOP_CLEARINGHOUSE_DIR = tmp_path / "clearinghouse"
    return tmp_path / "clearinghouse"
