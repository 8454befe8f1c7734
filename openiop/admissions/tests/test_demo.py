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
    admitted = list(Inquiry.objects.filter(stage=pipeline.ADMITTED).select_related("episode"))
    assert all(inquiry.patient_id and inquiry.episode is not None for inquiry in admitted)
    assert all(inquiry.episode.patient_id == inquiry.patient_id for inquiry in admitted)  # type: ignore[union-attr]


def test_demo_phone_numbers_are_unique_per_person_across_seeding_rounds(north: Site, south: Site) -> None:
    seed_inquiries(sites=[north], rng=random.Random(1), count=30)
    seed_inquiries(sites=[south], rng=random.Random(1), count=80)
    phones = list(Inquiry.objects.values_list("phone_digits", flat=True))
    assert len(phones) == 110
    assert len(set(phones)) == 110
    # No demo person is anyone else's possible duplicate by phone.
    from openiop.admissions import services

    sample = Inquiry.objects.filter(stage__in=pipeline.OPEN_STAGES).first()
    assert sample is not None
    found = services.possible_duplicates(phone=sample.phone, exclude_pk=sample.pk)
    assert found.inquiries == []


def test_the_demo_keeps_a_retired_referral_source_for_the_management_page(north: Site, navigator: User) -> None:
    from openiop.admissions.models import ReferralSource

    seed_inquiries(sites=[north], rng=random.Random(3), count=10)
    retired = ReferralSource.objects.get(active=False)
    assert not retired.inquiries.exists()
    assert ReferralSource.objects.filter(active=True).count() >= 7
