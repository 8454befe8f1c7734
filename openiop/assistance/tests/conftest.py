# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared clock, staff, a self-pay patient and charges for the ways-to-pay tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import NOW, TODAY, register
from openiop.sites.models import Site

__all__ = ["NOW", "TODAY"]


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def biller(persona: Callable[..., User]) -> User:
    return persona(RoleCode.BILLING_SPECIALIST, username="bea")


@pytest.fixture
def front_desk(persona: Callable[..., User]) -> User:
    return persona(RoleCode.FRONT_DESK, username="fran")


@pytest.fixture
def episode(north: Site, bob: User) -> Episode:
    person = register(north, legal_first_name="Tom", legal_last_name="Diaz", email="tom@example.invalid")
    return episode_admit(actor=bob, patient=person, site=north, admission_date=TODAY - dt.timedelta(days=30))


@pytest.fixture
def patient(episode: Episode) -> Patient:
    return episode.patient


@pytest.fixture
def charge(episode: Episode) -> Callable[..., Charge]:
    """A self-pay charge (no payer) of AMOUNT on DAYS_AGO, ready to bill."""

    def make(amount: str = "200.00", days_ago: int = 5, **fields: object) -> Charge:
        values: dict[str, object] = {
            "patient": episode.patient,
            "episode": episode,
            "site": episode.site,
            "service_date": TODAY - dt.timedelta(days=days_ago),
            "kind": ChargeKind.PROFESSIONAL,
            "code": "90834",
            "amount": Decimal(amount),
            "expected_amount": Decimal(amount),
            "status": ChargeStatus.READY,
        }
        values.update(fields)
        return Charge.objects.create(**values)

    return make
