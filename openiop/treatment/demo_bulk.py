# SPDX-License-Identifier: AGPL-3.0-or-later
"""Treatment records in bulk for the demo: a signed plan (with its 30-day
reviews) for every active episode the showcase left without one, and the
signed group sections and individual notes the schedule's attendance calls
for. Written in committed batches with one audit event each (see
``openiop.audit.bulk``); every derived field is what the services would
set: planned hours from ``rules.planned_hours_per_week``, review dates from
``rules.review_due``, late entries from ``rules.is_late_entry``, the
co-signature flag from the signer.

The plan says what the week holds and the demo schedule follows it
(``weekly_services``), so planned, scheduled and attended hours agree.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit import bulk as demo_bulk
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, LevelOfCare
from openiop.sites.models import Site
from openiop.treatment import conf, demo, rules, service_codes
from openiop.treatment.models import (
    Goal,
    GroupSession,
    Intervention,
    Note,
    NoteObjective,
    NoteStatus,
    Objective,
    PatientAcknowledgement,
    PlanVersion,
    Problem,
    ServiceType,
    TreatmentPlan,
)

# Admitted this recently: the plan is still being written (it shows on the due list).
PLAN_PENDING_DAYS = 2
# Every so many plans one is left past its 30-day review (due or overdue on the dashboard).
LEFT_FOR_REVIEW_EVERY = 12
REVIEW_REASONS = [
    "30-day review: objectives reviewed with the patient; targets kept.",
    "30-day review: meetings objective met, new target set for the sober network.",
    "30-day review: cravings lower; plan continued with the same services.",
]


def takes_extra_group(episode_id: int) -> bool:
    """A third of IOP patients take a weekly skills group on top of the core group."""
    return episode_id % 3 == 0


def weekly_services(level: str, episode_id: int) -> list[tuple[str, Decimal, int]]:
    """(service type, sessions a week, minutes) the plan asks for at LEVEL:
    IOP 3 x 3 h groups (+ a 2 h skills group for some), partial
    hospitalization 5 x 5 h, outpatient one 2 h group; a weekly individual
    session for everyone, family sessions every other week in IOP and PHP.
    Within the level's hours band (IOP 9-19 h, PHP 20 h or more, OP under 9)."""
    rows: list[tuple[str, Decimal, int]] = []
    if level == LevelOfCare.IOP:
        rows.append((ServiceType.GROUP, Decimal(3), 180))
        if takes_extra_group(episode_id):
            rows.append((ServiceType.GROUP, Decimal(1), 120))
    elif level == LevelOfCare.PHP:
        rows.append((ServiceType.GROUP, Decimal(5), 300))
    elif level == LevelOfCare.OUTPATIENT:
        rows.append((ServiceType.GROUP, Decimal(1), 120))
    rows.append((ServiceType.INDIVIDUAL, Decimal(1), 50))
    if level in (LevelOfCare.IOP, LevelOfCare.PHP):
        rows.append((ServiceType.FAMILY, Decimal("0.5"), 60))
    return rows


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _site_staff(site: Site, role: str) -> list[User]:
    return list(User.objects.filter(sites=site, roles__code=role, is_active=True).order_by("pk"))


def cosigner_for(site: Site) -> User | None:
    """Who co-signs for supervised clinicians at SITE: a clinical director."""
    directors = _site_staff(site, RoleCode.CLINICAL_DIRECTOR)
    return directors[0] if directors else None


def signature(
    author: User, session_end: dt.datetime, signed_at: dt.datetime, cosigner: User | None, now: dt.datetime
) -> dict[str, Any]:
    """The fields ``notes._sign`` sets, with the co-signature a director
    adds the next day (left waiting when that day has not come)."""
    cosign_at = signed_at + dt.timedelta(days=1)
    cosigned = author.requires_cosignature and cosigner is not None and cosign_at <= now
    return {
        "status": NoteStatus.SIGNED,
        "signed_at": signed_at,
        "late_entry": rules.is_late_entry(session_end, signed_at, conf.note_late_hours()),
        "cosign_required": author.requires_cosignature,
        "cosigned_by": cosigner if cosigned else None,
        "cosigned_at": cosign_at if cosigned else None,
    }


@dataclass
class _Version:
    number: int
    signed_at: dt.datetime
    reason: str


def _versions(episode: Episode, number: int, rng: random.Random, today: dt.date, now: dt.datetime) -> list[_Version]:
    """Version 1 signed within three days of admission, then one version per
    30-day review held on time, except every LEFT_FOR_REVIEW_EVERY-th plan."""
    days_in = (today - episode.admission_date).days
    signed = min(_at(episode.admission_date + dt.timedelta(days=min(3, days_in)), dt.time(16)), now)
    versions = [_Version(1, signed, "")]
    if number % LEFT_FOR_REVIEW_EVERY == LEFT_FOR_REVIEW_EVERY - 1:
        return versions
    while True:
        due = rules.review_due(timezone.localdate(versions[-1].signed_at), conf.plan_review_days())
        held = due - dt.timedelta(days=rng.randint(0, 4))
        if held > today:
            return versions
        moment = min(_at(held, dt.time(15)), now)
        versions.append(_Version(len(versions) + 1, moment, rng.choice(REVIEW_REASONS)))


def seed_plans_in_bulk(*, sites: list[Site], rng: random.Random, tick: Callable[[int], None], steps: int) -> None:
    """A signed plan for every active episode at SITES that has none (one
    committed batch per site), but those admitted in the last two days."""
    budget = demo_bulk.StepBudget(steps, tick)
    today, now = timezone.localdate(), timezone.now()
    for position, site in enumerate(sites, start=1):
        episodes = list(
            Episode.objects.filter(site=site, status=Episode.Status.ACTIVE, treatment_plan__isnull=True)
            .filter(admission_date__lte=today - dt.timedelta(days=PLAN_PENDING_DAYS))
            .select_related("primary_counsellor")
            .order_by("pk")
        )
        clinicians = _site_staff(site, RoleCode.CLINICIAN)
        if episodes and clinicians:
            _write_plans(site, episodes, clinicians, cosigner_for(site), rng, today, now)
        budget.reach(position / len(sites))
    budget.finish()


def _write_plans(
    site: Site,
    episodes: list[Episode],
    clinicians: list[User],
    cosigner: User | None,
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
) -> None:
    review_days = conf.plan_review_days()
    with demo_bulk.batch("treatment plans", site_id=site.pk) as rows:
        authors = [e.primary_counsellor or clinicians[e.pk % len(clinicians)] for e in episodes]
        plans = rows.insert(
            TreatmentPlan, [TreatmentPlan(episode=e, created_by=a) for e, a in zip(episodes, authors, strict=True)]
        )
        versions, owners = [], []
        for number, (episode, author, plan) in enumerate(zip(episodes, authors, plans, strict=True)):
            services = weekly_services(episode.level_of_care, episode.pk)
            planned = rules.planned_hours_per_week(rules.PlannedService(per_week, minutes)
                                                   for _kind, per_week, minutes in services)  # fmt: skip
            timeline = _versions(episode, number, rng, today, now)
            for version in timeline:
                last = version is timeline[-1]
                signed = version.signed_at
                cosigned = author.requires_cosignature and cosigner is not None
                versions.append(
                    PlanVersion(
                        plan=plan, number=version.number, change_reason=version.reason, created_by=author,
                        status=PlanVersion.Status.SIGNED if last else PlanVersion.Status.REVISED,
                        signed_by=author, signed_at=signed, patient_acknowledgement=PatientAcknowledgement.SIGNED,
                        cosign_required=author.requires_cosignature,
                        cosigned_by=cosigner if cosigned else None,
                        cosigned_at=min(signed + dt.timedelta(days=1), now) if cosigned else None,
                        review_due=rules.review_due(timezone.localdate(signed), review_days), planned_hours=planned,
                    )
                )  # fmt: skip
                owners.append((episode, author, services))
        versions = rows.insert(PlanVersion, versions)
        _write_items(rows, versions, owners, rng)


def _write_items(
    rows: demo_bulk.Batch,
    versions: list[PlanVersion],
    owners: list[tuple[Episode, User, list[tuple[str, Decimal, int]]]],
    rng: random.Random,
) -> None:
    # The same lineage in every version of one plan: versions compare item by item.
    lineage: dict[int, list[uuid.UUID]] = {}
    chosen: dict[int, tuple[Any, ...]] = {}
    problems = []
    for version, (episode, _author, _services) in zip(versions, owners, strict=True):
        if episode.pk not in lineage:
            lineage[episode.pk] = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(8)]
            chosen[episode.pk] = (rng.choice(demo.PROBLEMS), rng.sample(demo.OBJECTIVES, 2))
        (text, code, _goal, _words), _objectives = chosen[episode.pk]
        problems.append(Problem(version=version, lineage=lineage[episode.pk][0], position=1, description=text,
                                icd10_code=code))  # fmt: skip
    problems = rows.insert(Problem, problems)
    goals = []
    for version, problem, (episode, _author, _services) in zip(versions, problems, owners, strict=True):
        (_text, _code, goal_text, words), _objectives = chosen[episode.pk]
        goals.append(Goal(version=version, problem=problem, lineage=lineage[episode.pk][1], position=1,
                          statement=goal_text, patient_words=words))  # fmt: skip
    goals = rows.insert(Goal, goals)
    objectives, interventions = [], []
    for version, problem, goal, (episode, author, services) in zip(versions, problems, goals, owners, strict=True):
        _problem, picked = chosen[episode.pk]
        for index, (description, target) in enumerate(picked):
            objectives.append(
                Objective(version=version, goal=goal, lineage=lineage[episode.pk][2 + index], position=index + 1,
                          description=description, measurable_target=target,
                          target_date=episode.admission_date + dt.timedelta(days=60))
            )  # fmt: skip
        for index, (kind, per_week, minutes) in enumerate(services):
            interventions.append(
                Intervention(version=version, problem=problem, lineage=lineage[episode.pk][4 + index],
                             position=index + 1, service_type=kind, sessions_per_week=per_week, minutes=minutes,
                             responsible=author)
            )  # fmt: skip
    rows.insert(Objective, objectives)
    rows.insert(Intervention, interventions)


# --- Notes for attended sessions --------------------------------------------------------------------------------------


class ObjectivesInEffect:
    """The first objective of the plan version in effect on a date, per
    episode (what a clinician picks in the note's objective list)."""

    def __init__(self, episode_ids: list[int]) -> None:
        self.by_episode: dict[int, list[tuple[dt.date, int, str]]] = defaultdict(list)
        rows = (
            Objective.objects.filter(version__plan__episode_id__in=episode_ids, position=1)
            .exclude(version__status=PlanVersion.Status.DRAFT)
            .values_list("version__plan__episode_id", "version__signed_at", "pk", "description")
        )
        for episode_id, signed_at, pk, description in rows:
            self.by_episode[episode_id].append((timezone.localdate(signed_at), pk, description))
        for entries in self.by_episode.values():
            entries.sort()

    def on(self, episode_id: int, day: dt.date) -> tuple[int, str] | None:
        found = None
        for signed_on, pk, description in self.by_episode.get(episode_id, []):
            if signed_on > day:
                break
            found = (pk, description)
        return found


NARRATIVES = [
    "The group reviewed the week, then worked through the session's exercise in pairs and as a group.",
    "Check-in on cravings and high-risk situations since the last meeting; the facilitator taught the topic "
    "and members practiced it in role-plays.",
    "Members mapped their triggers for the coming weekend and wrote a plan for each; the group closed with a "
    "mindfulness exercise.",
]


def group_note(
    *, site: Site, session: Any, local_start: dt.datetime, local_end: dt.datetime, curriculum: str,
    signed_at: dt.datetime, rng: random.Random,
) -> GroupSession:  # fmt: skip
    return GroupSession(
        site=site, session_date=local_start.date(), start_time=local_start.time(), end_time=local_end.time(),
        topic=session.title, curriculum=curriculum, facilitator_id=session.facilitator_id,
        narrative=rng.choice(NARRATIVES), status=NoteStatus.SIGNED, signed_at=signed_at,
        scheduled_session_id=session.pk, created_by_id=session.facilitator_id,
    )  # fmt: skip


def section_note(
    *, group: GroupSession, episode_id: int, patient_id: int, minutes: int, left_early: bool,
    objective: tuple[int, str] | None, signed: dict[str, Any], rng: random.Random,
) -> Note:  # fmt: skip
    participation = (
        Note.Participation.LEFT_EARLY
        if left_early
        else rng.choice([Note.Participation.ACTIVE, Note.Participation.PARTICIPATED, Note.Participation.PARTICIPATED,
                         Note.Participation.MINIMAL])
    )  # fmt: skip
    response = demo.individual_response(objective[1] if objective else "", rng)
    return Note(
        patient_id=patient_id, episode_id=episode_id, group=group, kind=Note.Kind.GROUP, note_format="GROUP",
        session_date=group.session_date, start_time=group.start_time, end_time=group.end_time,
        author_id=group.facilitator_id, sections={"response": response, "plan": ""}, participation=participation,
        minutes_attended=minutes, service_code=service_codes.suggested_service_code(Note.Kind.GROUP, minutes), **signed,
    )  # fmt: skip


def individual_note(
    *, episode_id: int, patient_id: int, admitted: dt.date, author_id: int, local_start: dt.datetime,
    local_end: dt.datetime, signed: dict[str, Any], rng: random.Random,
) -> Note:  # fmt: skip
    data, assessment, plan = rng.choice(demo.DAP)
    day = local_start.date()
    return Note(
        patient_id=patient_id, episode_id=episode_id, kind=Note.Kind.INDIVIDUAL, note_format="DAP",
        session_date=day, start_time=local_start.time(), end_time=local_end.time(), author_id=author_id,
        sections={"data": data.format(d=(day - admitted).days), "assessment": assessment, "plan": plan},
        service_code=service_codes.suggested_service_code(
            Note.Kind.INDIVIDUAL, rules.minutes_between(local_start.time(), local_end.time())
        ),
        **signed,
    )  # fmt: skip


def objective_links(notes: list[Note], objectives: list[tuple[int, str] | None]) -> list[NoteObjective]:
    return [
        NoteObjective(note=note, objective_id=objective[0])
        for note, objective in zip(notes, objectives, strict=True)
        if objective is not None and note.participation != Note.Participation.ABSENT
    ]
