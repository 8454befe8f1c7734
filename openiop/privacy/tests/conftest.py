# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared clock, staff, patients and consents for the privacy tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import NOW, TODAY, register
from openiop.privacy import services
from openiop.privacy.gate import Recipient
from openiop.privacy.information import (
    REQUIRED_STATEMENTS,
    ConsentKind,
    ExpiryKind,
    InformationClass,
    Purpose,
    RecipientKind,
)
from openiop.privacy.models import Consent
from openiop.sites.models import Site

PROBATION = Recipient(RecipientKind.CRIMINAL_JUSTICE, "Pima County Probation", "")
PLAN = Recipient(RecipientKind.HEALTH_PLAN, "Blue Shield of Arizona")
CLINIC = Recipient(RecipientKind.TREATING_PROVIDER, "Valley Family Clinic")


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def officer(persona: Callable[..., User]) -> User:
    return persona(RoleCode.PRIVACY_OFFICER, username="petra")


@pytest.fixture
def navigator(persona: Callable[..., User]) -> User:
    return persona(RoleCode.ADMISSIONS_NAVIGATOR, username="noah")


@pytest.fixture
def patient(north: Site, bob: User) -> Patient:
    person = register(north, legal_first_name="Tom", legal_last_name="Diaz")
    episode_admit(
        actor=bob, patient=person, site=north, admission_date=TODAY - dt.timedelta(days=40), primary_counsellor=bob
    )
    return person


@pytest.fixture
def south_patient(south: Site) -> Patient:
    return register(south, legal_first_name="Sam", legal_last_name="Southern", birth_date=dt.date(1979, 2, 3))


def consent_fields(kind: str, **overrides: Any) -> dict[str, Any]:
    """A complete consent of KIND; override one element to make it incomplete."""
    fields: dict[str, Any] = {
        "kind": kind,
        "signed_on": TODAY - dt.timedelta(days=30),
        "signature_confirmed": True,
        "statements": REQUIRED_STATEMENTS[ConsentKind(kind)],
    }
    if kind == ConsentKind.TPO:
        fields |= {
            "information": ["all_except_counseling_notes"],
            "purposes": [Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
            "expiry_kind": ExpiryKind.END_OF_TREATMENT,
        }
    elif kind == ConsentKind.SPECIFIC:
        fields |= {
            "information": [InformationClass.ATTENDANCE, InformationClass.DRUG_TESTS],
            "recipients": [PROBATION],
            "purposes": [Purpose.CRIMINAL_JUSTICE],
            "expiry_kind": ExpiryKind.DATE,
            "expires_on": TODAY + dt.timedelta(days=120),
        }
    else:
        fields |= {
            "information": [InformationClass.COUNSELING_NOTES],
            "recipients": [Recipient(RecipientKind.TREATING_PROVIDER, "Valley Psychiatry", "Dr. Ames")],
            "purposes": [Purpose.TREATMENT],
            "expiry_kind": ExpiryKind.DATE,
            "expires_on": TODAY + dt.timedelta(days=60),
        }
    fields.update(overrides)
    return fields


@pytest.fixture
def record(navigator: User) -> Callable[..., Consent]:
    def make(patient: Patient, kind: str, **overrides: Any) -> Consent:
        return services.consent_record(actor=navigator, patient=patient, **consent_fields(kind, **overrides))

    return make


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    # Signed forms and packets are written to disk: each test its own folder.
    settings.MEDIA_ROOT = tmp_path / "media"


def signature_data_url(*, blank: bool = False, size: tuple[int, int] = (400, 150)) -> str:
    """A PNG like the signature pad posts: a stroke across a transparent box."""
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line([(20, 100), (120, 40), (220, 110), (360, 50)], fill=(17, 17, 17, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
