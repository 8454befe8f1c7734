# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared clock, staff, payers, patients and coverage for the insurance tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.insurance import services
from openiop.insurance.models import Coverage, Payer, PayerKind
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import NOW, TODAY, register
from openiop.privacy import services as privacy
from openiop.privacy.information import REQUIRED_STATEMENTS, ConsentKind, ExpiryKind, Purpose
from openiop.sites.models import Site

__all__ = ["NOW", "TODAY"]


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENIOP_CLEARINGHOUSE_DIR = tmp_path / "clearinghouse"


@pytest.fixture
def biller(persona: Callable[..., User]) -> User:
    return persona(RoleCode.BILLING_SPECIALIST, username="bea")


@pytest.fixture
def navigator(persona: Callable[..., User]) -> User:
    return persona(RoleCode.ADMISSIONS_NAVIGATOR, username="noah")


@pytest.fixture
def payer(north: Site) -> Payer:
    return services.payer_create(
        actor=None, organization=north.organization, name="Blue Shield", payer_id="BS001", kind=PayerKind.COMMERCIAL
    )


@pytest.fixture
def medicaid(north: Site) -> Payer:
    return services.payer_create(
        actor=None,
        organization=north.organization,
        name="MassHealth",
        payer_id="MH777",
        kind=PayerKind.MEDICAID,
        per_diem_min_minutes_per_day=0,
        per_diem_min_days_per_week=2,
        per_diem_min_minutes_per_week=540,
    )


@pytest.fixture
def patient(north: Site, bob: User) -> Patient:
    person = register(north, legal_first_name="Tom", legal_last_name="Diaz")
    episode_admit(
        actor=bob, patient=person, site=north, admission_date=TODAY - dt.timedelta(days=10), primary_counsellor=bob
    )
    return person


@pytest.fixture
def coverage(patient: Patient, payer: Payer, biller: User) -> Coverage:
    return services.coverage_create(
        actor=biller,
        patient=patient,
        payer=payer,
        member_id="XYZ123456",
        plan_name="PPO Gold",
        effective_date=TODAY - dt.timedelta(days=10),
    )


@pytest.fixture
def provider(patient: Patient) -> None:
    organization = patient.organization
    organization.npi = "1234567893"
    organization.save()


@pytest.fixture
def tpo_consent(patient: Patient, biller: User) -> None:
    privacy.consent_record(
        actor=biller,
        patient=patient,
        kind=ConsentKind.TPO,
        information=["all_except_counseling_notes"],
        purposes=[Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
        expiry_kind=ExpiryKind.END_OF_TREATMENT,
        signed_on=TODAY - dt.timedelta(days=10),
        signature_confirmed=True,
        statements=REQUIRED_STATEMENTS[ConsentKind.TPO],
    )


@pytest.fixture
def member(coverage: Coverage, biller: User) -> Coverage:
    """The coverage as the sample 271s know it (Sunrise's member SHP100200300)."""
    return services.coverage_update(actor=biller, coverage=coverage, expected_version=1, member_id="SHP100200300")
