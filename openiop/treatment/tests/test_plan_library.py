# SPDX-License-Identifier: AGPL-3.0-or-later
"""Plans on one page: a common problem picked from the plan library brings
its goal, objectives and services into the draft in one step; items are
edited in place (htmx) and the library is the clinical director's to edit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site
from openiop.treatment.models import Goal, Intervention, LibraryEntry, Objective, PlanVersion, Problem
from openiop.treatment.services import library, plans
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def opioid_problem() -> LibraryEntry:
    return LibraryEntry.objects.get(kind="problem", icd10_code="F11.20")


@pytest.fixture
def signed_in(client: Client, bob: User) -> Client:
    client.force_login(bob)
    return client


def test_the_library_ships_common_problems_each_with_a_goal_objectives_and_services() -> None:
    problems = library.library_problems()
    assert {p.icd10_code for p in problems} >= {"F10.20", "F11.20", "F15.20"}
    for problem in problems:
        goals = [c for c in problem.children.all() if c.kind == "goal"]
        assert goals and all(g.children.filter(kind="objective").exists() for g in goals)
        assert any(c.kind == "intervention" for c in problem.children.all())


def test_picking_a_problem_copies_its_parts_and_the_draft_can_be_signed(north: Site, bob: User) -> None:
    draft = factories.draft_plan(bob, factories.episode(north, bob))
    lock = draft.lock_version
    entry = opioid_problem()

    problem = library.add_from_library(
        actor=bob, version=draft, entry=entry, responsible=bob, expected_lock_version=lock
    )

    assert (problem.description, problem.icd10_code) == (entry.text, "F11.20")
    goal = Goal.objects.get(problem=problem)
    naloxone = Objective.objects.get(goal=goal, description__startswith="Carry naloxone")
    assert naloxone.target_date == TODAY + dt.timedelta(days=7) and naloxone.measurable_target
    services = Intervention.objects.filter(problem=problem)
    assert {s.service_type for s in services} == {"medication_management", "group", "drug_testing"}
    assert all(s.responsible == bob for s in services)
    draft.refresh_from_db()
    assert draft.lock_version == lock + 1
    assert plans.sign_problems(draft) == []
    assert AuditEvent.objects.filter(action="plan.add_from_library", data__library_entry=entry.pk).exists()


def test_a_stale_page_or_a_withdrawn_problem_adds_nothing(north: Site, bob: User) -> None:
    draft = factories.draft_plan(bob, factories.episode(north, bob))
    with pytest.raises(StaleEditError, match="Someone else changed this plan"):
        library.add_from_library(
            actor=bob, version=draft, entry=opioid_problem(), responsible=bob,
            expected_lock_version=draft.lock_version - 1,
        )  # fmt: skip
    withdrawn = opioid_problem()
    withdrawn.active = False
    withdrawn.save()
    with pytest.raises(ValidationError):
        library.add_from_library(
            actor=bob, version=draft, entry=withdrawn, responsible=bob, expected_lock_version=draft.lock_version
        )
    assert not Problem.objects.filter(version=draft, icd10_code="F11.20").exists()


def test_a_plan_is_built_and_signed_from_its_one_page(north: Site, bob: User, signed_in: Client) -> None:
    episode = factories.episode(north, bob)
    signed_in.post(reverse("treatment:plan_start", args=[episode.patient_id]))
    version = PlanVersion.objects.get(plan__episode=episode)
    page = signed_in.get(reverse("treatment:plan_version", args=[version.pk])).content.decode()
    assert 'id="plan-body"' in page and "Common problem from the plan library" in page

    picked = signed_in.post(
        reverse("treatment:plan_from_library", args=[version.pk]),
        {"library-entry": opioid_problem().pk, "library-lock_version": version.lock_version},
        **HTMX,
    )

    assert picked.status_code == 200 and picked["HX-Retarget"] == "#plan-body"
    body = picked.content.decode()
    assert body.startswith('<div id="plan-body">') and "<html" not in body
    assert "Carry naloxone and know how to use it." in body and "Medication management (MOUD)" in body
    signed_in.post(reverse("treatment:plan_sign", args=[version.pk]), {"acknowledgement": "verbal"})
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.SIGNED


def test_an_item_is_edited_in_place_and_the_plan_body_comes_back(north: Site, bob: User, signed_in: Client) -> None:
    draft = factories.draft_plan(bob, factories.episode(north, bob))
    problem = library.add_from_library(
        actor=bob, version=draft, entry=opioid_problem(), responsible=bob, expected_lock_version=None
    )
    url = reverse("treatment:plan_item_edit", args=[draft.pk, "problem", problem.pk])

    form = signed_in.get(url, **HTMX).content.decode()
    assert form.startswith("<form") and f'hx-post="{url}"' in form and "<html" not in form

    draft.refresh_from_db()
    bad = signed_in.post(url, {"description": "", "lock_version": draft.lock_version}, **HTMX).content.decode()
    assert bad.startswith("<form") and "This field is required." in bad  # the form again, beside the field
    saved = signed_in.post(
        url, {"description": "Fentanyl use, two overdoses this year.", "icd10_code": "f11.20",
              "lock_version": draft.lock_version}, **HTMX,
    )  # fmt: skip
    assert saved["HX-Retarget"] == "#plan-body"
    assert "Fentanyl use, two overdoses this year." in saved.content.decode()
    problem.refresh_from_db()
    assert problem.icd10_code == "F11.20"


def test_the_clinical_director_edits_the_library_and_a_clinician_may_not(
    client: Client, persona: Callable[..., User], signed_in: Client
) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR, username="dora")
    assert signed_in.get(reverse("treatment:library")).status_code == 403
    client.force_login(director)
    goal = LibraryEntry.objects.filter(kind="goal").first()
    assert goal is not None

    numbers = {"target_days": 14, "sessions_per_week": 1, "minutes": 60}
    url = reverse("treatment:library")
    missing = client.post(url, {"kind": "objective", "parent": goal.pk, "text": "Journal", **numbers})
    assert "An objective needs a measurable target." in missing.content.decode()
    orphan = client.post(url, {"kind": "goal", "text": "Stay well", **numbers})
    assert "Choose the problem this belongs under." in orphan.content.decode()
    objective = {
        "kind": "objective",
        "parent": goal.pk,
        "text": "Journal daily",
        "measurable_target": "5 entries a week",
    }
    added = client.post(url, {**objective, **numbers, "active": "on"})
    assert added.status_code == 302
    assert goal.children.filter(text="Journal daily", measurable_target="5 entries a week").exists()
    assert AuditEvent.objects.filter(action="plan_library.save").exists()
