# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ways to pay's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from openiop.assistance.permissions import ASSISTANCE_MANAGE, ASSISTANCE_VIEW
from openiop.core.testing import Objects, Page


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _plan(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["assistance_plan"].pk}


def _award(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["assistance_award"].pk}


PAGES: list[Page] = [
    Page("assistance:funds", ASSISTANCE_VIEW),
    Page("assistance:fund_add", ASSISTANCE_MANAGE, form=True),
    Page("assistance:attestation_add", ASSISTANCE_MANAGE, _patient, form=True),
    Page("assistance:sliding_fee_apply", ASSISTANCE_MANAGE, _patient, form=True),
    Page("assistance:plan_add", ASSISTANCE_MANAGE, _patient, form=True),
    Page("assistance:plan_cancel", ASSISTANCE_MANAGE, _plan, form=True),
    Page("assistance:award_add", ASSISTANCE_MANAGE, _patient, form=True),
    Page("assistance:award_reverse", ASSISTANCE_MANAGE, _award, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    """A plan and an award at the base site, made as rows (no balance behind
    them): all the cancel and reverse pages need to show."""
    from openiop.assistance.models import Award, Fund, FundKind, Installment, PaymentPlan
    from openiop.ledger.models import LedgerTransaction, TransactionKind

    first_due = dt.date(2030, 1, 15)
    plan = PaymentPlan.objects.create(
        patient=base.patient, amount=Decimal("60.00"), months=2, first_due=first_due, starts_on=dt.date(2030, 1, 1)
    )
    for number in (1, 2):
        Installment.objects.create(
            plan=plan, number=number, due_on=first_due + dt.timedelta(days=31 * (number - 1)), amount=Decimal(30)
        )
    fund = Fund.objects.create(
        organization=base.site.organization,
        site=base.site,
        name=f"Scholarship {base.site.code}",
        kind=FundKind.SCHOLARSHIP,
        budget=Decimal("1000.00"),
        starts_on=dt.date(2030, 1, 1),
        ends_on=dt.date(2030, 12, 31),
    )
    posted = LedgerTransaction.objects.create(
        patient=base.patient,
        site=base.site,
        kind=TransactionKind.SCHOLARSHIP,
        amount=Decimal("25.00"),
        method="fund",
        posted_on=dt.date(2030, 1, 5),
    )
    award = Award.objects.create(
        fund=fund,
        patient=base.patient,
        amount=Decimal("25.00"),
        reason="Page test",
        awarded_on=dt.date(2030, 1, 5),
        transaction=posted,
    )
    return {"assistance_plan": plan, "assistance_award": award}
