# SPDX-License-Identifier: AGPL-3.0-or-later
"""The pages: forms refuse bad input beside the field, signed records refuse
edits with a clear message, other sites get 404s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site
from openiop.treatment.models import Note, Objective, PlanVersion
from openiop.treatment.services import notes as note_services
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, bob: User) -> Client:
    client.force_login(bob)
    return client


def test_a_clinician_writes_a_plan_through_the_pages_and_signs_it(north: Site, bob: User, signed_in: Client) -> None:
    episode = factories.episode(north, bob)
    response = signed_in.post(reverse("treatment:plan_start", args=[episode.patient_id]))
    version = PlanVersion.objects.get(plan__episode=episode)
    assert response["Location"] == reverse("treatment:plan_version", args=[version.pk])

    def add(kind: str, **data: object) -> None:
        url = reverse("treatment:plan_item_add", args=[version.pk, kind])
        version.refresh_from_db()
        answer = signed_in.post(url, {**data, "lock_version": version.lock_version})
        assert answer.status_code == 302, answer.content.decode()[:2000]

    add("problem", description="Opioid use disorder", icd10_code="f1120")
    problem = version.problems.get()
    assert problem.icd10_code == "F11.20"
    add("goal", problem=problem.pk, statement="Stay off opioids", patient_words="Be there for my kids")
    goal = version.goals.get()
    add("objective", goal=goal.pk, description="Take buprenorphine daily", measurable_target="7 of 7 days for 4 weeks",
        target_date=(TODAY + dt.timedelta(days=28)).isoformat(), status="active")  # fmt: skip
    add(
        "intervention",
        problem=problem.pk,
        service_type="group",
        sessions_per_week="3",
        minutes="120",
        responsible=bob.pk,
    )

    page = signed_in.get(reverse("treatment:plan_version", args=[version.pk])).content.decode()
    assert "Warning: below the band." in page  # 6 h against 9-19
    assert "Be there for my kids" in page

    response = signed_in.post(reverse("treatment:plan_sign", args=[version.pk]), {"acknowledgement": "verbal"})
    version.refresh_from_db()
    assert response.status_code == 302 and version.status == PlanVersion.Status.SIGNED
    printable = signed_in.get(reverse("treatment:plan_print", args=[version.pk])).content.decode()
    assert "treatment/print.css" in printable and "Patient signature" in printable


def test_an_objective_without_target_or_date_is_refused_beside_the_fields(
    north: Site, bob: User, signed_in: Client
) -> None:
    version = factories.draft_plan(bob, factories.episode(north, bob))
    url = reverse("treatment:plan_item_add", args=[version.pk, "objective"])

    response = signed_in.post(url, {"goal": version.goals.get().pk, "description": "Feel better", "status": "active"})

    assert response.status_code == 200
    assert "Say how this objective will be measured" in response.content.decode()
    assert "Give the date by which the objective should be met." in response.content.decode()
    assert version.objectives.count() == 2


def test_editing_a_signed_plan_is_refused_with_a_clear_message(north: Site, bob: User, signed_in: Client) -> None:
    version = factories.signed_plan(bob, factories.episode(north, bob))
    problem = version.problems.get()

    response = signed_in.post(
        reverse("treatment:plan_item_edit", args=[version.pk, "problem", problem.pk]),
        {"description": "rewritten", "icd10_code": ""},
    )

    assert "signed and locked" in response.content.decode()
    problem.refresh_from_db()
    assert problem.description == "Alcohol use disorder, moderate"


def test_the_compare_page_shows_both_versions_side_by_side(north: Site, bob: User, signed_in: Client) -> None:
    first = factories.signed_plan(bob, factories.episode(north, bob))
    signed_in.post(reverse("treatment:plan_revise", args=[first.plan_id]), {"reason": "30-day review"})
    second = PlanVersion.objects.get(plan=first.plan, number=2)
    objective = second.objectives.first()
    assert objective is not None
    signed_in.post(
        reverse("treatment:plan_item_edit", args=[second.pk, "objective", objective.pk]),
        {"goal": objective.goal_id, "description": "Attend 5 meetings", "measurable_target": "5 a week",
         "target_date": objective.target_date.isoformat(), "status": "active", "lock_version": second.lock_version},
    )  # fmt: skip

    page = signed_in.get(reverse("treatment:plan_compare", args=[first.plan_id])).content.decode()

    assert "Attend mutual-help meetings" in page and "Attend 5 meetings" in page
    assert "1 changed, 0 added, 0 removed." in page


def test_a_note_is_written_signed_and_then_refuses_edits(north: Site, bob: User, signed_in: Client) -> None:
    episode = factories.episode(north, bob)
    version = factories.signed_plan(bob, episode)
    objective = version.objectives.first()
    assert objective is not None
    url = reverse("treatment:note_create", args=[episode.patient_id]) + "?kind=individual&format=BIRP"
    data = {"session_date": TODAY.isoformat(), "start_time": "09:00", "end_time": "09:50", "objectives": [objective.pk],
            "section_behavior": "Calm", "section_intervention": "MI", "section_response": "Engaged",
            "section_plan": "Weekly", "sign": "1"}  # fmt: skip

    response = signed_in.post(url, data)

    note = Note.objects.get(episode=episode)
    assert response["Location"] == reverse("treatment:note_detail", args=[note.pk])
    assert note.is_signed
    plan_page = signed_in.get(reverse("treatment:plan_version", args=[version.pk])).content.decode()
    assert reverse("treatment:note_detail", args=[note.pk]) in plan_page  # objective -> note
    detail = signed_in.get(reverse("treatment:note_detail", args=[note.pk])).content.decode()
    assert f"#objective-{objective.pk}" in detail  # note -> objective
    edit = signed_in.post(
        reverse("treatment:note_edit", args=[note.pk]), {**data, "section_behavior": "X"}, follow=True
    )
    assert "This note is signed and locked. Add a dated addendum instead of editing it." in edit.content.decode()
    note.refresh_from_db()
    assert note.sections["behavior"] == "Calm"


def test_signing_an_incomplete_note_is_refused_with_what_is_missing(north: Site, bob: User, signed_in: Client) -> None:
    episode = factories.episode(north, bob)
    url = reverse("treatment:note_create", args=[episode.patient_id]) + "?kind=individual&format=SOAP"
    response = signed_in.post(
        url,
        {"session_date": TODAY.isoformat(), "start_time": "09:00", "end_time": "09:50", "section_subjective": "ok",
         "sign": "1"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "The note cannot be signed yet:" in page and "Objective is empty." in page
    assert not Note.objects.get(episode=episode).is_signed


def test_addenda_are_dated_and_attributed_on_the_note(north: Site, bob: User, signed_in: Client) -> None:
    episode = factories.episode(north, bob)
    note = note_services.note_create(
        actor=bob, episode=episode, kind="case_management", note_format="DAP",
        session_date=TODAY - dt.timedelta(days=1), start_time=dt.time(10), end_time=dt.time(10, 30),
        sections={"data": "d", "assessment": "a", "plan": "p"},
    )  # fmt: skip
    note_services.note_sign(actor=bob, note=note)

    signed_in.post(reverse("treatment:note_addendum", args=[note.pk]), {"text": "Housing voucher approved."})

    page = signed_in.get(reverse("treatment:note_detail", args=[note.pk])).content.decode()
    assert "Housing voucher approved." in page
    assert f"Added by {bob}, {TODAY:%Y-%m-%d}" in page


def test_billing_and_front_desk_do_not_see_the_notes_tab(
    north: Site, bob: User, client: Client, persona: Callable[..., User]
) -> None:
    episode = factories.episode(north, bob)
    for role in (RoleCode.BILLING_SPECIALIST, RoleCode.FRONT_DESK):
        client.force_login(persona(role))
        page = client.get(reverse("patients:chart", args=[episode.patient_id]) + "?tab=notes").content.decode()
        assert "?tab=notes" not in page and "?tab=plan" not in page


def test_another_sites_plan_note_and_group_are_404s(
    south: Site, signed_in: Client, persona: Callable[..., User]
) -> None:
    south_clinician = persona(RoleCode.CLINICIAN, site=south)
    episode = factories.episode(south, south_clinician)
    version = factories.signed_plan(south_clinician, episode)
    note = note_services.note_create(
        actor=south_clinician, episode=episode, kind="individual", note_format="DAP", session_date=TODAY,
        start_time=dt.time(10), end_time=dt.time(10, 30), sections={},
    )  # fmt: skip
    from openiop.treatment.services import groups

    group = groups.group_create(
        actor=south_clinician, site=south, session_date=TODAY, start_time=dt.time(9), end_time=dt.time(10),
        topic="Coping", facilitator=south_clinician, patients=[episode.patient],
    )  # fmt: skip

    for url in (
        reverse("treatment:plan_version", args=[version.pk]),
        reverse("treatment:note_detail", args=[note.pk]),
        reverse("treatment:note_edit", args=[note.pk]),
        reverse("treatment:group_edit", args=[group.pk]),
        reverse("treatment:plan_compare", args=[version.plan_id]),
    ):
        assert signed_in.get(url).status_code == 404, url
    assert group.topic not in signed_in.get(reverse("treatment:group_list")).content.decode()


def test_the_dashboard_lists_plans_due_and_cosignatures(
    north: Site, bob: User, director: User, trainee: User, client: Client
) -> None:
    factories.episode(north, bob, person=factories.patient(north, "Nora", "Noplan"))
    factories.signed_plan(trainee, factories.episode(north, trainee, person=factories.patient(north, "Sam", "Signed")))

    client.force_login(director)
    page = client.get(reverse("core:dashboard")).content.decode()

    assert "Treatment plans to write or review" in page and "Nora Noplan" in page
    assert "Waiting for your co-signature" in page and "Treatment plan version 1" in page


def test_the_objective_choice_is_limited_to_the_episodes_plan(north: Site, bob: User, signed_in: Client) -> None:
    episode = factories.episode(north, bob)
    factories.signed_plan(bob, episode)
    foreign = factories.signed_plan(bob, factories.episode(north, bob)).objectives.first()
    assert isinstance(foreign, Objective)
    url = reverse("treatment:note_create", args=[episode.patient_id]) + "?kind=individual&format=DAP"
    response = signed_in.post(
        url, {"session_date": TODAY.isoformat(), "start_time": "09:00", "end_time": "09:50", "objectives": [foreign.pk]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Note.objects.filter(episode=episode).exists()
