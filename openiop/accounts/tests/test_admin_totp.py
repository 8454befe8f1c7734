# SPDX-License-Identifier: AGPL-3.0-or-later
"""Nobody reads a TOTP secret in Django's admin, superusers included."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User
from openiop.core.roles import RoleCode


@pytest.fixture
def superuser(persona: Callable[..., User]) -> User:
    user = persona(RoleCode.ADMINISTRATOR, username="root")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def device(bob: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=bob, name="Bob's phone", confirmed=True)


def secrets_of(device: TOTPDevice) -> list[str]:
    """The key as stored (hex), as an authenticator app takes it (base32),
    and the otpauth:// URL a QR code would carry."""
    return [device.key, b32encode(device.bin_key).decode().rstrip("="), "otpauth://"]


def test_a_superuser_sees_a_device_but_never_its_key(client: Client, superuser: User, device: TOTPDevice) -> None:
    client.force_login(superuser)

    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

    assert listing.status_code == change.status_code == 200
    assert "Bob&#x27;s phone" in listing.content.decode() or "Bob's phone" in listing.content.decode()
    for page in (listing, change):
        for secret in secrets_of(device):
            assert secret not in page.content.decode()
    assert "key" not in change.context["adminform"].form.fields


def test_the_qr_code_and_configuration_pages_are_gone(client: Client, superuser: User, device: TOTPDevice) -> None:
    client.force_login(superuser)
    for name in ("admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"):
        with pytest.raises(NoReverseMatch):
            reverse(name, kwargs={"pk": device.pk})

    for tail in ("config/", "qrcode/"):
        response = client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/{tail}", follow=True)
        for secret in secrets_of(device):
            assert secret not in response.content.decode()
        assert response.get("Content-Type", "").split(";")[0] != "image/svg+xml"


def test_a_superuser_can_neither_add_a_device_nor_set_a_key(
    client: Client, superuser: User, device: TOTPDevice
) -> None:
    client.force_login(superuser)
    known = "3132333435363738393031323334353637383930"

    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    response = client.post(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        {"name": "Renamed", "confirmed": "on", "throttling_failure_count": "0", "key": known},
    )

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.name == "Renamed"
    assert device.key != known
