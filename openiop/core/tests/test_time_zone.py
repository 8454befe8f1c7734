# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff see times on their own site's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from openiop.accounts.models import User
from openiop.core.middleware import SiteTimeZoneMiddleware
from openiop.core.roles import RoleCode
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def zone_seen_by(user: object) -> str:
    """The active zone while the view runs, and that it is reset after."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(str(timezone.get_current_timezone()))
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    SiteTimeZoneMiddleware(view)(request)
    assert str(timezone.get_current_timezone()) == str(timezone.get_default_timezone())
    return seen[0]


def test_a_user_at_one_site_sees_its_clock(persona: Callable[..., User], north: Site) -> None:
    north.time_zone = "America/Denver"
    north.save()
    assert zone_seen_by(persona(RoleCode.CLINICIAN, site=north)) == "America/Denver"


def test_sites_on_different_clocks_fall_back_to_the_server_zone(
    persona: Callable[..., User], north: Site, south: Site
) -> None:
    north.time_zone, south.time_zone = "America/Denver", "America/Chicago"
    north.save()
    south.save()
    user = persona(RoleCode.CLINICIAN, site=north)
    user.sites.add(south)
    # Each request loads its user afresh (the sites are read once per request).
    assert zone_seen_by(User.objects.get(pk=user.pk)) == str(timezone.get_default_timezone())
    south.time_zone = "America/Denver"
    south.save()
    assert zone_seen_by(User.objects.get(pk=user.pk)) == "America/Denver"


def test_signed_out_visitors_get_the_server_zone() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert zone_seen_by(AnonymousUser()) == str(timezone.get_default_timezone())


def test_a_stored_time_reads_on_the_users_clock(persona: Callable[..., User], north: Site) -> None:
    north.time_zone = "America/Denver"
    north.save()
    user = persona(RoleCode.CLINICIAN, site=north)
    moment = dt.datetime(2026, 1, 15, 17, 30, tzinfo=dt.UTC)
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(timezone.localtime(moment).strftime("%H:%M"))
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    SiteTimeZoneMiddleware(view)(request)
    assert seen == ["10:30"]


def test_a_streamed_body_reads_on_the_same_clock_as_the_page(persona: Callable[..., User], north: Site) -> None:
    """The audit CSV export streams after the view returns; its rows must use
    the zone the on-screen list used."""
    from django.http import StreamingHttpResponse

    north.time_zone = "America/Denver"
    north.save()

    def view(request: HttpRequest) -> StreamingHttpResponse:
        def rows() -> Iterator[str]:
            yield str(timezone.get_current_timezone())
            yield str(timezone.get_current_timezone())

        return StreamingHttpResponse(rows())

    request = RequestFactory().get("/")
    request.user = persona(RoleCode.CLINICIAN, site=north)
    response = SiteTimeZoneMiddleware(view)(request)  # type: ignore[arg-type]

    assert b"".join(response.streaming_content) == b"America/DenverAmerica/Denver"  # type: ignore[attr-defined]
    assert str(timezone.get_current_timezone()) == str(timezone.get_default_timezone())
