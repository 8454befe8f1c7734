# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo fee schedules and the charges the demo's program has earned.

The program's own list (self-pay, every code it bills) and each demo payer's
contracted amounts, in force since before the demo's history; then
``charges_sync`` over the twelve weeks of attendance at the three named
sites, so the billing workspace has ready charges, charges held for a reason
(the last day's notes not signed yet, no authorization, an authorization used
up, no diagnosis, coverage ended) and authorizations drawn down from
attendance, at least one past 80% of its units. Everything is synthetic.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from openiop.billing import rules
from openiop.billing.models import FeeSchedule
from openiop.billing.services import charges_sync_many, fee_schedule_create
from openiop.insurance.models import Authorization, AuthorizationStatus, Payer, PayerKind
from openiop.patients.models import Episode
from openiop.sites.models import Site

CHUNK = 100
HISTORY_DAYS = 7 * 12 + 7
# The program's list price per code (self-pay and the default).
LIST_PRICES: dict[str, Decimal] = {
    "H0015": Decimal("275.00"),
    "S9480": Decimal("275.00"),
    "H2036": Decimal("240.00"),
    "H0001": Decimal("225.00"),
    "H0004": Decimal("35.00"),
    "H0005": Decimal("60.00"),
    "90791": Decimal("250.00"),
    "90832": Decimal("110.00"),
    "90834": Decimal("150.00"),
    "90837": Decimal("195.00"),
    "90846": Decimal("140.00"),
    "90847": Decimal("150.00"),
    "90849": Decimal("70.00"),
    "90853": Decimal("65.00"),
    "80305": Decimal("35.00"),
    "80306": Decimal("55.00"),
    "80307": Decimal("95.00"),
    "H0048": Decimal("20.00"),
}
# What each kind of payer contracts for, as a share of the list price.
CONTRACT_SHARE = {
    PayerKind.COMMERCIAL: Decimal("0.72"),
    PayerKind.MEDICAID: Decimal("0.48"),
    PayerKind.MEDICARE: Decimal("0.55"),
    PayerKind.TRICARE: Decimal("0.60"),
    PayerKind.OTHER: Decimal("0.50"),
}
# Self-pay: the program expects to collect about half of the list price
# (the sliding fee scale of the next issue decides each patient's share).
SELF_PAY_SHARE = Decimal("0.50")


def progress_steps(size: str) -> int:
    return 10


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def seed_fee_schedules(organization_id: int, since: dt.date) -> int:
    """The default list and each payer's contracted amounts; returns rows made."""
    from openiop.sites.models import Organization

    organization = Organization.objects.get(pk=organization_id)
    made = 0
    for code in rules.BILLED_CODES:
        price = LIST_PRICES[code]
        fee_schedule_create(
            actor=None,
            organization=organization,
            code=code,
            charge_amount=price,
            expected_amount=_money(price * SELF_PAY_SHARE),
            effective_from=since,
        )
        made += 1
    billed_to_payers = (*rules.PER_DIEM_CODES, "H0001", "90832", "90834", "90837", "90846", "90847", "80305")
    for payer in Payer.objects.filter(organization=organization).order_by("pk"):
        share = CONTRACT_SHARE.get(PayerKind(payer.kind), Decimal("0.5"))
        for code in billed_to_payers:
            fee_schedule_create(
                actor=None,
                organization=organization,
                payer=payer,
                code=code,
                charge_amount=LIST_PRICES[code],
                expected_amount=_money(LIST_PRICES[code] * share),
                effective_from=since,
            )
            made += 1
    return made


def _near_the_limit(rng: random.Random) -> None:
    """The 80% alert needs an authorization past 80% of its units: when the
    attendance drew none that far, the payer approved one of them for fewer
    days (an authorization update, as the biller would enter it)."""
    from openiop.insurance.services import authorization_update

    approved = Authorization.objects.filter(status=AuthorizationStatus.APPROVED, units_used__gt=0)
    if any(row.used_share >= 0.8 for row in approved):
        return
    candidates = sorted(approved, key=lambda row: (-row.used_share, row.pk))[:2]
    for row in candidates:
        units = max(row.units_used + 1, math.ceil(row.units_used / Decimal("0.85")))
        authorization_update(
            actor=None,
            authorization=row,
            expected_version=row.version,
            units_authorized=units,
            notes=(row.notes + "\nReviewer approved fewer days at the last concurrent review.").strip(),
        )


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: nothing is done when fee schedules exist."""
    steps = progress_steps(size)
    if FeeSchedule.objects.exists() or not sites:
        tick(steps)
        return
    today = timezone.localdate()
    since = today - dt.timedelta(days=HISTORY_DAYS)
    seed_fee_schedules(sites[0].organization_id, since - dt.timedelta(days=365))
    tick(1)
    patient_ids = sorted(
        set(
            Episode.objects.filter(site__in=sites[:3], admission_date__lte=today)
            .filter(Q(discharge_date__isnull=True) | Q(discharge_date__gte=since))
            .values_list("patient_id", flat=True)
        )
    )
    chunks = [patient_ids[offset : offset + CHUNK] for offset in range(0, len(patient_ids), CHUNK)]
    done = 0
    for number, chunk in enumerate(chunks):
        charges_sync_many(patient_ids=chunk, start=since, end=today, actor=None)
        share = (number + 1) * (steps - 2) // max(len(chunks), 1)
        tick(share - done)
        done = share
    tick(steps - 2 - done)
    _session_authorizations(today)
    _near_the_limit(rng)
    tick(1)


def _session_authorizations(today: dt.date) -> None:
    """The authorizations the held sessions ask for: for each coverage and
    code the payer wants one for, the biller enters the sessions it approved
    (entering one draws the held charges down). The last stays missing, so
    the work queue shows a charge held for want of one. The numbers come from
    the charges, not the demo's random stream, so what is seeded after this
    draws the same values as before."""
    from collections import defaultdict

    from openiop.billing.models import Charge, ChargeKind, ChargeStatus
    from openiop.billing.rules import HoldReason
    from openiop.insurance.models import AuthorizationUnit
    from openiop.insurance.services import authorization_create

    held = (
        Charge.objects.exclude(kind=ChargeKind.PER_DIEM)
        .filter(status=ChargeStatus.HELD, coverage__isnull=False)
        .select_related("coverage", "episode", "patient")
        .order_by("patient__mrn", "code", "service_date", "pk")
    )
    groups: dict[tuple[int | None, str], list[Charge]] = defaultdict(list)
    for charge in held:
        if HoldReason.NO_AUTHORIZATION not in charge.hold_reasons:
            continue
        groups[(charge.coverage_id, charge.code)].append(charge)
    for charges in list(groups.values())[:-1]:
        first = charges[0]
        authorization_create(
            actor=None,
            patient=first.patient,
            coverage=first.coverage,
            episode=first.episode,
            number=f"PS{first.pk:08d}",
            level_of_care=first.episode.level_of_care,
            service_code=first.code,
            unit=AuthorizationUnit.SESSIONS,
            units_authorized=len(charges) + 4,
            start_date=min(c.service_date for c in charges),
            end_date=today + dt.timedelta(days=30),
        )
