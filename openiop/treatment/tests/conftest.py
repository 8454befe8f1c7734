# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.tests.factories import NOW


@pytest.fixture(autouse=True)
def _clock() -> Iterator[Any]:
    # A Thursday morning in March 2026; every date in these tests is relative to it.
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def director(persona: Callable[..., User]) -> User:
    return persona(RoleCode.CLINICAL_DIRECTOR, username="dora")


@pytest.fixture
def trainee(persona: Callable[..., User]) -> User:
    """A clinician whose notes and plans need a supervisor's co-signature."""
    return persona(RoleCode.CLINICIAN, username="terry", requires_cosignature=True)
