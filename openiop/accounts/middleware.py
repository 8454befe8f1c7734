# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from openiop.audit.context import acting_as
from openiop.audit.middleware import client_ip
from openiop.core import public_pages

LAST_SEEN_KEY = "openiop_last_seen"
LAST_SEEN_REFRESH_SECONDS = 60


def _with_next(url_name: str, request: HttpRequest, **extra: str) -> str:
    # Only a page can be come back to: replaying a form's address as a GET
    # (sign out, save a note) after signing in again would fail or mislead.
    params = {"next": request.get_full_path()} if request.method in {"GET", "HEAD"} else {}
    # Encoded, so a query string in the current path survives as part of next.
    query = urlencode({**params, **extra})
    return f"{reverse(url_name)}?{query}" if query else reverse(url_name)


class IdleLogoutMiddleware:
    """Automatic logoff after ``OPENIOP_IDLE_TIMEOUT_MINUTES`` without a request
    (HIPAA 45 CFR 164.312(a)(2)(iii)). The server decides; the page's own timer
    only sends the browser to the login page when the time is up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        if request.user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = settings.OPENIOP_IDLE_TIMEOUT_MINUTES * 60
            if isinstance(last_seen, int | float) and now - last_seen > limit:
                request.logout_reason = "idle"  # type: ignore[attr-defined]
                # The audit context middleware runs after this one; without this
                # the logout event would carry no address or request id.
                with acting_as(
                    actor_id=request.user.pk,
                    actor_username=request.user.get_username(),
                    ip=client_ip(request),
                    request_id=getattr(request, "request_id", None),
                ):
                    logout(request)
                # No flash message: the message middleware has not run yet. The
                # login page explains ?idle=1, as it does for the page's own timer.
                return HttpResponseRedirect(_with_next("accounts:login", request, idle="1"))
        response = self.get_response(request)
        # Stamped after the view too, so the clock starts at sign-in rather
        # than at the first page after it. At most once a minute: writing the
        # session on every request would make every page a database write.
        # A stamp up to a minute old only ever signs out early, never late.
        if request.user.is_authenticated:
            stamped = request.session.get(LAST_SEEN_KEY)
            if not isinstance(stamped, int | float) or not 0 <= now - stamped < LAST_SEEN_REFRESH_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return response


class RequireMFAMiddleware:
    """Staff who signed in with a password but have not yet passed a TOTP check
    (or enrolled a device) reach only the pages named in
    ``MFA_EXEMPT_URL_NAMES`` (the public site, the sign-in and MFA steps, the
    health probe) until they do.

    Decided by the resolved URL name, not the path: a staff page must never
    become reachable with a password alone because of where its URL sits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # After URL resolution, so the page is known by name. A path that
        # resolves to nothing never reaches a view: it answers 404 either way.
        user = request.user
        if (
            settings.OPENIOP_REQUIRE_MFA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
            and public_pages.url_name(request) not in public_pages.MFA_EXEMPT_URL_NAMES
        ):
            from django_otp import user_has_device

            target = "accounts:mfa_verify" if user_has_device(user) else "accounts:mfa_enrol"
            return HttpResponseRedirect(_with_next(target, request))
        return None
