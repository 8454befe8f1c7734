# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fee schedules in the admin: added with their checks, then only ended."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.billing.models import FeeSchedule
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, alice: User) -> Client:
    User.objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=alice.pk))
    return client


def row(north: Site, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": north.organization_id,
        "code": "H0015",
        "charge_amount": "250.00",
        "expected_amount": "180.00",
        "effective_from": "2026-01-01",
    }
    data.update(fields)
    return data


def test_an_administrator_adds_a_price_then_can_only_end_it(admin_client: Client, alice: User, north: Site) -> None:
    response = admin_client.post(reverse("admin:billing_feeschedule_add"), row(north))
    assert response.status_code == 302
    fee = FeeSchedule.objects.get()

    response = admin_client.post(
        reverse("admin:billing_feeschedule_change", args=[fee.pk]),
        row(north, charge_amount="1.00", effective_to="2026-06-30"),
    )

    assert response.status_code == 302
    fee.refresh_from_db()
    assert (fee.charge_amount, str(fee.effective_to)) == (250, "2026-06-30")  # the price stays, the row ends
    assert AuditEvent.objects.filter(action="billing.fee_schedule.create", actor_id=alice.pk).exists()
    assert AuditEvent.objects.filter(action="billing.fee_schedule.end", actor_id=alice.pk).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "99213"}, "Select a valid choice"),
        ({"charge_amount": "-5"}, "An amount cannot be negative."),
        ({"effective_to": "2025-12-31"}, "The last day in force cannot be before the first."),
    ],
)
def test_a_price_the_admin_refuses_says_why_and_saves_nothing(
    admin_client: Client, north: Site, fields: dict[str, str], message: str
) -> None:
    response = admin_client.post(reverse("admin:billing_feeschedule_add"), row(north, **fields))
    assert response.status_code == 200 and message in response.content.decode()
    assert not FeeSchedule.objects.exists()


def test_an_overlapping_price_is_refused_in_the_admin(admin_client: Client, north: Site) -> None:
    admin_client.post(reverse("admin:billing_feeschedule_add"), row(north))

    response = admin_client.post(reverse("admin:billing_feeschedule_add"), row(north, effective_from="2026-05-01"))

    assert response.status_code == 200 and "Another row already prices H0015" in response.content.decode()
    assert FeeSchedule.objects.count() == 1
