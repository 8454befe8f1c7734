# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from openiop.accounts.models import User
from openiop.accounts.permissions import STAFF_VIEW
from openiop.sites.models import OpeningHours, Room, Site
from openiop.sites.permissions import SITE_VIEW


def site_list(*, user: Any) -> QuerySet[Site]:
    return (
        Site.objects.restrict(user, SITE_VIEW)
        .annotate(room_count=Count("rooms", distinct=True), staff_count=Count("staff", distinct=True))
        .order_by("name")
    )


def site_detail_queryset(*, user: Any) -> QuerySet[Site]:
    """Unrestricted on purpose: get_restricted_or_404 restricts it and audits a miss."""
    rooms: QuerySet[Room] = Room.objects.order_by("name")
    hours: QuerySet[OpeningHours] = OpeningHours.objects.order_by("weekday", "opens")
    return Site.objects.select_related("organization").prefetch_related(
        Prefetch("rooms", queryset=rooms),
        Prefetch("opening_hours", queryset=hours),
    )


def staff_list(*, user: Any) -> QuerySet[User]:
    return (
        User.objects.restrict(user, STAFF_VIEW)
        .filter(is_active=True)
        .prefetch_related("roles", "sites")
        .order_by("last_name", "first_name")
    )
