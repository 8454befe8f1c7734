# SPDX-License-Identifier: AGPL-3.0-or-later
"""Our own sites' directory entries follow the sites."""

from __future__ import annotations

import datetime as dt

import pytest

from openiop.directory.models import Facility
from openiop.directory.places import zip_point
from openiop.directory.services import OWN_SITE_DEFAULTS, facility_sync_all_sites
from openiop.directory.vocab import Service
from openiop.sites.models import OpeningHours, Organization, Site

pytestmark = pytest.mark.django_db


def test_a_new_site_gets_an_entry_at_its_zip_code(north: Site) -> None:
    facility = Facility.objects.get(site=north)
    point = zip_point(north.zip_code)
    assert point is not None
    assert facility.external_key == f"site:{north.pk}"
    assert facility.source == Facility.Source.SITE
    assert (facility.name, facility.street1, facility.zip_code) == (north.name, north.street, "02108")
    assert (facility.latitude, facility.longitude) == (point.latitude, point.longitude)
    assert facility.services == OWN_SITE_DEFAULTS["services"]
    assert facility.is_listed
    # The conftest site is open until 20:00 on Mondays, never at weekends.
    assert facility.evening_hours and not facility.weekend_hours


def test_editing_the_site_updates_the_entry_but_keeps_services_an_administrator_chose(north: Site) -> None:
    Facility.objects.filter(site=north).update(services=int(Service.IOP))
    north.name, north.phone, north.zip_code = "North Recovery", "617-555-0111", "02139"
    north.save()
    facility = Facility.objects.get(site=north)
    assert (facility.name, facility.phone, facility.zip_code) == ("North Recovery", "617-555-0111", "02139")
    assert facility.latitude == 42.3647
    assert facility.services == int(Service.IOP)


def test_a_closed_site_leaves_the_public_directory(north: Site) -> None:
    north.is_active = False
    north.save()
    assert not Facility.objects.get(site=north).is_listed


def test_a_site_with_an_unknown_zip_code_is_not_listed(organization: Organization) -> None:
    site = Site.objects.create(
        organization=organization, code="ghost", name="Ghost", street="1 Nowhere", city="Nowhere", state="MA",
        zip_code="00000",
    )  # fmt: skip
    facility = Facility.objects.get(site=site)
    assert facility.latitude is None and not facility.is_listed


def test_opening_hours_set_the_evening_and_weekend_flags(north: Site) -> None:
    OpeningHours.objects.filter(site=north).delete()
    assert not Facility.objects.get(site=north).evening_hours
    OpeningHours.objects.create(site=north, weekday=5, opens=dt.time(9), closes=dt.time(13))
    facility = Facility.objects.get(site=north)
    assert facility.weekend_hours and not facility.evening_hours


def test_syncing_every_site_twice_changes_nothing(north: Site, south: Site) -> None:
    before = list(Facility.objects.order_by("pk").values())
    assert facility_sync_all_sites() == 2
    assert list(Facility.objects.order_by("pk").values()) == before


def test_deleting_a_site_removes_its_entry(organization: Organization) -> None:
    site = Site.objects.create(
        organization=organization, code="brief", name="Brief", street="1 Main", city="Boston", state="MA",
        zip_code="02108",
    )  # fmt: skip
    OpeningHours.objects.create(site=site, weekday=0, opens=dt.time(8), closes=dt.time(18))
    site.delete()
    assert not Facility.objects.filter(name="Brief").exists()
