# SPDX-License-Identifier: AGPL-3.0-or-later
"""The client address a rate limit counts against (django-ratelimit's ``key``),
shared by the public forms' limits and the sign-in throttles."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(group: str, request: HttpRequest) -> str:
    """The address a limit counts against. Behind the one trusted reverse
    proxy (OPENIOP_BEHIND_PROXY) it is the last X-Forwarded-For entry, the
    one the proxy added; IPv6 addresses count per /64, as a home or phone
    network hands a person a whole /64."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            address = forwarded[-1]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)
