# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic inquiries in every stage, with a stage history spread over the
past weeks. Invented names and numbers only (phone numbers in the 555-01xx
fiction range, one per person). Goes through the services, so every move is recorded and
audited like a real one."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions import pipeline, services
from openiop.admissions.models import (
    CallerRelation,
    Channel,
    ClosedReason,
    ContactMethod,
    Inquiry,
    ReferralSource,
    StageChange,
    Substance,
    Urgency,
)
from openiop.core.roles import RoleCode
from openiop.patients.demo import demo_phone
from openiop.patients.models import Episode
from openiop.sites.models import Site

SOURCES = [
    ("Mercy General emergency department", ReferralSource.Kind.HOSPITAL),
    ("Harbor Family Medicine", ReferralSource.Kind.PHYSICIAN),
    ("Lakeside Residential (step-down)", ReferralSource.Kind.RESIDENTIAL),
    ("County drug court", ReferralSource.Kind.COURT),
    ("Employer assistance program", ReferralSource.Kind.EMPLOYER),
    ("Recovery community center", ReferralSource.Kind.COMMUNITY),
    ("Online treatment locator", ReferralSource.Kind.ONLINE),
]
FIRST = ["Maria", "James", "Aisha", "Miguel", "Hannah", "Wei", "Grace", "Tyrone", "Sofia", "Ethan", "Keisha", "Noah"]
LAST = ["Rivera", "Okafor", "Chen", "Patel", "Sullivan", "Dubois", "Haddad", "Novak", "Tanaka", "Moreno"]
PAYERS = [
    ("", ""),
    ("Blue Cross", "PPO"),
    ("Aetna", "HMO"),
    ("Medicaid", "MassHealth Standard"),
    ("Medicare", "Part B"),
]
# No longer offered on new inquiries (the program closed), kept for its history.
RETIRED_SOURCE = ("Harborview Sober Living (closed)", ReferralSource.Kind.COMMUNITY)
REFERRED_TO = ["Lakeside Residential", "Harbor Partial Hospitalization Program", "City Detox Center"]
# Where the demo inquiries end up, weighted towards work in progress.
TARGETS = [
    (pipeline.NEW, 4), (pipeline.PRE_SCREEN, 3), (pipeline.BENEFITS_CHECK, 3), (pipeline.ASSESSMENT_SCHEDULED, 2),
    (pipeline.ADMITTED, 3), (pipeline.REFERRED, 1), (pipeline.CLOSED, 2),
]  # fmt: skip


def _path_to(target: str, rng: random.Random) -> list[str]:
    if target in pipeline.FORWARD:
        return list(pipeline.FORWARD[1 : pipeline.FORWARD.index(target) + 1])
    # Referred or closed from some open stage.
    stop = rng.randrange(len(pipeline.OPEN_STAGES))
    return [*pipeline.FORWARD[1 : stop + 1], target]


def seed_inquiries(*, sites: list[Site], rng: random.Random, count: int) -> int:
    """Create COUNT inquiries across SITES, every stage represented (when
    COUNT >= 7). Returns the number created."""
    sources = [ReferralSource.objects.get_or_create(name=name, defaults={"kind": kind})[0] for name, kind in SOURCES]
    ReferralSource.objects.get_or_create(name=RETIRED_SOURCE[0], defaults={"kind": RETIRED_SOURCE[1], "active": False})
    navigators = {
        site.pk: list(User.objects.filter(sites=site, roles__code=RoleCode.ADMISSIONS_NAVIGATOR, is_active=True))
        for site in sites
    }
    counsellors = {
        site.pk: User.objects.filter(sites=site, roles__code=RoleCode.CLINICIAN, is_active=True).order_by("pk").first()
        for site in sites
    }
    stages, weights = zip(*TARGETS, strict=True)
    now = timezone.now()
    today = timezone.localdate()
    # Numbers continue after the inquiries seeded before (the demo seeds the
    # main sites, then the extra ones).
    first_phone = Inquiry.objects.count()
    for number in range(count):
        site = sites[number % len(sites)]
        actor = rng.choice(navigators[site.pk]) if navigators[site.pk] else None
        # Cycle through every stage first, then follow the weights.
        target = pipeline.ALL_STAGES[number] if number < len(pipeline.ALL_STAGES) else rng.choices(stages, weights)[0]
        channel = rng.choice(list(Channel))
        relation = rng.choice([CallerRelation.SELF] * 3 + [CallerRelation.PARENT, CallerRelation.SPOUSE])
        first, last = rng.choice(FIRST), rng.choice(LAST)
        payer, plan = rng.choice(PAYERS)
        known_birth = target == pipeline.ADMITTED or rng.random() < 0.7
        inquiry = services.inquiry_create(
            actor=actor,
            site=site,
            channel=channel,
            caller_name=f"{first} {last}" if relation == CallerRelation.SELF else f"{rng.choice(FIRST)} {last}",
            caller_relation=relation,
            first_name=first,
            last_name=last,
            birth_date=today - dt.timedelta(days=rng.randint(18 * 365, 65 * 365)) if known_birth else None,
            phone=demo_phone(first_phone + number),
            email="",
            preferred_contact=rng.choice([ContactMethod.PHONE, ContactMethod.TEXT]),
            consent_to_contact=rng.random() < 0.9,
            substances=sorted(set(rng.sample(list(Substance.values[:-1]), k=rng.randint(1, 2)))),
            urgency=rng.choice([Urgency.ROUTINE] * 3 + [Urgency.SOON, Urgency.URGENT]),
            insurance_payer=payer,
            insurance_member_id=f"DEMO{rng.randint(100000, 999999)}" if payer else "",
            insurance_plan=plan,
            referral_source=rng.choice(sources) if channel == Channel.REFERRAL or rng.random() < 0.4 else None,
            notes="",
        )
        path = _path_to(target, rng)
        for stage in path:
            inquiry = services.inquiry_move(
                actor=actor,
                inquiry=inquiry,
                to_stage=stage,
                reason=rng.choice(list(ClosedReason)) if stage == pipeline.CLOSED else "",
                referred_to=rng.choice(REFERRED_TO) if stage == pipeline.REFERRED else "",
                episode=services.EpisodeDetails(admission_date=today, primary_counsellor=counsellors[site.pk])
                if stage == pipeline.ADMITTED
                else None,
            )
        # Spread over the last two weeks, creation first, then the moves in
        # order; one in eight came in weeks ago and has sat in its stage
        # since (the board shows how long: overdue for a call back).
        waiting = number % 8 == 5
        age = dt.timedelta(days=rng.randint(15, 40) if waiting else rng.randint(0, 13), hours=rng.randint(1, 8))
        created = now - age
        moments = [created, *sorted(created + age * rng.uniform(0.05, 0.4 if waiting else 0.95) for _ in path)]
        Inquiry.objects.filter(pk=inquiry.pk).update(created_at=created)
        changes = list(StageChange.objects.filter(inquiry=inquiry).order_by("pk"))
        for change, moment in zip(changes, moments, strict=False):
            StageChange.objects.filter(pk=change.pk).update(at=moment)
        Inquiry.objects.filter(pk=inquiry.pk).update(stage_changed_at=moments[len(changes) - 1])
        if inquiry.episode_id is not None:
            # The episode began on the day the (back-dated) admission happened.
            Episode.objects.filter(pk=inquiry.episode_id).update(
                admission_date=timezone.localdate(moments[len(changes) - 1])
            )
    return count
