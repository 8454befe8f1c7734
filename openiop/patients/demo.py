# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic patients with episodes at different levels of care. Invented
names and numbers only (phone numbers in the 555-01xx fiction range)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import RoleCode
from openiop.patients import services
from openiop.patients.models import (
    EmergencyContact,
    Episode,
    LevelOfCare,
    Patient,
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
LEVEL_WEIGHTS = [
    (LevelOfCare.IOP, 70),
    (LevelOfCare.OUTPATIENT, 15),
    (LevelOfCare.PHP, 10),
    (LevelOfCare.RESIDENTIAL_35, 5),
]


def seed_patients(*, count: int, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> int:
    existing = Patient.objects.count()
    today = timezone.localdate()
    counsellors = {
        site.pk: list(User.objects.filter(sites=site, roles__code=RoleCode.CLINICIAN, is_active=True)) for site in sites
    }
    for _number in range(existing, count):
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
            phone=f"555-01{rng.randint(0, 99):02d}",
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
            Episode.objects.create(
                patient=patient,
                site=site,
                admission_date=start,
                level_of_care=LevelOfCare.IOP,
                status=Episode.Status.DISCHARGED,
                discharge_date=start + dt.timedelta(days=rng.randint(30, 90)),
                discharge_reason=rng.choice([TedsDischargeReason.COMPLETED, TedsDischargeReason.DROPPED_OUT]),
            )
        if rng.random() < 0.85:
            level = rng.choices([lvl for lvl, _w in LEVEL_WEIGHTS], weights=[w for _lvl, w in LEVEL_WEIGHTS])[0]
            counsellor = rng.choice(team)
            services.episode_admit(
                actor=counsellor,
                patient=patient,
                site=site,
                admission_date=today - dt.timedelta(days=rng.randint(0, 80)),
                level_of_care=level,
                primary_counsellor=counsellor,
            )
        tick(1)
    return Patient.objects.count()
