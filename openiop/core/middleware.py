# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import functools
import ipaddress
import re
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.translation import gettext as _

from openiop.core import public_pages

# Letters, digits and hyphens (a UUID fits): nothing that could split a log
# line or smuggle markup into the audit trail.
_SAFE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """True when the request came straight from one of OPENIOP_TRUSTED_PROXIES
    (set only when OPENIOP_BEHIND_PROXY is on): only such a peer may vouch for
    headers a client could otherwise invent."""
    networks = _networks(tuple(getattr(settings, "OPENIOP_TRUSTED_PROXIES", ())))
    if not networks:
        return False
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "") or "")
    except ValueError:
        return False
    return any(peer in network for network in networks)


class RequestIdMiddleware:
    """Gives every request an id that audit events and the response carry, so
    one action can be traced end to end. An X-Request-ID header is kept only
    when a trusted proxy sent it and it is well formed; from anyone else it
    is ignored, so a client cannot choose (or collide with) the ids the audit
    trail records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        trusted = bool(_SAFE_ID.fullmatch(incoming)) and from_trusted_proxy(request)
        request_id = incoming if trusted else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _declared_length(request: HttpRequest) -> int:
    # As Django reads it: a missing or malformed length means no body is read.
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def upload_limits() -> dict[str, int]:
    """Pages that take a file, by URL name, and the largest body each accepts
    (the file's own limit plus room for the form around it)."""
    form_room = 64 * 1024
    return {"directory:import": int(settings.OPENIOP_DIRECTORY_IMPORT_MAX_BYTES) + form_room}


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than its page accepts
    with 413, before anything reads the body: Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE leaves out file parts, so without this a
    stranger could make the server stream a large multipart body to disk on
    any form, the login page included. First in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _declared_length(request)
        limit = int(settings.OPENIOP_MAX_REQUEST_BYTES)
        if declared > limit:
            # Only a large body costs a URL lookup; most requests never get here.
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            limit = max(limit, upload_limits().get(name, 0))
            if declared > limit:
                return self.too_large(limit)
        return self.get_response(request)

    @staticmethod
    def too_large(limit: int) -> HttpResponse:
        megabytes = f"{limit / (1024 * 1024):.1f}"
        message = _("What was sent is too large: this page accepts at most %(size)s MB. Nothing was saved.") % {
            "size": megabytes
        }
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>413</title></head>'
            f"<body><main><h1>{escape(_('Too large'))}</h1><p>{escape(message)}</p></main></body></html>"
        )
        # No Connection header (WSGI forbids hop-by-hop headers): gunicorn's
        # sync workers close the connection after every response anyway.
        return HttpResponse(body, status=413)


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response except the
    public site's pages: a chart, an export, an iCalendar feed or a sign-in
    step must never be kept by a browser or a proxy, and a page added
    tomorrow is covered without anyone remembering a decorator."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if public_pages.url_name(request) not in public_pages.PUBLIC_SITE_URL_NAMES:
            add_never_cache_headers(response)
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
