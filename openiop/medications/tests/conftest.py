# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared clock, staff and patients for the medications tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.medications import services
from openiop.medications.models import Medication, Specimen
from openiop.patients.models import Patient
from openiop.patients.services import care_team_add, episode_admit
from openiop.patients.tests.factories import NOW, TODAY, register
from openiop.sites.models import Site


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def nurse(persona: Callable[..., User]) -> User:
    return persona(RoleCode.NURSE, username="nadia")


@pytest.fixture
def prescriber(persona: Callable[..., User]) -> User:
    return persona(RoleCode.PRESCRIBER, username="priya")


@pytest.fixture
def director(persona: Callable[..., User]) -> User:
    return persona(RoleCode.CLINICAL_DIRECTOR, username="diane")


@pytest.fixture
def patient(north: Site, bob: User, nurse: User, prescriber: User) -> Patient:
    """Tom Diaz, on Bob's caseload; the nurse and the prescriber of these
    tests are on his care team (need to know)."""
    person = register(north, legal_first_name="Tom", legal_last_name="Diaz")
    episode = episode_admit(
        actor=bob, patient=person, site=north, admission_date=TODAY - dt.timedelta(days=40), primary_counsellor=bob
    )
    for member in (nurse, prescriber):
        care_team_add(actor=bob, episode=episode, user=member)
    return person


@pytest.fixture
def south_patient(south: Site) -> Patient:
    return register(south, legal_first_name="Sam", legal_last_name="Southern")


@pytest.fixture
def add_medication(prescriber: User) -> Callable[..., Medication]:
    def add(patient: Patient, **fields: Any) -> Medication:
        values: dict[str, Any] = {
            "catalogue_code": "buprenorphine_naloxone",
            "name": "Buprenorphine/naloxone",
            "dose": "8 mg/2 mg",
            "route": "sublingual",
            "frequency": "once daily",
            "indication": "Opioid use disorder",
            "prescriber": prescriber,
            "start_date": TODAY - dt.timedelta(days=30),
        }
        values.update(fields)
        return services.medication_add(actor=prescriber, patient=patient, **values)

    return add


@pytest.fixture
def collect(nurse: User, north: Site) -> Callable[..., Specimen]:
    """A urine specimen collected at North DAYS_AGO days ago at 09:30, with
    presumptive results given as {class: result}."""

    def make(patient: Patient, days_ago: int = 1, **results: str) -> Specimen:
        collected_at = dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(9, 30), tzinfo=NOW.tzinfo)
        return services.specimen_record(
            actor=nurse,
            patient=patient,
            site=north,
            specimen_type="urine",
            collected_at=collected_at,
            observed=True,
            collected_by=nurse,
            presumptive=[services.ResultEntry(code, result) for code, result in results.items()],
        )

    return make
