# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.privacy.models import PrivacySettings
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_an_administrator_chooses_the_short_notice_in_the_admin(client: Client, alice: User, north: Site) -> None:
    User.objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=alice.pk))

    response = client.post(
        reverse("admin:privacy_privacysettings_add"),
        {"organization": north.organization_id, "notice_form": "short", "alert_email": "privacy@example.org"},
    )

    assert response.status_code == 302
    settings = PrivacySettings.objects.get()
    assert (settings.notice_form, settings.alert_email) == ("short", "privacy@example.org")
    assert AuditEvent.objects.filter(action="privacy.settings", actor_id=alice.pk).exists()
