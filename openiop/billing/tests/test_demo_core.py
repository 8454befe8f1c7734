# SPDX-License-Identifier: AGPL-3.0-or-later
"""The billing demo: fee schedules for every payer and self-pay, ready and
held charges from the demo's attendance, an authorization past 80%."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.billing import demo, rules
from openiop.billing.models import Charge, ChargeStatus, FeeSchedule
from openiop.billing.tests.core_builders import MON, NOW, Week, sign_group_note
from openiop.core.roles import RoleCode
from openiop.insurance import demo as insurance_demo
from openiop.insurance.models import Authorization, Payer
from openiop.scheduling.tests.pages import admitted, open_all_week
from openiop.sites.models import Site


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_demo_prices_every_code_and_leaves_ready_and_held_charges_and_an_authorization_near_its_end(
    persona: Callable[..., User], north: Site
) -> None:
    open_all_week(north, dt.time(7), dt.time(21))
    persona(RoleCode.BILLING_SPECIALIST, site=north)
    clinician = persona(RoleCode.CLINICIAN, site=north)
    episodes = [admitted(north, f"Demo{n}", "Person", admission_date=dt.date(2026, 2, 2)) for n in range(10)]
    insurance_demo.seed_app(size="tiny", sites=[north], rng=random.Random(5), tick=lambda n: None)
    week = Week(north, clinician)
    for offset in range(4):  # Monday to Thursday; Thursday's note not signed yet
        session = week.add_day(MON + dt.timedelta(days=offset), episodes)
        week.attend_all(session, episodes)
        sign_group_note(session, episodes, sign=offset < 3)
    assert not Charge.objects.exists()  # billing is not set up before its fee schedules
    ticks: list[int] = []

    demo.seed_app(size="tiny", sites=[north], rng=random.Random(3), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("tiny")
    assert FeeSchedule.objects.filter(payer__isnull=True).count() == len(rules.BILLED_CODES)
    assert set(FeeSchedule.objects.exclude(payer=None).values_list("payer", flat=True)) == set(
        Payer.objects.values_list("pk", flat=True)
    )
    assert Charge.objects.filter(status=ChargeStatus.READY).exists()
    held = Charge.objects.filter(status=ChargeStatus.HELD)
    assert any(rules.HoldReason.UNSIGNED_NOTE.value in charge.hold_reasons for charge in held)
    assert any(row.used_share >= 0.8 for row in Authorization.objects.all())
    for row in Authorization.objects.all():
        assert row.units_used == row.charges.exclude(status=ChargeStatus.VOIDED).count() <= row.units_authorized

    demo.seed_app(size="tiny", sites=[north], rng=random.Random(3), tick=ticks.append)  # safe to run again
    assert FeeSchedule.objects.filter(payer__isnull=True).count() == len(rules.BILLED_CODES)
