# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.insurance import demo, selectors
from openiop.insurance.models import Authorization, Coverage, EligibilityCheck, Payer
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed_sites(persona: Callable[..., User], north: Site, south: Site) -> list[Site]:
    for site in (north, south):
        persona(RoleCode.BILLING_SPECIALIST, site=site)
    clinician = persona(RoleCode.CLINICIAN)
    for number in range(20):
        site = north if number % 3 else south
        patient = register(site, legal_first_name=f"Demo{number}", legal_last_name="Person")
        episode_admit(
            actor=clinician, patient=patient, site=site, admission_date=TODAY - dt.timedelta(days=5 + number * 3)
        )
    return [north, south]


def test_the_demo_has_payers_with_their_rules_coverage_checks_and_authorizations(
    staffed_sites: list[Site],
) -> None:
    ticks: list[int] = []

    demo.seed_app(size="tiny", sites=staffed_sites, rng=random.Random(5), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("tiny")
    rules = {
        p.kind: (p.per_diem_min_minutes_per_day, p.per_diem_min_days_per_week, p.per_diem_min_minutes_per_week)
        for p in Payer.objects.all()
    }
    assert rules["medicaid"] == (0, 2, 540) and rules["tricare"] == (120, 1, 0)
    assert Payer.objects.get(kind="medicare").is_medicare
    assert Payer.objects.filter(kind="commercial", authorization_required=True).exists()
    patients = Patient.objects.count()
    insured = Coverage.objects.filter(priority="primary").values("patient").distinct().count()
    assert patients - 4 <= insured < patients  # most, not all: a few are self-pay
    assert EligibilityCheck.objects.count() >= insured
    assert Coverage.objects.filter(priority="secondary").count() == 1
    billers = list(User.objects.filter(roles__code=RoleCode.BILLING_SPECIALIST))
    assert any(selectors.eligibility_checks_due(biller, today=TODAY) for biller in billers)
    for authorization in Authorization.objects.all():
        assert authorization.start_date <= TODAY <= authorization.end_date
        assert 1 <= (authorization.end_date - authorization.start_date).days + 1 <= 24
    assert any(selectors.authorization_alerts(biller, today=TODAY) for biller in billers)
    # Safe to run again.
    demo.seed_app(size="tiny", sites=staffed_sites, rng=random.Random(5), tick=ticks.append)
    assert Payer.objects.count() == 5
