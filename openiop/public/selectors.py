# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for the public site.

Sites, rate cards, poverty guidelines and sliding fee tiers are public
reference data (addresses and prices, nobody's record), read without a user.
The one staff read, new website requests, goes through ``restrict``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from openiop.admissions import pipeline
from openiop.admissions.models import Channel, Inquiry
from openiop.admissions.permissions import ADMISSIONS_VIEW
from openiop.public import poverty
from openiop.public.models import PovertyGuideline, RateCard, SlidingFeeTier
from openiop.sites.models import Site

NEW_REQUESTS_SHOWN = 10


def public_sites() -> QuerySet[Site]:
    return Site.objects.filter(is_active=True).order_by("name")


def site_by_code(code: str) -> Site | None:
    return public_sites().filter(code=code).first() if code else None


def rate_card_for(*, site: Site | None = None, state: str = "") -> RateCard | None:
    """The site's own card, else its state's, else the default card."""
    if site is not None:
        own = RateCard.objects.filter(site=site).first()
        if own is not None:
            return own
        state = state or site.state
    if state:
        regional = RateCard.objects.filter(state=state.upper()).first()
        if regional is not None:
            return regional
    return RateCard.objects.filter(is_default=True).first()


def guideline_for(*, year: int, state: str) -> poverty.Guideline | None:
    region = poverty.region_for_state(state)
    rows = PovertyGuideline.objects.filter(region=region, year__lte=year)
    return poverty.guideline_in_force((row.guideline() for row in rows), year=year, region=region)


def sliding_fee_tiers() -> list[poverty.Tier]:
    return [row.tier() for row in SlidingFeeTier.objects.all()]


def new_web_requests(request: HttpRequest) -> dict[str, Any] | None:
    """Dashboard section: website inquiries at the user's sites that nobody
    has moved on from "new" yet (nobody has contacted the person)."""
    waiting = (
        Inquiry.objects.restrict(request.user, ADMISSIONS_VIEW)
        .filter(channel=Channel.WEBSITE, stage=pipeline.NEW)
        .select_related("site")
        .order_by("created_at")
    )
    count = waiting.count()
    if not count:
        return None
    return {"inquiries": list(waiting[:NEW_REQUESTS_SHOWN]), "count": count}
