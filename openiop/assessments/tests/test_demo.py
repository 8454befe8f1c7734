# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import demo
from openiop.assessments.instruments import INSTRUMENTS
from openiop.assessments.models import (
    InstrumentResult,
    PlacementAssessment,
    SafetyAlert,
    SafetyPlanReview,
    WithdrawalCheck,
)
from openiop.assessments.scoring import score
from openiop.core.roles import RoleCode
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", list(INSTRUMENTS))
@pytest.mark.parametrize("target", [0, 5, 13, 200])
def test_generated_answers_are_valid_and_reach_the_target_where_possible(code: str, target: int) -> None:
    instrument = INSTRUMENTS[code]
    answers = demo.answers_for(instrument, target, random.Random(target))

    outcome = score(code, answers, sex="female")  # raises on any invalid answer

    if instrument.max_total:
        assert outcome.total == min(target, instrument.max_total) or abs(outcome.total - target) <= 4


def test_the_demo_gives_histories_flowsheets_alerts_and_placements(north: Site, persona: Callable[..., User]) -> None:
    persona(RoleCode.CLINICIAN)
    persona(RoleCode.NURSE)
    admitted = timezone.localdate() - dt.timedelta(days=60)
    for number in range(45):
        patient = register(north, legal_first_name=f"Demo{number}", phone=f"617-555-9{number:03d}")
        episode_admit(actor=None, patient=patient, site=north, admission_date=admitted)
    ticks: list[int] = []

    demo.seed_app(size="small", sites=[north], rng=random.Random(1), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("small")
    phq = InstrumentResult.objects.filter(instrument_code="PHQ-9", context="reassessment")
    assert phq.count() >= 45 * 4
    first_patient_totals = list(
        phq.filter(patient__legal_first_name="Demo0").order_by("administered_at").values_list("total", flat=True)
    )
    assert len(set(first_patient_totals)) > 1, "histories change over time"
    assert WithdrawalCheck.objects.filter(escalated=True).exists()
    assert SafetyAlert.objects.filter(acknowledged_at__isnull=True).exists()
    assert SafetyAlert.objects.filter(acknowledged_at__isnull=False).exists()
    assert PlacementAssessment.objects.filter(decided_at__isnull=False).count() >= 20
    bands = set(InstrumentResult.objects.filter(instrument_code="C-SSRS").values_list("band", flat=True))
    assert bands == {"low risk", "moderate risk", "high risk"}
    assert SafetyPlanReview.objects.filter(version__source_result__instrument_code="C-SSRS").count() == 2

    before = InstrumentResult.objects.count()
    demo.seed_app(size="small", sites=[north], rng=random.Random(1), tick=ticks.append)
    assert InstrumentResult.objects.count() == before
