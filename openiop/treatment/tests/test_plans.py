# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.patients.models import Episode
from openiop.patients.tests.factories import TODAY
from openiop.scheduling import hours
from openiop.sites.models import Site
from openiop.treatment import plan_diff, selectors
from openiop.treatment.models import (
    HoursBand,
    Intervention,
    LockedRecordError,
    Objective,
    PlanVersion,
    Problem,
    ServiceType,
)
from openiop.treatment.services import plans
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db


def test_planned_hours_are_checked_against_the_adult_iop_band(north: Site, bob: User) -> None:
    version = factories.draft_plan(bob, factories.episode(north, bob))

    check = selectors.hours_check(version)

    assert check.hours == Decimal("9.83")
    assert check.position == hours.WITHIN
    assert check.band is not None and check.band.describe() == "9-19 h/week"


def test_too_few_hours_for_adult_iop_warn_but_suit_an_adolescent(north: Site, bob: User) -> None:
    two_groups = ((ServiceType.GROUP, "2", 180),)
    adult = factories.draft_plan(bob, factories.episode(north, bob), sessions=two_groups)
    teen = factories.draft_plan(
        bob, factories.episode(north, bob, program=Episode.Program.ADOLESCENT_IOP), sessions=two_groups
    )

    assert selectors.hours_check(adult).position == hours.BELOW
    assert selectors.hours_check(adult).outside
    assert selectors.hours_check(teen).position == hours.WITHIN


def test_the_bands_are_data_an_administrator_can_change(north: Site, bob: User) -> None:
    version = factories.draft_plan(bob, factories.episode(north, bob))
    HoursBand.objects.filter(level_of_care="2.1", population="adult").update(min_hours=Decimal(12))

    assert selectors.hours_check(version).position == hours.BELOW


def test_an_objective_without_a_measurable_target_or_date_is_refused(north: Site, bob: User) -> None:
    version = factories.draft_plan(bob, factories.episode(north, bob))
    goal = version.goals.get()

    with pytest.raises(ValidationError) as no_target:
        plans.draft_item_save(
            actor=bob, version=version, expected_lock_version=None,
            item=Objective(goal=goal, description="Feel better", measurable_target="  ", target_date=TODAY),
        )  # fmt: skip
    with pytest.raises(ValidationError) as no_date:
        plans.draft_item_save(
            actor=bob, version=version, expected_lock_version=None,
            item=Objective(goal=goal, description="Feel better", measurable_target="PHQ-9 under 10"),
        )  # fmt: skip

    assert "measurable target" in str(no_target.value)
    assert "target_date" in no_date.value.message_dict
    assert version.objectives.count() == 2


def test_a_malformed_icd10_code_is_refused(north: Site, bob: User) -> None:
    version = plans.plan_start(actor=bob, episode=factories.episode(north, bob))
    with pytest.raises(ValidationError) as error:
        plans.draft_item_save(
            actor=bob, version=version, expected_lock_version=None,
            item=Problem(description="Opioid use", icd10_code="F11-20"),
        )  # fmt: skip
    assert "not an ICD-10-CM code" in str(error.value)


def test_an_edit_from_a_stale_draft_is_refused(north: Site, bob: User) -> None:
    version = plans.plan_start(actor=bob, episode=factories.episode(north, bob))
    seen = version.lock_version
    plans.draft_item_save(actor=bob, version=version, item=Problem(description="A"), expected_lock_version=seen)

    with pytest.raises(StaleEditError, match="Someone else changed this plan"):
        plans.draft_item_save(actor=bob, version=version, item=Problem(description="B"), expected_lock_version=seen)
    assert list(version.problems.values_list("description", flat=True)) == ["A"]


def test_an_incomplete_plan_cannot_be_signed(north: Site, bob: User) -> None:
    version = plans.plan_start(actor=bob, episode=factories.episode(north, bob))
    with pytest.raises(ValidationError) as error:
        plans.plan_sign(actor=bob, version=version, acknowledgement="signed")
    assert "Add at least one problem." in error.value.messages
    version.refresh_from_db()
    assert version.is_draft


def test_a_declined_acknowledgement_needs_a_reason(north: Site, bob: User) -> None:
    version = factories.draft_plan(bob, factories.episode(north, bob))
    with pytest.raises(ValidationError) as error:
        plans.plan_sign(actor=bob, version=version, acknowledgement="declined")
    assert "Say why the patient did not acknowledge the plan." in error.value.messages


def test_signing_locks_the_version_and_sets_the_review_date(north: Site, bob: User) -> None:
    version = factories.signed_plan(bob, factories.episode(north, bob))

    assert version.status == PlanVersion.Status.SIGNED
    assert version.review_due == TODAY + dt.timedelta(days=30)
    assert version.planned_hours == Decimal("9.83")
    assert not version.cosign_required
    problem = version.problems.get()
    problem.description = "Changed after signing"
    with pytest.raises(LockedRecordError):
        problem.save()
    with pytest.raises(LockedRecordError):
        problem.delete()
    with pytest.raises(LockedRecordError):
        Intervention.objects.filter(version=version).delete()
    with pytest.raises(LockedRecordError):
        PlanVersion.objects.filter(pk=version.pk).update(planned_hours=1)
    with pytest.raises(LockedRecordError):
        version.delete()
    version.change_reason = "sneaky"
    with pytest.raises(LockedRecordError):
        version.save()
    with pytest.raises(LockedRecordError):
        plans.draft_item_save(actor=bob, version=version, item=Problem(description="X"), expected_lock_version=None)
    assert AuditEvent.objects.filter(action="plan.sign", object_id=str(version.pk)).exists()


def test_review_interval_is_configurable(north: Site, bob: User, settings: object) -> None:
    settings.OPENIOP_PLAN_REVIEW_DAYS = 14  # type: ignore[attr-defined]
    version = factories.signed_plan(bob, factories.episode(north, bob))
    assert version.review_due == TODAY + dt.timedelta(days=14)


def test_a_supervised_clinicians_plan_waits_for_a_cosignature_from_someone_else(
    north: Site, trainee: User, director: User
) -> None:
    version = factories.signed_plan(trainee, factories.episode(north, trainee))
    assert version.awaiting_cosignature

    with pytest.raises(ValidationError):
        plans.plan_cosign(actor=trainee, version=version)
    cosigned = plans.plan_cosign(actor=director, version=version)

    assert cosigned.cosigned_by == director
    assert not cosigned.awaiting_cosignature
    with pytest.raises(ValidationError):
        plans.plan_cosign(actor=director, version=cosigned)


def test_revising_keeps_every_version_and_compares_them_side_by_side(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    first = factories.signed_plan(bob, episode)
    with pytest.raises(ValidationError):
        plans.plan_revise(actor=bob, plan=first.plan, reason="")

    second = plans.plan_revise(actor=bob, plan=first.plan, reason="30-day review")
    objective = second.objectives.order_by("position").first()
    assert objective is not None
    objective.measurable_target = "4 times a week for 4 weeks"
    plans.draft_item_save(actor=bob, version=second, item=objective, expected_lock_version=None)
    group = second.interventions.get(service_type=ServiceType.GROUP)
    plans.draft_item_remove(actor=bob, version=second, item=group, expected_lock_version=None)
    with pytest.raises(ValidationError):
        plans.plan_revise(actor=bob, plan=first.plan, reason="again")
    plans.plan_sign(actor=bob, version=second, acknowledgement="verbal")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (PlanVersion.Status.REVISED, PlanVersion.Status.SIGNED)
    assert selectors.current_version(first.plan) == second
    assert first.interventions.count() == 2  # the old version is untouched
    rows = selectors.compare_versions(first, second)
    changes = {(row.section, row.change) for row in rows if row.change != plan_diff.SAME}
    assert changes == {("objectives", plan_diff.CHANGED), ("interventions", plan_diff.REMOVED)}
    changed = next(row for row in rows if row.change == plan_diff.CHANGED)
    assert "3 times a week" in (changed.left or "") and "4 times a week" in (changed.right or "")
    assert second.planned_hours == Decimal("0.83")


def test_a_second_plan_for_the_same_episode_is_refused(north: Site, bob: User) -> None:
    episode = factories.episode(north, bob)
    plans.plan_start(actor=bob, episode=episode)
    with pytest.raises(ValidationError):
        plans.plan_start(actor=bob, episode=episode)


def test_the_due_list_shows_missing_plans_and_reviews_coming_due(north: Site, bob: User, _clock: object) -> None:
    no_plan = factories.episode(north, bob)
    signed = factories.episode(north, bob)
    version = factories.signed_plan(bob, signed)

    items, total = selectors.plans_due(bob)
    assert [(i.episode, i.state) for i in items] == [(no_plan, "no_plan")]

    _clock.shift(dt.timedelta(days=31))  # type: ignore[attr-defined]
    items, total = selectors.plans_due(bob)
    states = {i.episode: (i.state, i.due) for i in items}
    assert states[signed] == ("overdue", version.review_due)
    assert total == 2
