# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for treatment plans: start, edit a draft, sign, co-sign, revise.

Signing and revising are clinical actions, audited by name. Every write to a
draft checks the version's lock counter, so two people editing one draft
never silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.patients.models import Episode
from openiop.treatment import conf, rules, selectors
from openiop.treatment.models import (
    Goal,
    Intervention,
    LockedRecordError,
    Objective,
    PatientAcknowledgement,
    PlanVersion,
    Problem,
    TreatmentPlan,
)
from openiop.treatment.models.plans import PlanItem

_Item = TypeVar("_Item", bound=PlanItem)

ITEM_MODELS: dict[str, type[PlanItem]] = {
    "problem": Problem,
    "goal": Goal,
    "objective": Objective,
    "intervention": Intervention,
}


def _locked_version() -> LockedRecordError:
    return LockedRecordError(_("This plan version is signed and locked. Revise the plan to make changes."))


def _lock_draft(version: PlanVersion, expected_lock_version: int | None) -> PlanVersion:
    current: PlanVersion = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if current.status != PlanVersion.Status.DRAFT:
        raise _locked_version()
    check_version(
        current.lock_version,
        expected_lock_version,
        _("Someone else changed this plan while you were editing. Your change was not saved; reload to see theirs."),
    )
    return current


def _bump(version: PlanVersion) -> None:
    version.lock_version += 1
    version.save(update_fields=["lock_version"])


@transaction.atomic
def plan_start(*, actor: User, episode: Episode) -> PlanVersion:
    """Open the episode's plan with an empty draft version 1."""
    if episode.status != Episode.Status.ACTIVE:
        raise ValidationError(_("Plans are written for active episodes; this one is discharged."))
    if TreatmentPlan.objects.filter(episode=episode).exists():
        raise ValidationError(_("This episode already has a treatment plan."))
    plan = TreatmentPlan.objects.create(episode=episode, created_by=actor)
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=actor)
    log_action("plan.start", obj=version, actor=actor, patient_id=episode.patient_id, site_id=episode.site_id)
    return version


@transaction.atomic
def draft_item_save(*, actor: User, version: PlanVersion, item: _Item, expected_lock_version: int | None) -> _Item:
    """Add or change one problem, goal, objective or intervention of a draft."""
    draft = _lock_draft(version, expected_lock_version)
    item.version = draft
    if item.pk is None:
        siblings = type(item)._default_manager.filter(version=draft)
        item.position = siblings.count() + 1
    item.full_clean()
    item.save()
    _bump(draft)
    log_action(
        "plan.item_save",
        obj=draft,
        actor=actor,
        data={"item": type(item).__name__.lower(), "item_id": item.pk},
    )
    return item


@transaction.atomic
def draft_item_remove(*, actor: User, version: PlanVersion, item: PlanItem, expected_lock_version: int | None) -> None:
    draft = _lock_draft(version, expected_lock_version)
    if item.version_id != draft.pk:
        raise ValidationError(_("That item belongs to another plan version."))
    data = {"item": type(item).__name__.lower(), "item_id": item.pk, "text": str(item)[:200]}
    item.delete()
    _bump(draft)
    log_action("plan.item_remove", obj=draft, actor=actor, data=data)


def sign_problems(version: PlanVersion) -> list[str]:
    """Why VERSION cannot be signed yet (empty when it can)."""
    problems: list[str] = []
    plan_problems = list(version.problems.prefetch_related("goals__objectives"))
    if not plan_problems:
        problems.append(_("Add at least one problem."))
    for problem in plan_problems:
        goals = list(problem.goals.all())
        if not goals:
            problems.append(_("Problem '%(problem)s' has no goal.") % {"problem": problem.description[:60]})
        for goal in goals:
            objectives = list(goal.objectives.all())
            if not objectives:
                problems.append(_("Goal '%(goal)s' has no objective.") % {"goal": goal.statement[:60]})
            for objective in objectives:
                if not objective.measurable_target.strip() or objective.target_date is None:
                    problems.append(
                        _("Objective '%(objective)s' needs a measurable target and a target date.")
                        % {"objective": objective.description[:60]}
                    )
    if not version.interventions.exists():
        problems.append(_("Add at least one intervention (service, sessions per week, minutes, responsible staff)."))
    return problems


@transaction.atomic
def plan_sign(
    *,
    actor: User,
    version: PlanVersion,
    acknowledgement: str,
    acknowledgement_note: str = "",
    expected_lock_version: int | None = None,
    now: dt.datetime | None = None,
) -> PlanVersion:
    """Sign and lock a draft. The patient's acknowledgement (or the reason
    there is none) is recorded with it; a clinician who needs supervision
    leaves it awaiting a co-signature. The version it replaces is marked
    revised. NOW is for demo seeding and imports; views never pass it."""
    draft = _lock_draft(version, expected_lock_version)
    missing = sign_problems(draft)
    if acknowledgement not in PatientAcknowledgement.values:
        missing.append(_("Record the patient's acknowledgment of the plan."))
    elif (
        acknowledgement in {PatientAcknowledgement.DECLINED, PatientAcknowledgement.UNAVAILABLE}
        and not acknowledgement_note.strip()
    ):
        missing.append(_("Say why the patient did not acknowledge the plan."))
    if missing:
        raise ValidationError([_("The plan cannot be signed yet:"), *missing])
    moment = now or timezone.now()
    hours = selectors.hours_check(draft)
    previous = list(
        PlanVersion.objects.select_for_update().filter(plan=draft.plan_id, status=PlanVersion.Status.SIGNED)
    )
    draft.status = PlanVersion.Status.SIGNED
    draft.signed_by = actor
    draft.signed_at = moment
    draft.patient_acknowledgement = acknowledgement
    draft.patient_acknowledgement_note = acknowledgement_note.strip()
    draft.cosign_required = actor.requires_cosignature
    draft.review_due = rules.review_due(timezone.localdate(moment), conf.plan_review_days())
    draft.planned_hours = hours.hours
    draft.save()
    for older in previous:
        older.status = PlanVersion.Status.REVISED
        older.save(update_fields=["status"])
    log_action(
        "plan.sign",
        obj=draft,
        actor=actor,
        data={
            "version": draft.number,
            "acknowledgement": acknowledgement,
            "planned_hours": str(hours.hours),
            "band_position": hours.position,
            "cosign_required": draft.cosign_required,
        },
    )
    return draft


@transaction.atomic
def plan_cosign(*, actor: User, version: PlanVersion, now: dt.datetime | None = None) -> PlanVersion:
    current: PlanVersion = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if not current.awaiting_cosignature:
        raise ValidationError(_("This plan version is not waiting for a co-signature."))
    if current.signed_by_id == actor.pk:
        raise ValidationError(_("A co-signature must come from someone other than the signer."))
    current.cosigned_by = actor
    current.cosigned_at = now or timezone.now()
    current.save(update_fields=["cosigned_by", "cosigned_at"])
    log_action("plan.cosign", obj=current, actor=actor, data={"version": current.number})
    return current


@transaction.atomic
def plan_revise(*, actor: User, plan: TreatmentPlan, reason: str) -> PlanVersion:
    """Copy the newest signed version into a new draft. Every item keeps its
    lineage, so the versions compare item by item."""
    if not reason.strip():
        raise ValidationError(_("Say why the plan is being revised (for example the 30-day review)."))
    list(TreatmentPlan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True))
    if plan.versions.filter(status=PlanVersion.Status.DRAFT).exists():
        raise ValidationError(_("A revision is already in progress; finish or sign that draft first."))
    source = plan.versions.filter(status=PlanVersion.Status.SIGNED).order_by("-number").first()
    if source is None:
        raise ValidationError(_("Only a signed plan can be revised."))
    number = (plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = PlanVersion.objects.create(plan=plan, number=number, created_by=actor, change_reason=reason.strip())
    _copy_items(source, draft)
    log_action("plan.revise", obj=draft, actor=actor, data={"version": number, "from_version": source.number})
    return draft


def _copy_items(source: PlanVersion, target: PlanVersion) -> None:
    problem_map: dict[int, Problem] = {}
    for problem in source.problems.all():
        problem_map[problem.pk] = Problem.objects.create(
            version=target, lineage=problem.lineage, position=problem.position,
            description=problem.description, icd10_code=problem.icd10_code,
        )  # fmt: skip
    for goal in source.goals.all():
        new_goal = Goal.objects.create(
            version=target, lineage=goal.lineage, position=goal.position, problem=problem_map[goal.problem_id],
            statement=goal.statement, patient_words=goal.patient_words,
        )  # fmt: skip
        for objective in goal.objectives.all():
            Objective.objects.create(
                version=target, lineage=objective.lineage, position=objective.position, goal=new_goal,
                description=objective.description, measurable_target=objective.measurable_target,
                target_date=objective.target_date, status=objective.status,
            )  # fmt: skip
    for intervention in source.interventions.all():
        Intervention.objects.create(
            version=target, lineage=intervention.lineage, position=intervention.position,
            problem=problem_map.get(intervention.problem_id) if intervention.problem_id else None,
            service_type=intervention.service_type, description=intervention.description,
            sessions_per_week=intervention.sessions_per_week, minutes=intervention.minutes,
            responsible=intervention.responsible,
        )  # fmt: skip


def item_model(kind: str) -> type[PlanItem]:
    try:
        return ITEM_MODELS[kind]
    except KeyError:
        raise ValueError(kind) from None


def new_item(kind: str, **fields: Any) -> PlanItem:
    return item_model(kind)(**fields)
