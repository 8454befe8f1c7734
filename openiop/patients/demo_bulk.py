# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo patients in bulk, for the sizes past the first few hundred: the same
people, episodes, step-downs, step-ups and discharges with plans as
``demo.seed_patients`` makes through the services, written in committed
batches with one audit event each (see ``openiop.audit.bulk``).

The same rules hold as through the services: MRNs come from the
organization's counter (locked while a batch takes its numbers), one active
episode per person, level changes between the admission and today and after
the previous change, discharges on or after the last change with a
continuing-care plan. Current episodes here reach back up to 17 weeks, so the
12 weeks of group history have people in every week.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit import bulk as demo_bulk
from openiop.patients import demo
from openiop.patients.models import (
    CareTeamMember,
    ContinuingCarePlan,
    EmergencyContact,
    Episode,
    LevelOfCareChange,
    MrnCounter,
    NextLevelOfCare,
    Patient,
    RecoverySupport,
    Sex,
    SupportPerson,
    TedsDischargeReason,
)
from openiop.sites.models import Site

PATIENT_BATCH = 1000
LONGEST_STAY_DAYS = 119


@dataclass
class _Change:
    from_level: str
    to_level: str
    on: dt.date
    reason: str


@dataclass
class _EpisodePlan:
    """An episode before it is written: its dates, levels and discharge."""

    site: Site
    admitted: dt.date
    level: str  # the level now (after the changes)
    counsellor: User | None
    changes: list[_Change]
    discharge: dict[str, object] | None


def _step(level: str, rng: random.Random, on: dt.date) -> _Change:
    """One step along the ladder, as ``demo.step_level`` takes it."""
    position = demo.LADDER.index(level) if level in demo.LADDER else 1
    down = position > 0 and (position == len(demo.LADDER) - 1 or rng.random() < 0.6)
    target = demo.LADDER[position - 1] if down else demo.LADDER[position + 1]
    reason = rng.choice(demo.STEP_DOWN_REASONS if down else demo.STEP_UP_REASONS)
    return _Change(level, target, on, reason)


def _discharge(rng: random.Random, on: dt.date, changes: list[_Change]) -> dict[str, object]:
    """The discharge and continuing-care plan ``demo.discharge_with_plan`` records."""
    reasons, weights = zip(*demo.DISCHARGE_WEIGHTS, strict=True)
    reason = rng.choices(reasons, weights)[0]
    if reason == TedsDischargeReason.COMPLETED:
        next_level = rng.choice([NextLevelOfCare.OUTPATIENT, NextLevelOfCare.OUTPATIENT, NextLevelOfCare.NONE])
    elif reason == TedsDischargeReason.TRANSFERRED:
        next_level = rng.choice([NextLevelOfCare.RESIDENTIAL_35, NextLevelOfCare.PHP])
    else:
        next_level = rng.choice([NextLevelOfCare.IOP, NextLevelOfCare.OUTPATIENT])
    referred = reason == TedsDischargeReason.TRANSFERRED or (next_level != NextLevelOfCare.NONE and rng.random() < 0.8)
    if changes:
        on = max(on, changes[-1].on)
    return {
        "on": on,
        "reason": reason,
        "next_level_of_care": next_level,
        "referral_to": rng.choice(demo.CONTINUING_CARE_PROGRAMS) if referred else "",
        "referral_contact": "555-0120" if referred else "",
        "first_appointment_date": on + dt.timedelta(days=rng.randint(2, 14)) if referred else None,
        "first_appointment_time": dt.time(rng.randint(9, 17), rng.choice([0, 30])) if referred else None,
        "supports": sorted(rng.sample(list(RecoverySupport.values[:-1]), k=rng.randint(1, 3))),
    }


def _episodes_for(site: Site, team: list[User | None], rng: random.Random, today: dt.date) -> list[_EpisodePlan]:
    plans = []
    if rng.random() < 0.2:  # some people come back: an earlier, discharged episode
        start = today - dt.timedelta(days=rng.randint(400, 900))
        changes = []
        if rng.random() < 0.4:
            changes.append(_step("2.1", rng, start + dt.timedelta(days=rng.randint(10, 25))))
        end = start + dt.timedelta(days=rng.randint(30, 90))
        level = changes[-1].to_level if changes else "2.1"
        plans.append(_EpisodePlan(site, start, level, None, changes, _discharge(rng, end, changes)))
    if rng.random() < 0.85:
        levels, weights = zip(*demo.LEVEL_WEIGHTS, strict=True)
        level = rng.choices(levels, weights)[0]
        counsellor = rng.choice(team)
        recent_discharge = rng.random() < 0.08
        admitted = today - dt.timedelta(
            days=rng.randint(45, 80) if recent_discharge else rng.randint(0, LONGEST_STAY_DAYS)
        )
        days_in = (today - admitted).days
        changes = []
        if days_in >= 21 and (recent_discharge or rng.random() < 0.3):
            changes.append(_step(level, rng, admitted + dt.timedelta(days=rng.randint(14, days_in - 7))))
            if rng.random() < 0.3:
                changes.append(_step(changes[-1].to_level, rng, today - dt.timedelta(days=rng.randint(0, 6))))
        level = changes[-1].to_level if changes else level
        discharge = _discharge(rng, today - dt.timedelta(days=rng.randint(0, 5)), changes) if recent_discharge else None
        plans.append(_EpisodePlan(site, admitted, level, counsellor, changes, discharge))
    return plans


def _take_mrns(organization_id: int, prefix: str, count: int) -> list[str]:
    MrnCounter.objects.get_or_create(organization_id=organization_id)
    counter = MrnCounter.objects.select_for_update().get(organization_id=organization_id)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [f"{prefix}-{number:06d}" for number in range(first, first + count)]


def seed_patients_in_bulk(
    *,
    count: int,
    sites: list[Site],
    rng: random.Random,
    tick: Callable[[int], None],
    counsellors: dict[int, list[User]],
) -> None:
    """Top the demo up to COUNT patients, PATIENT_BATCH per committed batch."""
    today = timezone.localdate()
    organization = sites[0].organization
    while (existing := Patient.objects.count()) < count:
        size = min(PATIENT_BATCH, count - existing)
        with demo_bulk.batch("patients") as rows:
            mrns = _take_mrns(organization.pk, organization.mrn_prefix, size)
            people = []
            episode_plans: list[list[_EpisodePlan]] = []
            for offset, mrn in enumerate(mrns):
                site = rng.choice(sites)
                sex = rng.choice([Sex.FEMALE, Sex.MALE])
                last = rng.choice(demo.LAST)
                people.append(
                    Patient(
                        organization=organization, site=site, mrn=mrn, legal_first_name=rng.choice(demo.FIRST[sex]),
                        legal_last_name=last, birth_date=today - dt.timedelta(days=rng.randint(18 * 365, 70 * 365)),
                        sex_at_birth=sex, pronouns="she/her" if sex == Sex.FEMALE else "he/him",
                        language=rng.choice(demo.LANGUAGES),
                        phone=demo.demo_phone(demo.PATIENT_PHONES_FROM + existing + offset),
                        street=f"{rng.randint(1, 999)} Elm Street", city=site.city, state=site.state,
                        zip_code=site.zip_code,
                    )
                )  # fmt: skip
                team: list[User | None] = [*counsellors.get(site.pk, [])] or [None]
                episode_plans.append(_episodes_for(site, team, rng, today))
            people = rows.insert(Patient, people)
            _write_people_around(rows, people, rng)
            _write_episodes(rows, people, episode_plans)
        tick(size)


def _write_people_around(rows: demo_bulk.Batch, people: list[Patient], rng: random.Random) -> None:
    contacts, supports = [], []
    for patient in people:
        contacts.append(
            EmergencyContact(
                patient=patient,
                name=f"{rng.choice(demo.FIRST[Sex.FEMALE])} {patient.legal_last_name}",
                relation="sibling",
                phone="555-0150",
            )
        )
        if rng.random() < 0.6:
            supports.append(
                SupportPerson(
                    patient=patient,
                    name=f"{rng.choice(demo.FIRST[Sex.MALE])} {patient.legal_last_name}",
                    relation=rng.choice(["spouse", "parent", "partner"]),
                    may_join_family_therapy=True,
                )
            )
    rows.insert(EmergencyContact, contacts)
    rows.insert(SupportPerson, supports)


def _write_episodes(rows: demo_bulk.Batch, people: list[Patient], plans: list[list[_EpisodePlan]]) -> None:
    episodes, wanted = [], []
    for patient, patient_plans in zip(people, plans, strict=True):
        for plan in patient_plans:
            discharged = plan.discharge is not None
            discharged_on = cast(dt.date, plan.discharge["on"]) if plan.discharge else None
            episodes.append(
                Episode(
                    patient=patient, site=plan.site, admission_date=plan.admitted, level_of_care=plan.level,
                    primary_counsellor=plan.counsellor,
                    status=Episode.Status.DISCHARGED if discharged else Episode.Status.ACTIVE,
                    discharge_date=discharged_on,
                    discharge_reason=str(plan.discharge["reason"]) if plan.discharge else "",
                    version=1 + len(plan.changes) + int(discharged),
                )
            )  # fmt: skip
            wanted.append(plan)
    episodes = rows.insert(Episode, episodes)
    team, changes, continuing = [], [], []
    for episode, plan in zip(episodes, wanted, strict=True):
        if plan.counsellor is not None:
            team.append(CareTeamMember(episode=episode, user=plan.counsellor, role_label="Primary counselor"))
        changes += [
            LevelOfCareChange(
                episode=episode, from_level=c.from_level, to_level=c.to_level, effective_date=c.on, reason=c.reason,
                decided_by=plan.counsellor,
            )
            for c in plan.changes
        ]  # fmt: skip
        if plan.discharge is not None:
            fields = {k: v for k, v in plan.discharge.items() if k not in {"on", "reason"}}
            continuing.append(ContinuingCarePlan(episode=episode, recorded_by=plan.counsellor, **fields))
    rows.insert(CareTeamMember, team)
    rows.insert(LevelOfCareChange, changes)
    rows.insert(ContinuingCarePlan, continuing)
