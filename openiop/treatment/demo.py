# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo treatment records: signed plans for patients with active episodes, a
few weeks of notes (one late entry, one awaiting co-signature), signed group
notes with individualized sections, family sessions with homework. Goes
through the services, so every record is validated, locked and audited like a
real one. Invented text only."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, LevelOfCare, SupportPerson
from openiop.sites.models import Site
from openiop.treatment.models import (
    Goal,
    GroupSession,
    Homework,
    Intervention,
    Note,
    Objective,
    Problem,
    ServiceType,
    TreatmentPlan,
)
from openiop.treatment.services import groups, notes, plans

# Plans and groups per site, by demo size (the three named sites only).
PLANS_PER_SITE = {"tiny": 4, "small": 12, "medium": 20, "large": 24}
GROUPS_PER_SITE = 3
GROUP_SIZE = 8

PROBLEMS = [
    ("Alcohol use disorder, moderate", "F10.20", "Stop drinking", "I want my mornings back"),
    ("Opioid use disorder, moderate, on buprenorphine", "F11.20", "Stay off illicit opioids", "Be there for my kids"),
    ("Stimulant use disorder (methamphetamine), moderate", "F15.20", "Stop using meth", "Keep my job"),
    ("Cannabis use disorder, mild", "F12.10", "Cut cannabis to zero", "Think clearly at school"),
]
OBJECTIVES = [
    ("Attend mutual-help meetings", "3 meetings a week for 4 weeks"),
    ("Use a written craving plan", "Craving log reviewed weekly, 4 of 4 weeks"),
    ("Build a sober support network", "Names 3 sober contacts and calls one weekly"),
    ("Negative drug tests", "All weekly tests negative for 4 weeks"),
]
TOPICS = [
    ("Relapse triggers at home and work", "matrix_relapse_prevention", "RP 4"),
    ("Coping with cravings", "coping_skills", ""),
    ("Early recovery: scheduling the week", "matrix_early_recovery", "ERS 2"),
    ("Family roles and recovery", "addiction_education", ""),
]
# Each participant's response is put together from their own objective and
# varied observations, so the demo never looks like a copied group note.
OBSERVED = [
    "Named two triggers of their own and practiced urge surfing",
    "Quiet at first, then described a recent close call and how they left the situation",
    "Shared progress with the meeting schedule",
    "Needed redirecting twice, then engaged in the final exercise",
    "Described using the craving plan at work and took feedback from peers",
    "Rated cravings {low}/10, down from {high}/10; evenings are the riskiest time",
    "Role-played refusing an offer from a coworker; said it felt awkward but doable",
    "Offered support to a newer member and talked about their own first week",
    "Was tearful when discussing family conflict; stayed for the whole session",
    "Challenged the idea that one drink is harmless, using their own history",
]
NEXT_STEP = [
    "Will bring the written plan to the next session.",
    "Agreed to call a support person before the weekend.",
    "Set a goal to attend two mutual-help meetings this week.",
    "Will track cravings daily on the card provided.",
    "Plans to practice the breathing exercise before work.",
    "Will tell the counselor at the next individual session how the week went.",
]


def individual_response(objective: str, rng: random.Random) -> str:
    observed = rng.choice(OBSERVED).format(low=rng.randint(2, 5), high=rng.randint(6, 9))
    link = f" Linked the topic to their objective: {objective.rstrip('.')}." if objective else ""
    return f"{observed}.{link} {rng.choice(NEXT_STEP)}"


DAP = [
    ("Reports {d} days abstinent; attended 2 meetings.", "Engaged, motivated; ambivalence about friends who use.",
     "Continue weekly sessions; practice refusal skills."),
    ("Discussed a slip at a family event; no use since.", "Insight improving; slip handled with the craving plan.",
     "Review triggers list next session."),
]  # fmt: skip


def progress_steps(size: str) -> int:
    return 3 * (PLANS_PER_SITE.get(size, 12) + GROUPS_PER_SITE)


def _staff(site: Site, role: str) -> list[User]:
    return list(User.objects.filter(sites=site, roles__code=role, is_active=True).order_by("pk"))


def _plan(author: User, episode: Episode, rng: random.Random, signed_on: dt.datetime) -> None:
    version = plans.plan_start(actor=author, episode=episode)
    text, code, goal_text, words = rng.choice(PROBLEMS)
    save = plans.draft_item_save
    problem = save(actor=author, version=version, item=Problem(description=text, icd10_code=code),
                   expected_lock_version=None)  # fmt: skip
    goal = save(actor=author, version=version, item=Goal(problem=problem, statement=goal_text, patient_words=words),
                expected_lock_version=None)  # fmt: skip
    for description, target in rng.sample(OBJECTIVES, 2):
        save(
            actor=author, version=version, expected_lock_version=None,
            item=Objective(goal=goal, description=description, measurable_target=target,
                           target_date=episode.admission_date + dt.timedelta(days=60)),
        )  # fmt: skip
    groups_per_week = rng.choice(["3", "3", "4"]) if episode.level_of_care == LevelOfCare.IOP else "2"
    for service, per_week, minutes in (
        (ServiceType.GROUP, groups_per_week, 180),
        (ServiceType.INDIVIDUAL, "1", 50),
        (ServiceType.FAMILY, "0.5", 60),
    ):
        save(
            actor=author, version=version, expected_lock_version=None,
            item=Intervention(problem=problem, service_type=service, sessions_per_week=Decimal(per_week),
                              minutes=minutes, responsible=author),
        )  # fmt: skip
    plans.plan_sign(actor=author, version=version, acknowledgement="signed", now=signed_on)


def _at(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    # The site's clock: notes are signed after their session ends there, and
    # signing earlier asks for a reason (a Denver session ends two hours
    # after the same wall time in New York).
    return dt.datetime.combine(day, time, tzinfo=zone)


def _individual_notes(author: User, episode: Episode, rng: random.Random, today: dt.date, late: bool) -> None:
    from openiop.treatment import selectors

    objectives = selectors.active_objectives(episode)
    for weeks_ago in (2, 1):
        day = today - dt.timedelta(days=7 * weeks_ago + rng.randint(0, 2))
        if day < episode.admission_date:
            continue
        data, assessment, plan = rng.choice(DAP)
        note = notes.note_create(
            actor=author, episode=episode, kind=Note.Kind.INDIVIDUAL, note_format="DAP", session_date=day,
            start_time=dt.time(14), end_time=dt.time(14, 50),
            sections={"data": data.format(d=(day - episode.admission_date).days), "assessment": assessment,
                      "plan": plan},
            objectives=objectives[:1],
        )  # fmt: skip
        is_late = late and weeks_ago == 2
        delay = dt.timedelta(days=4) if is_late else dt.timedelta(hours=2)
        notes.note_sign(
            actor=author, note=note, now=_at(day, dt.time(14, 50), episode.site.zone) + delay,
            entry_reason="Out sick for three days; documented on return." if is_late else "",
        )  # fmt: skip


def _family_session(author: User, episode: Episode, person: SupportPerson, today: dt.date) -> None:
    day = max(episode.admission_date, today - dt.timedelta(days=3))
    note = notes.note_create(
        actor=author, episode=episode, kind=Note.Kind.FAMILY, note_format="BIRP", session_date=day,
        start_time=dt.time(17), end_time=dt.time(18),
        sections={"behavior": "Patient and family arrived on time; some tension at the start.",
                  "intervention": "Communication skills; each named one change they have noticed.",
                  "response": "Both listened without interrupting by the end of the session.",
                  "plan": "Family homework below; next family session in two weeks."},
        attendees=[person],
    )  # fmt: skip
    notes.homework_assign(
        actor=author, episode=episode, note=note, assigned_to=Homework.AssignedTo.FAMILY, support_person=person,
        description="Read the family education handout together and list two questions.",
        due_date=today + dt.timedelta(days=5),
    )  # fmt: skip
    done = notes.homework_assign(
        actor=author, episode=episode, note=note, assigned_to=Homework.AssignedTo.PATIENT,
        description="Write down three high-risk times this week and the plan for each.", due_date=today,
    )  # fmt: skip
    notes.homework_complete(actor=author, homework=done, completed_on=today, note="Brought the list to group.")
    notes.note_sign(
        actor=author, note=note, now=min(_at(day, dt.time(18, 30), episode.site.zone), timezone.now()),
        entry_reason="Family left before the end; documented at once.",
    )  # fmt: skip


def _group(author: User, site: Site, people: list[Episode], rng: random.Random, day: dt.date, topic: int) -> None:
    title, curriculum, session = TOPICS[topic % len(TOPICS)]
    group = groups.group_create(
        actor=author, site=site, session_date=day, start_time=dt.time(9), end_time=dt.time(12), topic=title,
        curriculum=curriculum, curriculum_session=session, facilitator=author, patients=[e.patient for e in people],
    )  # fmt: skip
    sections = {}
    for note in group.sections.prefetch_related("objective_links__objective"):
        link = note.objective_links.first()
        absent = rng.random() < 0.08
        sections[note.pk] = groups.SectionInput(
            participation="absent" if absent else rng.choice(["active", "participated", "participated", "minimal"]),
            minutes_attended=0 if absent else rng.choice([180, 180, 180, 150]),
            objective_id=None if absent or link is None else link.objective_id,
            response="" if absent else individual_response(link.objective.description if link else "", rng),
        )
    narrative = "The group reviewed the week, then worked through the session's exercise in pairs and as a group."
    groups.group_save(actor=author, group=group, expected_lock_version=None, header={"narrative": narrative},
                      sections=sections)  # fmt: skip
    groups.group_sign_all(actor=author, group=group, now=_at(day, dt.time(13), site.zone))


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: sites that already have group notes are skipped."""
    today = timezone.localdate()
    demo_clinician = User.objects.filter(username="clinician").first()
    for site_number, site in enumerate(sites[:3]):
        if GroupSession.objects.filter(site=site).exists():
            tick(PLANS_PER_SITE.get(size, 12) + GROUPS_PER_SITE)
            continue
        clinicians = _staff(site, RoleCode.CLINICIAN)
        if demo_clinician is not None and demo_clinician.sites.filter(pk=site.pk).exists():
            clinicians.insert(0, demo_clinician)
        if not clinicians:
            tick(PLANS_PER_SITE.get(size, 12) + GROUPS_PER_SITE)
            continue
        episodes = list(
            Episode.objects.filter(site=site, status=Episode.Status.ACTIVE, level_of_care=LevelOfCare.IOP)
            .exclude(pk__in=TreatmentPlan.objects.values("episode"))
            .select_related("patient", "primary_counsellor")
            # The newest admissions: their plans are not due for review yet (the
            # bulk phase gives everyone else a plan with its 30-day reviews).
            .order_by("-admission_date", "pk")[: PLANS_PER_SITE.get(size, 12)]
        )
        tick(PLANS_PER_SITE.get(size, 12) - len(episodes))  # fewer episodes than planned: keep the bar honest
        with_plans = []
        for index, episode in enumerate(episodes):
            author = episode.primary_counsellor or clinicians[0]
            if index == 0:
                tick(1)  # the newest admission is left without a plan: it shows on the due list
                continue
            signed_on = _at(episode.admission_date + dt.timedelta(days=min(3, (today - episode.admission_date).days)),
                            dt.time(16), episode.site.zone)  # fmt: skip
            _plan(author, episode, rng, min(signed_on, timezone.now()))
            with_plans.append(episode)
            _individual_notes(author, episode, rng, today, late=index == 1)
            person = SupportPerson.objects.filter(patient=episode.patient, may_join_family_therapy=True).first()
            if person is not None and index % 3 == 0:
                _family_session(author, episode, person, today)
            tick(1)
        facilitator = clinicians[0]
        for number in range(GROUPS_PER_SITE):
            day = today - dt.timedelta(days=2 + 3 * number)
            eligible = [e for e in with_plans if e.admission_date <= day]
            if eligible:
                _group(facilitator, site, rng.sample(eligible, min(GROUP_SIZE, len(eligible))), rng, day,
                       site_number + number)  # fmt: skip
            tick(1)
        _unsigned_examples(site, clinicians, episodes, today)


def _unsigned_examples(site: Site, clinicians: list[User], episodes: list[Episode], today: dt.date) -> None:
    """One draft note to finish and, where a supervised clinician works, one
    note awaiting co-signature: something on each dashboard."""
    planned = [e for e in episodes if TreatmentPlan.objects.filter(episode=e).exists()]
    if not planned:
        return
    episode = planned[0]
    notes.note_create(
        actor=clinicians[0], episode=episode, kind=Note.Kind.CASE_MANAGEMENT, note_format="DAP", session_date=today,
        start_time=dt.time(11), end_time=dt.time(11, 20),
        sections={"data": "Called about a housing voucher.", "assessment": "", "plan": ""},
    )  # fmt: skip
    trainee = next((c for c in clinicians if c.requires_cosignature), None)
    if trainee is not None:
        note = notes.note_create(
            actor=trainee, episode=episode, kind=Note.Kind.INDIVIDUAL, note_format="SOAP",
            session_date=today - dt.timedelta(days=1), start_time=dt.time(15), end_time=dt.time(15, 50),
            sections={"subjective": "Feels steadier this week.", "objective": "Calm, on time, good eye contact.",
                      "assessment": "Progressing toward the meetings objective.", "plan": "Weekly sessions."},
        )  # fmt: skip
        notes.note_sign(actor=trainee, note=note, now=_at(today - dt.timedelta(days=1), dt.time(17), site.zone))


def bulk_steps(size: str) -> int:
    return 50


def seed_bulk(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """After the showcase: a signed plan, with its 30-day reviews, for every
    other active episode (in bulk, see ``treatment.demo_bulk``)."""
    from openiop.treatment.demo_bulk import seed_plans_in_bulk

    seed_plans_in_bulk(sites=sites, rng=rng, tick=tick, steps=bulk_steps(size))
