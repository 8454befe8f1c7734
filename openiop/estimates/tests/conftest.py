# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fixtures for the Good Faith Estimate tests: a self-pay patient admitted
at North, self-pay prices, and the people who draft, issue and read them.
The clock stands on Thursday 5 March 2026 (``patients.tests.factories``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.billing.services import fee_schedule_create
from openiop.core.roles import RoleCode
from openiop.estimates import planning, services
from openiop.estimates.models import GoodFaithEstimate
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import NOW, TODAY, register
from openiop.sites.models import Organization, Site

SELF_PAY_FEES = {"H0015": "250.00", "H0001": "200.00", "80305": "30.00", "90834": "140.00"}
NPI = "1234567893"
TIN = "12-3456789"
# Monday 16 March 2026 (7 business days after the clock): four weeks of the standard track from here.
FIRST_DAY = dt.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def numbered(organization: Organization) -> Organization:
    organization.npi = NPI
    organization.tax_id = TIN
    organization.save(update_fields=["npi", "tax_id"])
    return organization


@pytest.fixture
def self_pay_fees(north: Site) -> None:
    for code, amount in SELF_PAY_FEES.items():
        fee_schedule_create(
            actor=None,
            organization=north.organization,
            code=code,
            charge_amount=Decimal(amount),
            expected_amount=Decimal(amount),
            effective_from=dt.date(2026, 1, 1),
        )


@pytest.fixture
def biller(persona: Callable[..., User]) -> User:
    return persona(RoleCode.BILLING_SPECIALIST, username="bea")


@pytest.fixture
def patient(north: Site, bob: User, numbered: Organization, self_pay_fees: None) -> Patient:
    person = register(north, legal_first_name="Rosa", legal_last_name="Alvarez", birth_date=dt.date(1990, 4, 17))
    episode_admit(actor=bob, patient=person, site=north, admission_date=TODAY, primary_counsellor=bob)
    return person


def inputs(**changes: object) -> planning.Inputs:
    values: dict[str, object] = {
        "first_day": FIRST_DAY,
        "weeks": 4,
        "level_of_care": "2.1",
        "drug_tests_per_week": 1,
        "individual_sessions_per_week": 0,
        "include_intake": True,
    }
    values.update(changes)
    return planning.Inputs(**values)  # type: ignore[arg-type]


@pytest.fixture
def draft(patient: Patient, biller: User) -> GoodFaithEstimate:
    """Four weeks of the standard track, scheduled today (Thursday) for the Monday after next."""
    return services.estimate_create(actor=biller, patient=patient, inputs=inputs(), scheduled_on=TODAY)
