# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import itertools
import random

import pytest
from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions import pipeline
from openiop.admissions.demo import seed_inquiries
from openiop.admissions.models import Inquiry
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_demo_inquiries_cover_every_stage_with_a_consistent_history(north: Site, south: Site, navigator: User) -> None:
    assert seed_inquiries(sites=[north, south], rng=random.Random(7), count=20) == 20
    assert set(Inquiry.objects.values_list("stage", flat=True)) == set(pipeline.ALL_STAGES)
    for inquiry in Inquiry.objects.prefetch_related("stage_changes"):
        history = list(inquiry.stage_changes.all())
        assert history[0].to_stage == pipeline.NEW
        assert history[-1].to_stage == inquiry.stage
        assert [change.at for change in history] == sorted(change.at for change in history)
        assert inquiry.created_at <= timezone.now()
        for before, after in itertools.pairwise(history):
            pipeline.check_move(before.to_stage, after.to_stage, reason="x", referred_to="x")
    assert all(inquiry.patient_id for inquiry in Inquiry.objects.filter(stage=pipeline.ADMITTED))


def test_the_demo_keeps_a_retired_referral_source_for_the_management_page(north: Site, navigator: User) -> None:
    from openiop.admissions.models import ReferralSource

    seed_inquiries(sites=[north], rng=random.Random(3), count=10)
    retired = ReferralSource.objects.get(active=False)
    assert not retired.inquiries.exists()
    assert ReferralSource.objects.filter(active=True).count() >= 7
