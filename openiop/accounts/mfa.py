# SPDX-License-Identifier: AGPL-3.0-or-later
"""TOTP enrolment and verification on top of django-otp."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User

DEVICE_NAME = "Authenticator app"


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled, created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def confirmed_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no image library, no network)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # The bare <svg> element: save() would add an XML declaration, which has no
    # place in the middle of an HTML page.
    svg: str = image.to_string(encoding="unicode")
    return svg


def base32_secret(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
