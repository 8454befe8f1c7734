# SPDX-License-Identifier: AGPL-3.0-or-later
"""A receiver's sync that loses a race on a charge's uniqueness runs again
instead of failing the attendance save; a second refusal is not hidden."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError

from openiop.billing import receivers, services

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 2)


def test_a_sync_refused_by_a_concurrent_insert_runs_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def sync_many(**kwargs: Any) -> None:
        calls.append(kwargs)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed: billing_charge")

    monkeypatch.setattr(services, "charges_sync_many", sync_many)
    receivers._sync({7}, DAY, DAY)
    assert len(calls) == 2
    assert calls[1]["patient_ids"] == {7}


def test_a_second_refusal_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def sync_many(**kwargs: Any) -> None:
        raise IntegrityError("UNIQUE constraint failed: billing_charge")

    monkeypatch.setattr(services, "charges_sync_many", sync_many)
    with pytest.raises(IntegrityError):
        receivers._sync({7}, DAY, DAY)
