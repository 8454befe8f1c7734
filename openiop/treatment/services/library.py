# SPDX-License-Identifier: AGPL-3.0-or-later
"""The plan library: copy a library problem into a draft plan in one step,
and the clinical director's edits of the library (audited)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.treatment.models import Goal, Intervention, LibraryEntry, Objective, PlanVersion, Problem
from openiop.treatment.services.plans import _bump, _lock_draft


@transaction.atomic
def add_from_library(
    *,
    actor: User,
    version: PlanVersion,
    entry: LibraryEntry,
    responsible: User,
    expected_lock_version: int | None,
    today: dt.date | None = None,
) -> Problem:
    """Copy library problem ENTRY, with its offered goals, their objectives
    and its interventions, into the draft VERSION: a plan that can be signed
    in one step, to individualize in place. Target dates count from TODAY;
    RESPONSIBLE delivers the interventions."""
    draft = _lock_draft(version, expected_lock_version)
    if entry.kind != LibraryEntry.Kind.PROBLEM or not entry.active:
        raise ValidationError(_("Choose a problem the library offers."))
    start = today or timezone.localdate()
    problem = Problem.objects.create(
        version=draft, position=draft.problems.count() + 1, description=entry.text, icd10_code=entry.icd10_code
    )
    children = list(entry.children.filter(active=True).order_by("position", "pk"))
    goal_position = Goal.objects.filter(version=draft).count()
    objective_position = Objective.objects.filter(version=draft).count()
    for goal_entry in (c for c in children if c.kind == LibraryEntry.Kind.GOAL):
        goal_position += 1
        goal = Goal.objects.create(version=draft, problem=problem, position=goal_position, statement=goal_entry.text)
        for objective_entry in goal_entry.children.filter(active=True, kind=LibraryEntry.Kind.OBJECTIVE):
            objective_position += 1
            Objective.objects.create(
                version=draft, goal=goal, position=objective_position, description=objective_entry.text,
                measurable_target=objective_entry.measurable_target,
                target_date=start + dt.timedelta(days=objective_entry.target_days),
            )  # fmt: skip
    intervention_position = Intervention.objects.filter(version=draft).count()
    for service in (c for c in children if c.kind == LibraryEntry.Kind.INTERVENTION):
        intervention_position += 1
        Intervention.objects.create(
            version=draft, problem=problem, position=intervention_position, service_type=service.service_type,
            description=service.text, sessions_per_week=service.sessions_per_week, minutes=service.minutes,
            responsible=responsible,
        )  # fmt: skip
    _bump(draft)
    log_action(
        "plan.add_from_library", obj=draft, actor=actor, data={"library_entry": entry.pk, "problem_id": problem.pk}
    )
    return problem


def library_problems() -> list[LibraryEntry]:
    """What a clinician may pick: the offered problems, with their parts."""
    return list(
        LibraryEntry.objects.filter(kind=LibraryEntry.Kind.PROBLEM, active=True)
        .prefetch_related("children__children")
        .order_by("position", "pk")
    )


@transaction.atomic
def library_save(*, actor: User, entry: LibraryEntry) -> LibraryEntry:
    creating = entry.pk is None
    if creating:
        entry.position = LibraryEntry.objects.filter(kind=entry.kind).count() + 1
    entry.full_clean()
    entry.save()
    log_action(
        "plan_library.save",
        obj=entry,
        actor=actor,
        data={"kind": entry.kind, "created": creating, "active": entry.active},
    )
    return entry
