# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openiop.audit.context import acting_as


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a proxy in front sets it through the WSGI server
    # (gunicorn --forwarded-allow-ips), never through a header we trust blindly.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Attributes every audit event written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        with acting_as(
            actor_id=user.pk if authenticated and user is not None else None,
            actor_username=user.get_username() if authenticated and user is not None else "",
            ip=client_ip(request),
            request_id=getattr(request, "request_id", None),
        ):
            return self.get_response(request)
