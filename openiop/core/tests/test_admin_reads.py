# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading staff and configuration in Django's admin is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import Role, User
from openiop.audit.admin_site import AuditedAdminSite
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.sites.models import Site


@pytest.fixture
def superuser(persona: Callable[..., User]) -> User:
    user = persona(RoleCode.ADMINISTRATOR, username="root")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def admin_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


def reads_by(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="record.read", actor_id=user.pk).order_by("pk"))


def test_opening_a_staff_account_is_audited(admin_client: Client, superuser: User, bob: User) -> None:
    assert admin_client.get(reverse("admin:accounts_user_change", args=[bob.pk])).status_code == 200

    [event] = reads_by(superuser)
    assert (event.object_type, event.object_id) == ("accounts.user", str(bob.pk))
    assert event.data == {"view": "admin.change_view", "model": "accounts.user"}


def test_the_staff_list_is_audited_with_everyone_it_showed(admin_client: Client, superuser: User, bob: User) -> None:
    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200

    [event] = reads_by(superuser)
    assert event.data["view"] == "admin.changelist_view"
    assert event.data["model"] == "accounts.user"
    assert set(event.data["ids"]) == {str(superuser.pk), str(bob.pk)}


@pytest.mark.parametrize(
    "url",
    [
        lambda site, role: reverse("admin:sites_site_change", args=[site.pk]),
        lambda site, role: reverse("admin:sites_site_changelist"),
        lambda site, role: reverse("admin:accounts_role_change", args=[role.pk]),
        lambda site, role: reverse("admin:accounts_role_changelist"),
        lambda site, role: reverse("admin:sites_site_history", args=[site.pk]),
        lambda site, role: reverse("admin:assessments_monitoringthreshold_changelist"),
    ],
    ids=["site", "sites", "role", "roles", "site history", "thresholds"],
)
def test_reading_configuration_is_audited(
    admin_client: Client, superuser: User, north: Site, url: Callable[[Site, Role], str]
) -> None:
    role = Role.objects.get(code=RoleCode.NURSE)

    assert admin_client.get(url(north, role)).status_code == 200

    [event] = reads_by(superuser)
    assert event.data["view"].startswith("admin.")


def test_the_admin_index_and_the_add_form_show_no_record_and_log_none(admin_client: Client, superuser: User) -> None:
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert admin_client.get(reverse("admin:sites_site_add")).status_code == 200

    assert reads_by(superuser) == []


def test_every_registered_model_is_served_by_the_audited_site() -> None:
    # The hook is the site's admin_view: nothing registered elsewhere escapes it.
    assert isinstance(admin.site._wrapped, AuditedAdminSite)  # type: ignore[attr-defined]
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin.admin_site, AuditedAdminSite), model_admin
