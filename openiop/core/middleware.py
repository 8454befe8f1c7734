# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when well formed) that
    audit events and the response carry, so one action can be traced end to end."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class SiteTimeZoneMiddleware:
    """Shows times in the staff member's own clock: when every site a
    signed-in user works at keeps the same time zone, that zone is active for
    the request (so "requested at", audit times and the like read as the
    wall clock there); otherwise the server's TIME_ZONE. Session times are
    always shown in their own site's zone, whatever this picks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = self.zone_for(request)
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            response = self.get_response(request)
        if response.streaming:
            # A streamed body (the audit CSV export) is produced after this
            # returns: it must read times on the same clock as the page did.
            response.streaming_content = _on_clock(zone, response.streaming_content)  # type: ignore[attr-defined]
        return response

    @staticmethod
    def zone_for(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        zones = user.site_time_zones()
        if len(zones) != 1:
            return None
        try:
            return zoneinfo.ZoneInfo(zones.pop())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None


def _on_clock(zone: zoneinfo.ZoneInfo, chunks: Iterable[Any]) -> Iterator[Any]:
    iterator = iter(chunks)
    while True:
        with timezone.override(zone):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
