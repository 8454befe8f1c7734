# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes to the directory: keeping our own sites' entries in step, and
saving one imported facility (all of it or none of it)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import transaction

from openiop.directory.models import Facility
from openiop.directory.places import zip_point
from openiop.directory.rows import FacilityData
from openiop.directory.vocab import Age, Language, Payment, Service
from openiop.sites.models import OpeningHours, Site, Weekday

# What a new entry for one of our own sites offers until an administrator
# changes it (Django admin, Facility): the program this product runs.
OWN_SITE_DEFAULTS: dict[str, Any] = {
    "services": int(Service.IOP | Service.OUTPATIENT | Service.MOUD | Service.MAUD | Service.MATRIX),
    "payment": int(Payment.PRIVATE | Payment.MEDICARE | Payment.MEDICAID | Payment.SLIDING_FEE),
    "ages": int(Age.ADULTS),
    "languages": int(Language.EN | Language.ES),
}
# Hours that count as "evening": open past 17:00 on some day.
EVENING_AFTER = dt.time(17, 0)
WEEKEND_DAYS = {Weekday.SATURDAY, Weekday.SUNDAY}

Outcome = Literal["created", "updated", "unchanged"]


def site_key(site: Site) -> str:
    return f"site:{site.pk}"


def _hours_flags(site_id: int) -> tuple[bool, bool]:
    hours = list(OpeningHours.objects.filter(site_id=site_id).values_list("weekday", "closes"))
    evening = any(closes > EVENING_AFTER for _day, closes in hours)
    weekend = any(day in WEEKEND_DAYS for day, _closes in hours)
    return evening, weekend


def _site_fields(site: Site) -> dict[str, Any]:
    point = zip_point(site.zip_code)
    evening, weekend = _hours_flags(site.pk)
    return {
        "source": Facility.Source.SITE,
        "name": site.name,
        "street1": site.street,
        "city": site.city,
        "state": site.state,
        "zip_code": site.zip_code,
        "phone": site.phone,
        "latitude": point.latitude if point else None,
        "longitude": point.longitude if point else None,
        "evening_hours": evening,
        "weekend_hours": weekend,
        # A closed site, or one we cannot place, is not offered to the public.
        "is_listed": site.is_active and point is not None,
    }


@transaction.atomic
def facility_sync_site(*, site: Site) -> Facility:
    """Create or update the directory entry of one of our own sites from the
    site's address, phone, opening hours and active flag. Services, payment,
    ages and languages are the defaults on creation and left alone after.
    Saves only when something changed."""
    fields = _site_fields(site)
    facility = Facility.objects.filter(site=site).first()
    if facility is None:
        return Facility.objects.create(site=site, external_key=site_key(site), **OWN_SITE_DEFAULTS, **fields)
    changed = [name for name, value in fields.items() if getattr(facility, name) != value]
    if changed:
        for name in changed:
            setattr(facility, name, fields[name])
        facility.save(update_fields=[*changed, "updated_at"])
    return facility


def facility_sync_hours(*, site_id: int) -> None:
    """Refresh the evening/weekend flags after a change to a site's hours.
    Never creates an entry (the site may be on its way out)."""
    evening, weekend = _hours_flags(site_id)
    Facility.objects.filter(site_id=site_id).exclude(evening_hours=evening, weekend_hours=weekend).update(
        evening_hours=evening, weekend_hours=weekend
    )


def facility_sync_all_sites() -> int:
    count = 0
    for site in Site.objects.all():
        facility_sync_site(site=site)
        count += 1
    return count


@transaction.atomic
def facility_upsert(*, data: FacilityData, source: str) -> tuple[Facility, Outcome]:
    """Create the facility keyed ``data.key`` or update it in place. Atomic:
    a failure leaves the stored facility exactly as it was."""
    fields = {**data.model_fields(), "source": source, "is_listed": True}
    facility = Facility.objects.select_for_update().filter(external_key=data.key).first()
    if facility is None:
        facility = Facility(external_key=data.key, **fields)
        facility.full_clean()
        facility.save()
        return facility, "created"
    if facility.site_id is not None:
        raise ValueError("an import cannot overwrite one of our own sites")
    changed = [name for name, value in fields.items() if getattr(facility, name) != value]
    if not changed:
        return facility, "unchanged"
    for name in changed:
        setattr(facility, name, fields[name])
    facility.full_clean()
    facility.save(update_fields=[*changed, "updated_at"])
    return facility, "updated"
