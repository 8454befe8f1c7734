# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic patients with episodes at different levels of care, some with
step-downs and step-ups in their history and some discharged with a TEDS
reason and a continuing-care plan. Invented names and numbers only (phone
numbers in the 555-01xx fiction range). Transitions go through the
services, so they are validated and audited like real ones."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients import services
from openiop.patients.models import (
    ContinuingCarePlan,
    EmergencyContact,
    Episode,
    LevelOfCare,
    LevelOfCareChange,
    NextLevelOfCare,
    Patient,
    RecoverySupport,
    Sex,
    SupportPerson,
    TedsDischargeReason,
)
from openiop.sites.models import Site

FIRST = {
    Sex.FEMALE: [
        "Maria",
        "Emily",
        "Aisha",
        "Sofia",
        "Hannah",
        "Grace",
        "Lucia",
        "Mei",
        "Olivia",
        "Keisha",
        "Ana",
        "Rachel",
    ],
    Sex.MALE: [
        "James",
        "Miguel",
        "Daniel",
        "Tyrone",
        "Wei",
        "Ahmed",
        "Lucas",
        "Ethan",
        "Jose",
        "Marcus",
        "David",
        "Noah",
    ],
}
LAST = [
    "Smith",
    "Garcia",
    "Johnson",
    "Nguyen",
    "Williams",
    "Martinez",
    "Brown",
    "Lopez",
    "Davis",
    "Kim",
    "Wilson",
    "Anderson",
    "Thomas",
    "Hernandez",
    "Moore",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
]
LANGUAGES = ["English"] * 8 + ["Spanish", "Vietnamese"]
# Levels a demo episode steps along, least intensive first.
LADDER: list[str] = [LevelOfCare.OUTPATIENT, LevelOfCare.IOP, LevelOfCare.PHP, LevelOfCare.RESIDENTIAL_35]
STEP_DOWN_REASONS = [
    "Reassessment: abstinent for six weeks, goals of the treatment plan met; continues in less intensive care.",
    "Stable at home and at work; craving scores down; agreed with the team to step down.",
    "Completed the early-recovery phase; dimension 5 risk now low.",
]
STEP_UP_REASONS = [
    "Return to daily use after a loss at work; needs more structure than IOP offers.",
    "CIWA-Ar rising between visits; needs daily medical monitoring for now.",
    "Home environment unsafe after a relapse of the partner; more hours of care agreed.",
]
CONTINUING_CARE_PROGRAMS = [
    "Harbor Family Medicine outpatient counseling",
    "Lakeside Residential",
    "County recovery community center",
    "Westside Partial Hospitalization Program",
]
DISCHARGE_WEIGHTS = [
    (TedsDischargeReason.COMPLETED, 55),
    (TedsDischargeReason.DROPPED_OUT, 20),
    (TedsDischargeReason.TRANSFERRED, 10),
    (TedsDischargeReason.TERMINATED, 5),
    (TedsDischargeReason.INCARCERATED, 3),
    (TedsDischargeReason.OTHER, 7),
]
LEVEL_WEIGHTS = [
    (LevelOfCare.IOP, 70),
    (LevelOfCare.OUTPATIENT, 15),
    (LevelOfCare.PHP, 10),
    (LevelOfCare.RESIDENTIAL_35, 5),
]


# Patients registered through the services (validated and audited one by one);
# any beyond are written in bulk by ``demo_patients_bulk`` with the same shapes.
SERVICE_PATIENTS = 100


# Every invented person gets a number of their own: the fiction range
# 555-0100..0199 behind a different area code for each hundred people (N11
# service codes left out), so duplicate checks find only real matches.
# Inquiries take numbers from 0, patients from PATIENT_PHONES_FROM.
AREA_CODES = [code for code in range(201, 990) if code % 100 != 11]
PATIENT_PHONES_FROM = 40_000


def demo_phone(number: int) -> str:
    """The NUMBER-th invented person's phone number, unique per person."""
    return f"({AREA_CODES[number // 100]}) 555-01{number % 100:02d}"


def seed_patients(
    *,
    count: int,
    sites: list[Site],
    rng: random.Random,
    tick: Callable[[int], None],
    through_services: int = SERVICE_PATIENTS,
) -> int:
    existing = Patient.objects.count()
    today = timezone.localdate()
    counsellors = {
        site.pk: list(User.objects.filter(sites=site, roles__code=RoleCode.CLINICIAN, is_active=True)) for site in sites
    }
    # One transaction for the patients made through the services (SQLite
    # would otherwise commit, and sync to disk, after every one).
    with transaction.atomic():
        for number in range(existing, min(count, through_services)):
            site = rng.choice(sites)
            sex = rng.choice([Sex.FEMALE, Sex.MALE])
            first = rng.choice(FIRST[sex])
            last = rng.choice(LAST)
            patient = services.patient_register(
                site=site,
                legal_first_name=first,
                legal_last_name=last,
                preferred_name="",
                birth_date=today - dt.timedelta(days=rng.randint(18 * 365, 70 * 365)),
                sex_at_birth=sex,
                gender_identity="",
                pronouns="she/her" if sex == Sex.FEMALE else "he/him",
                language=rng.choice(LANGUAGES),
                phone=demo_phone(PATIENT_PHONES_FROM + number),
                email="",
                street=f"{rng.randint(1, 999)} Elm Street",
                city=site.city,
                state=site.state,
                zip_code=site.zip_code,
            )
            EmergencyContact.objects.create(
                patient=patient, name=f"{rng.choice(FIRST[Sex.FEMALE])} {last}", relation="sibling", phone="555-0150"
            )
            if rng.random() < 0.6:
                SupportPerson.objects.create(
                    patient=patient,
                    name=f"{rng.choice(FIRST[Sex.MALE])} {last}",
                    relation=rng.choice(["spouse", "parent", "partner"]),
                    may_join_family_therapy=True,
                )
            team: list[User | None] = [*counsellors.get(site.pk, [])] or [None]
            # Some people come back: an earlier, discharged episode.
            if rng.random() < 0.2:
                start = today - dt.timedelta(days=rng.randint(400, 900))
                earlier = services.episode_admit(
                    actor=None, patient=patient, site=site, admission_date=start, level_of_care=LevelOfCare.IOP
                )
                end = start + dt.timedelta(days=rng.randint(30, 90))
                if rng.random() < 0.4:
                    step_level(earlier, None, rng, on=start + dt.timedelta(days=rng.randint(10, 25)))
                discharge_with_plan(earlier, None, rng, on=end)
            if rng.random() < 0.85:
                level = rng.choices([lvl for lvl, _w in LEVEL_WEIGHTS], weights=[w for _lvl, w in LEVEL_WEIGHTS])[0]
                counsellor = rng.choice(team)
                recent_discharge = rng.random() < 0.08
                admitted = today - dt.timedelta(days=rng.randint(45, 80) if recent_discharge else rng.randint(0, 80))
                episode = services.episode_admit(
                    actor=counsellor,
                    patient=patient,
                    site=site,
                    admission_date=admitted,
                    level_of_care=level,
                    primary_counsellor=counsellor,
                )
                days_in = (today - admitted).days
                if days_in >= 21 and (recent_discharge or rng.random() < 0.3):
                    step_level(episode, counsellor, rng, on=admitted + dt.timedelta(days=rng.randint(14, days_in - 7)))
                    if rng.random() < 0.3:
                        step_level(episode, counsellor, rng, on=today - dt.timedelta(days=rng.randint(0, 6)))
                if recent_discharge:
                    discharge_with_plan(episode, counsellor, rng, on=today - dt.timedelta(days=rng.randint(0, 5)))
            tick(1)
        if not LevelOfCareChange.objects.exists():
            backfill_transitions(rng=rng, today=today)
    from openiop.patients.demo_bulk import seed_patients_in_bulk

    seed_patients_in_bulk(count=count, sites=sites, rng=rng, tick=tick, counsellors=counsellors)
    return Patient.objects.count()


def step_level(episode: Episode, actor: User | None, rng: random.Random, *, on: dt.date) -> None:
    """One step along LADDER, down when there is room below, else up; a step
    down from IOP is likelier than a step up, as in practice."""
    position = LADDER.index(episode.level_of_care) if episode.level_of_care in LADDER else 1
    down = position > 0 and (position == len(LADDER) - 1 or rng.random() < 0.6)
    target = LADDER[position - 1] if down else LADDER[position + 1]
    services.episode_change_level(
        actor=actor,
        episode=episode,
        to_level=target,
        effective_date=on,
        reason=rng.choice(STEP_DOWN_REASONS if down else STEP_UP_REASONS),
    )


def discharge_with_plan(episode: Episode, actor: User | None, rng: random.Random, *, on: dt.date) -> None:
    reasons, weights = zip(*DISCHARGE_WEIGHTS, strict=True)
    reason = rng.choices(reasons, weights)[0]
    if reason == TedsDischargeReason.COMPLETED:
        next_level = rng.choice([NextLevelOfCare.OUTPATIENT, NextLevelOfCare.OUTPATIENT, NextLevelOfCare.NONE])
    elif reason == TedsDischargeReason.TRANSFERRED:
        next_level = rng.choice([NextLevelOfCare.RESIDENTIAL_35, NextLevelOfCare.PHP])
    else:
        next_level = rng.choice([NextLevelOfCare.IOP, NextLevelOfCare.OUTPATIENT])
    referred = reason == TedsDischargeReason.TRANSFERRED or (next_level != NextLevelOfCare.NONE and rng.random() < 0.8)
    last_change = episode.level_changes.order_by("-effective_date").first()
    if last_change is not None:
        on = max(on, last_change.effective_date)
    services.episode_discharge(
        actor=actor,
        episode=episode,
        discharge_date=on,
        reason=reason,
        next_level_of_care=next_level,
        referral_to=rng.choice(CONTINUING_CARE_PROGRAMS) if referred else "",
        referral_contact="555-0120" if referred else "",
        first_appointment_date=on + dt.timedelta(days=rng.randint(2, 14)) if referred else None,
        first_appointment_time=dt.time(rng.randint(9, 17), rng.choice([0, 30])) if referred else None,
        supports=rng.sample(list(RecoverySupport.values[:-1]), k=rng.randint(1, 3)),
        notes="",
    )


def backfill_transitions(*, rng: random.Random, today: dt.date) -> None:
    """For a demo database seeded before transitions existed: give some
    active episodes a history and the discharged ones a continuing-care plan."""
    for episode in Episode.objects.filter(status=Episode.Status.ACTIVE).order_by("pk"):
        days_in = (today - episode.admission_date).days
        if days_in >= 21 and rng.random() < 0.3:
            step_level(episode, episode.primary_counsellor, rng, on=today - dt.timedelta(days=rng.randint(0, 7)))
    for episode in Episode.objects.filter(status=Episode.Status.DISCHARGED, continuing_care__isnull=True):
        ContinuingCarePlan.objects.create(
            episode=episode,
            next_level_of_care=NextLevelOfCare.OUTPATIENT,
            referral_to=rng.choice(CONTINUING_CARE_PROGRAMS),
            supports=sorted(rng.sample(list(RecoverySupport.values[:-1]), k=2)),
        )
