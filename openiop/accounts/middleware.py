# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "openiop_last_seen"

# Paths a signed-in person who has not yet passed MFA may still reach.
_MFA_EXEMPT_PREFIXES = ("/auth/", "/static/", "/healthz", "/i18n/")


class IdleLogoutMiddleware:
    """Automatic logoff after ``OPENIOP_IDLE_TIMEOUT_MINUTES`` without a request
    (HIPAA 45 CFR 164.312(a)(2)(iii)). The server decides; the page's own timer
    only sends the browser to the login page when the time is up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = settings.OPENIOP_IDLE_TIMEOUT_MINUTES * 60
            if isinstance(last_seen, int | float) and now - last_seen > limit:
                request.logout_reason = "idle"  # type: ignore[attr-defined]
                logout(request)
                messages.info(request, _("You were signed out after %(minutes)d idle minutes.") % {"minutes": settings.OPENIOP_IDLE_TIMEOUT_MINUTES})
                return HttpResponseRedirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """Staff who signed in with a password but have not yet passed a TOTP check
    (or enrolled a device) reach only the MFA pages until they do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.OPENIOP_REQUIRE_MFA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
        ):
            from django_otp import user_has_device

            target = "accounts:mfa_verify" if user_has_device(user) else "accounts:mfa_enrol"
            return HttpResponseRedirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
