# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fixtures and builders for the billing workspace, packet and dashboard
tests (billing's core tests keep their own)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.insurance.models import Authorization, Coverage, Payer
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import NOW, TODAY, register
from openiop.sites.models import Site


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    # Packets are written to disk: each test its own folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def biller(persona: Callable[..., User]) -> User:
    return persona(RoleCode.BILLING_SPECIALIST, username="bea")


@pytest.fixture
def director(persona: Callable[..., User]) -> User:
    return persona(RoleCode.CLINICAL_DIRECTOR, username="dora")


def make_payer(site: Site, name: str = "Blue Shield of Arizona", payer_id: str = "BSAZ1", **fields: Any) -> Payer:
    return Payer.objects.create(organization=site.organization, name=name, payer_id=payer_id, **fields)


def make_coverage(patient: Patient, payer: Payer, **fields: Any) -> Coverage:
    values: dict[str, Any] = {"member_id": "XYZ123456", "effective_date": TODAY - dt.timedelta(days=90)}
    values.update(fields)
    return Coverage.objects.create(patient=patient, payer=payer, **values)


def make_authorization(coverage: Coverage, **fields: Any) -> Authorization:
    values: dict[str, Any] = {
        "number": "AUTH-7781",
        "service_code": "H0015",
        "units_authorized": 20,
        "start_date": TODAY - dt.timedelta(days=40),
        "end_date": TODAY + dt.timedelta(days=20),
        "next_review_date": TODAY + dt.timedelta(days=2),
    }
    values.update(fields)
    return Authorization.objects.create(patient=coverage.patient, coverage=coverage, **values)


@pytest.fixture
def patient(north: Site, bob: User) -> Patient:
    person = register(north, legal_first_name="Tom", legal_last_name="Diaz")
    episode_admit(
        actor=bob, patient=person, site=north, admission_date=TODAY - dt.timedelta(days=40), primary_counsellor=bob
    )
    return person


@pytest.fixture
def payer(north: Site) -> Payer:
    return make_payer(north)


@pytest.fixture
def authorization(patient: Patient, payer: Payer) -> Authorization:
    return make_authorization(make_coverage(patient, payer))
