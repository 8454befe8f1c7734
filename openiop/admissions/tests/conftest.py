# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from openiop.accounts.models import User
from openiop.admissions import services
from openiop.admissions.models import Inquiry
from openiop.core.roles import RoleCode
from openiop.sites.models import Site


@pytest.fixture
def navigator(persona: Callable[..., User]) -> User:
    """Admissions navigator at North."""
    return persona(RoleCode.ADMISSIONS_NAVIGATOR, username="nina")


@pytest.fixture
def make_inquiry(north: Site) -> Callable[..., Inquiry]:
    def make(*, actor: User | None = None, site: Site | None = None, **fields: Any) -> Inquiry:
        values: dict[str, Any] = {
            "caller_name": "Rosa Diaz",
            "caller_relation": "parent",
            "first_name": "Tom",
            "last_name": "Diaz",
            "birth_date": dt.date(1998, 4, 2),
            "phone": "(617) 555-0142",
            "consent_to_contact": True,
            "substances": ["alcohol"],
        }
        values.update(fields)
        return services.inquiry_create(actor=actor, site=site or north, **values)

    return make
