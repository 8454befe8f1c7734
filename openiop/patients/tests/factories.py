# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared clock and patient factory for the patients tests."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from openiop.accounts.models import User
from openiop.patients import services
from openiop.patients.models import Patient
from openiop.sites.models import Site

NEW_YORK = ZoneInfo("America/New_York")
# A Thursday morning; every date in these tests is relative to it.
NOW = dt.datetime(2026, 3, 5, 10, 0, tzinfo=NEW_YORK)
TODAY = NOW.date()

_phones = count(100)


def register(site: Site, **fields: Any) -> Patient:
    values: dict[str, Any] = {
        "legal_first_name": "Maria",
        "legal_last_name": "Garcia",
        "birth_date": dt.date(1985, 6, 1),
        "phone": f"617-555-{next(_phones):04d}",
    }
    values.update(fields)
    return services.patient_register(site=site, **values)


def signed_in(client: Client, user: User) -> Client:
    """CLIENT signed in as USER (a persona from conftest.py), for a page test."""
    client.force_login(user)
    return client
