# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from openiop.patients.models import Patient
from openiop.patients.tests.factories import NOW, register
from openiop.sites.models import Site


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def patient(north: Site) -> Patient:
    return register(north)


@pytest.fixture
def other_patient(north: Site) -> Patient:
    return register(north, legal_first_name="Dan", legal_last_name="Okafor")
