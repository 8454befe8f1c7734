# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openiop.core.navigation import nav_items


def openiop(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "nav_items": nav_items(user) if signed_in else [],
        "idle_timeout_seconds": settings.OPENIOP_IDLE_TIMEOUT_MINUTES * 60,
        "mfa_required": settings.OPENIOP_REQUIRE_MFA,
    }
