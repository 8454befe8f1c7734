# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.insurance.models import Payer
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def _payer_post(north: Site, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organization": north.organization_id,
        "name": "Harbor Health",
        "kind": "commercial",
        "payer_id": "HH01",
        "authorization_required": "on",
        "timely_filing_days": "90",
        "per_diem_min_minutes_per_day": "180",
        "per_diem_min_days_per_week": "3",
        "per_diem_min_minutes_per_week": "0",
        "is_active": "on",
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "0",
        "services-0-level_of_care": "2.1",
        "services-0-claim_type": "837I",
        "services-0-revenue_code": "0906",
        "services-0-procedure_code": "H0015",
    }
    data.update(fields)
    return data


@pytest.fixture
def admin_client(client: Client, alice: User) -> Client:
    User.objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=alice.pk))
    return client


def test_an_administrator_adds_a_payer_with_its_billing_set_up_in_the_admin(
    admin_client: Client, alice: User, north: Site
) -> None:
    response = admin_client.post(reverse("admin:insurance_payer_add"), _payer_post(north))
    assert response.status_code == 302
    payer = Payer.objects.get()
    assert payer.services.get().procedure_code == "H0015"
    assert AuditEvent.objects.filter(action="payer.create", actor_id=alice.pk).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"per_diem_min_minutes_per_day": "0"}, "minimum of minutes per day or per week"),
        ({"services-0-revenue_code": ""}, "institutional claim needs a revenue code"),
        ({"payer_id": "HH 01!"}, "2 to 80 letters or digits"),
    ],
)
def test_a_payer_the_admin_refuses_says_why_and_saves_nothing(
    admin_client: Client, north: Site, fields: dict[str, str], message: str
) -> None:
    response = admin_client.post(reverse("admin:insurance_payer_add"), _payer_post(north, **fields))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Payer.objects.exists()
