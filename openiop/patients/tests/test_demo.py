# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo patients carry step-downs, step-ups and discharges with plans,
every one of them valid under the rules the pages enforce."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from django.utils import timezone

from openiop.accounts.models import User
from openiop.patients import demo, transitions
from openiop.patients.models import ContinuingCarePlan, Episode, LevelOfCareChange, Patient
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_demo_episodes_have_valid_level_histories_and_discharges_with_plans(
    north: Site, south: Site, bob: User
) -> None:
    demo.seed_patients(count=120, sites=[north, south], rng=random.Random(11), tick=lambda n: None)
    today = timezone.localdate()

    assert Patient.objects.count() == 120
    changes = LevelOfCareChange.objects.all()
    assert {transitions.direction(c.from_level, c.to_level) for c in changes} == {"step_up", "step_down"}
    for episode in Episode.objects.prefetch_related("level_changes"):
        history = list(episode.level_changes.all())
        for change in history:
            assert episode.admission_date <= change.effective_date <= today
            assert change.reason
        for before, after in itertools.pairwise(history):
            assert before.to_level == after.from_level
            assert before.effective_date <= after.effective_date
        if history:
            assert history[-1].to_level == episode.level_of_care
    discharged = Episode.objects.filter(status=Episode.Status.DISCHARGED)
    assert discharged.exists()
    assert discharged.filter(discharge_date__gte=today - dt.timedelta(days=10)).exists()
    for episode in discharged.select_related("continuing_care"):
        assert episode.discharge_reason
        assert episode.continuing_care.next_level_of_care
    assert ContinuingCarePlan.objects.exclude(referral_to="").exists()


def test_seeding_again_adds_nothing(north: Site) -> None:
    demo.seed_patients(count=30, sites=[north], rng=random.Random(3), tick=lambda n: None)
    counts = (Patient.objects.count(), LevelOfCareChange.objects.count(), ContinuingCarePlan.objects.count())
    demo.seed_patients(count=30, sites=[north], rng=random.Random(3), tick=lambda n: None)
    assert (Patient.objects.count(), LevelOfCareChange.objects.count(), ContinuingCarePlan.objects.count()) == counts


def test_an_older_demo_database_gets_transitions_and_plans_backfilled(north: Site) -> None:
    demo.seed_patients(count=60, sites=[north], rng=random.Random(5), tick=lambda n: None)
    LevelOfCareChange.objects.all().delete()
    ContinuingCarePlan.objects.all().delete()

    demo.backfill_transitions(rng=random.Random(5), today=timezone.localdate())

    assert LevelOfCareChange.objects.exists()
    assert not Episode.objects.filter(status=Episode.Status.DISCHARGED, continuing_care__isnull=True).exists()
