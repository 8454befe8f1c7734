# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo payers, coverage, eligibility checks and authorizations.

Five payers with different rules: a commercial plan that wants an
authorization, a second commercial plan (the one the sample 271s in
``openiop/x12/samples`` answer for), a Medicaid plan paying S9480-style on
9 hours a week over 2 days, Medicare, and a TRICARE-style plan paying a day
of at least 2 hours. Most patients in treatment at the three named sites
have a primary coverage from their admission (a few are self-pay, one has a
secondary); benefits were verified by phone or portal (some checks are now
due); the payers that want one gave an authorization of 12 to 24 days
covering the current weeks, some near their end or their review date.
Billing's seeding draws them down from attendance. Everything is synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions.models import Inquiry
from openiop.core.roles import RoleCode
from openiop.insurance import services
from openiop.insurance.models import (
    Coverage,
    CoveragePriority,
    CoverageToEnter,
    Payer,
    PayerKind,
    SubscriberRelation,
)
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site

PATIENTS = {"tiny": 24, "small": 120, "medium": 200, "large": 300}

# name, payer ID, kind, Medicare, authorization required, per-diem rule (min/day, days/week, min/week), plans
PAYERS = [
    ("Blue Cross", "BCBS01", PayerKind.COMMERCIAL, False, True, (180, 3, 0), ["PPO", "HMO Select"]),
    ("Sunrise Health Plan", "SHP01", PayerKind.COMMERCIAL, False, False, (180, 3, 0), ["Gold PPO 1000"]),
    ("MassHealth", "MEDICAID", PayerKind.MEDICAID, False, True, (0, 2, 540), ["MassHealth Standard"]),
    ("Medicare", "MEDICARE", PayerKind.MEDICARE, True, False, (180, 3, 0), ["Part B"]),
    ("TRICARE East", "TRIEAST", PayerKind.TRICARE, False, True, (120, 1, 0), ["Prime"]),
]
WEIGHTS = [5, 2, 4, 2, 1]


def progress_steps(size: str) -> int:
    return PATIENTS.get(size, PATIENTS["small"])


def _payers(organization_id: int) -> list[Payer]:
    from openiop.sites.models import Organization

    organization = Organization.objects.get(pk=organization_id)
    payers: list[Payer] = []
    for name, payer_id, kind, medicare, authorization, rule, _plans in PAYERS:
        existing = Payer.objects.filter(organization=organization, payer_id=payer_id).first()
        payers.append(
            existing
            or services.payer_create(
                actor=None,
                organization=organization,
                name=name,
                payer_id=payer_id,
                kind=kind,
                is_medicare=medicare,
                authorization_required=authorization,
                per_diem_min_minutes_per_day=rule[0],
                per_diem_min_days_per_week=rule[1],
                per_diem_min_minutes_per_week=rule[2],
                timely_filing_days=365 if medicare else 90,
                phone=f"1-800-555-01{len(payers):02d}",
            )
        )
    return payers


def _member_id(rng: random.Random, payer: Payer) -> str:
    if payer.kind == PayerKind.MEDICARE:
        return f"{rng.randint(1, 9)}EG{rng.randint(1, 9)}-TE{rng.randint(1, 9)}-MK{rng.randint(10, 99)}"
    prefix = "".join(ch for ch in payer.payer_id if ch.isalpha())[:3]
    return f"{prefix}{rng.randint(100000000, 999999999)}"


def _retry_carry_over() -> None:
    """Inquiries admitted before the payers existed: carry their insurance
    over now; the ones still unmatched stay listed for billing to enter."""
    for entry in list(CoverageToEnter.objects.filter(resolved_at__isnull=True, inquiry_id__isnull=False)):
        inquiry = Inquiry.objects.filter(pk=entry.inquiry_id or 0).select_related("patient").first()
        if inquiry is None:
            continue
        result = services.coverage_carry_over(inquiry=inquiry, actor=None)
        if result is not None:
            entry.delete()  # replaced by the coverage, or by a fresh entry saying why


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    limit = progress_steps(size)
    if Payer.objects.exists() or not sites:
        tick(limit)
        return
    payers = _payers(sites[0].organization_id)
    _retry_carry_over()
    today = timezone.localdate()
    episodes = list(
        Episode.objects.filter(status=Episode.Status.ACTIVE, site__in=sites[:3])
        .select_related("patient", "site")
        .order_by("pk")[:limit]
    )
    billers = {
        site.pk: list(
            User.objects.filter(sites=site, roles__code=RoleCode.BILLING_SPECIALIST, is_active=True).order_by("pk")
        )
        for site in sites[:3]
    }
    tick(limit - len(episodes))
    secondary_given = False
    for number, episode in enumerate(episodes):
        tick(1)
        patient = episode.patient
        if number % 9 == 8 or Coverage.objects.filter(patient=patient).exists():
            continue  # self-pay (a few), or carried over from the inquiry
        actor = rng.choice(billers[episode.site_id]) if billers[episode.site_id] else None
        payer = rng.choices(payers, weights=WEIGHTS)[0]
        plans = next(spec[6] for spec in PAYERS if spec[1] == payer.payer_id)
        admitted = min(episode.admission_date, today)
        dependent = number % 11 == 5
        coverage = services.coverage_create(
            actor=actor,
            patient=patient,
            payer=payer,
            plan_name=rng.choice(plans),
            member_id=_member_id(rng, payer),
            group_number=f"G{rng.randint(10000, 99999)}" if payer.kind == PayerKind.COMMERCIAL else "",
            relation_to_subscriber=SubscriberRelation.CHILD if dependent else SubscriberRelation.SELF,
            subscriber_first_name="Rosa" if dependent else "",
            subscriber_last_name=patient.legal_last_name if dependent else "",
            subscriber_birth_date=dt.date(1968, 4, 12) if dependent else None,
            effective_date=admitted - dt.timedelta(days=rng.randint(30, 400)),
        )
        if not secondary_given and payer.is_medicare:
            secondary_given = _add_secondary(coverage, payers[2], actor, rng)
        _verify(coverage, actor, admitted, today, number, rng)
        if payer.authorization_required:
            _authorize(coverage, actor, episode, today, number, rng)
    if not secondary_given:
        primary = (
            Coverage.objects.exclude(payer=payers[2])
            .filter(priority="primary", patient__episodes__in=episodes)
            .order_by("pk")
            .first()
        )
        if primary is not None:
            _add_secondary(primary, payers[2], None, rng)
    _subscriber_addresses(sites[:3])


def _subscriber_addresses(sites: list[Site]) -> None:
    """A postal address for every insured patient who came in through an
    inquiry without one: the 837's subscriber (N3/N4) needs it, and the
    front desk asks for it when the insurance card is copied. Drawn from the
    MRN, not the shared random stream, so the apps seeded later draw as before."""
    from openiop.patients.services import patient_update

    insured = (
        Patient.objects.filter(site__in=sites, street="", coverages__isnull=False)
        .select_related("site")
        .distinct()
        .order_by("mrn")
    )
    streets = ["Maple", "Cedar", "Washington", "Union"]
    for patient in insured:
        site, number = patient.site, int("".join(ch for ch in patient.mrn if ch.isdigit()) or 0)
        patient_update(
            patient=patient,
            expected_version=patient.version,
            street=f"{number * 37 % 999 + 1} {streets[number % len(streets)]} Street",
            city=patient.city or site.city,
            state=patient.state or site.state,
            zip_code=patient.zip_code or site.zip_code,
        )


def _add_secondary(primary: Coverage, medicaid: Payer, actor: User | None, rng: random.Random) -> bool:
    """Medicaid as the secondary payer (typically behind Medicare)."""
    services.coverage_create(
        actor=actor,
        patient=primary.patient,
        payer=medicaid,
        member_id=_member_id(rng, medicaid),
        plan_name="MassHealth Standard",
        priority=CoveragePriority.SECONDARY,
        effective_date=primary.effective_date,
    )
    return True


def _verify(
    coverage: Coverage, actor: User | None, admitted: dt.date, today: dt.date, number: int, rng: random.Random
) -> None:
    """A call or a portal look at admission; every fourth was re-verified
    lately, the rest are due again once a month has passed."""
    commercial = coverage.payer.kind == PayerKind.COMMERCIAL
    days = [admitted] + ([max(admitted, today - dt.timedelta(days=rng.randint(1, 20)))] if number % 4 == 0 else [])
    for day in days:
        checked_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + number % 7, 15)))
        deductible = Decimal(rng.choice([500, 1000, 1500, 3000])) if commercial else None
        services.eligibility_check_record(
            actor=actor,
            coverage=coverage,
            method="phone" if number % 3 else "portal",
            active=True,
            checked_at=min(checked_at, timezone.now()),
            reference=f"REF{rng.randint(1000000, 9999999)}",
            representative=rng.choice(["Dana", "Luis", "Priya", "Sam"]) if number % 3 else "",
            copay_per_day=Decimal(rng.choice([0, 20, 25, 40])) if commercial else Decimal(0),
            coinsurance_percent=Decimal(rng.choice([10, 20, 30])) if commercial else None,
            deductible=deductible,
            deductible_remaining=(deductible * Decimal(rng.choice(["0", "0.4", "1"]))) if deductible else None,
            out_of_pocket_max=Decimal(rng.choice([3000, 6000, 8700])) if commercial else None,
            authorization_required="yes" if coverage.payer.authorization_required else "no",
        )


def _authorize(
    coverage: Coverage, actor: User | None, episode: Episode, today: dt.date, number: int, rng: random.Random
) -> None:
    """An authorization of 12 to 24 days covering today; a few end within
    3 days or have their concurrent review today (the dashboard shows them)."""
    length = rng.randint(12, 24)
    if number % 6 == 1:
        end = today + dt.timedelta(days=rng.randint(1, 3))
    else:
        end = today + dt.timedelta(days=rng.randint(4, length - 2))
    start = max(end - dt.timedelta(days=length - 1), episode.admission_date)
    if start > today:
        start = today
    days = (end - start).days + 1
    # Per-diem units: about 3 program days a week over the span, at least a week's worth.
    units = max(3, round(days * 3 / 7) + rng.randint(0, 2))
    review = end - dt.timedelta(days=2) if number % 5 else today
    services.authorization_create(
        actor=actor,
        patient=coverage.patient,
        coverage=coverage,
        episode=episode,
        number=f"PA{rng.randint(10000000, 99999999)}",
        level_of_care=episode.level_of_care,
        service_code="H0015",
        units_authorized=units,
        start_date=start,
        end_date=end,
        next_review_date=max(review, start),
    )
