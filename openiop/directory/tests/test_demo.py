# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command

from openiop.directory import demo
from openiop.directory.models import Facility
from openiop.directory.places import zip_point
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_the_demo_seed_lists_every_site_and_500_synthetic_facilities_at_real_zip_centroids(
    north: Site, south: Site
) -> None:
    ticks: list[int] = []
    Facility.objects.filter(site__isnull=False).delete()

    demo.seed_app(size="small", sites=[north, south], rng=random.Random(1), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("small") == 5
    assert Facility.objects.filter(site__isnull=False).count() == 2
    synthetic = Facility.objects.filter(source=Facility.Source.SYNTHETIC)
    assert synthetic.count() == 500
    for facility in synthetic[:50]:
        point = zip_point(facility.zip_code)
        assert point is not None
        assert (facility.latitude, facility.longitude) == (point.latitude, point.longitude)
        assert facility.unit_x is not None
        assert facility.services and facility.payment and facility.ages
        assert "555-01" in facility.phone

    again: list[int] = []
    demo.seed_app(size="small", sites=[north, south], rng=random.Random(2), tick=again.append)
    assert sum(again) == 5
    assert synthetic.count() == 500


def test_the_seed_facilities_command_adds_the_count_asked_for(db: None) -> None:
    out = io.StringIO()
    call_command("seed_facilities", "--count", "120", "--seed", "3", stdout=out, stderr=io.StringIO())
    call_command("seed_facilities", "--count", "30", stdout=io.StringIO(), stderr=io.StringIO())
    assert "Added 120 synthetic facilities." in out.getvalue()
    keys = set(Facility.objects.values_list("external_key", flat=True))
    assert keys == {f"synthetic:{number}" for number in range(150)}
