# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week is solved by the background worker, not in the request: the build
page queues a job and shows "Building the week..." until the worker has filled
the proposal in; a crash marks it failed; one build per week at a time."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend
from django_tasks_db.models import DBTaskResult

from openiop.audit.models import AuditEvent
from openiop.scheduling import planning, tasks
from openiop.scheduling.models import Enrolment, WeekProposal
from openiop.scheduling.planning import weeks as planning_weeks
from openiop.scheduling.tests.test_services_planning import NOW, WEEK, Program
from openiop.sites.models import OpeningHours, Site

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(north: Site) -> Program:
    return Program(north)


@pytest.fixture
def queue(settings: Any) -> DummyBackend:
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    backend.clear()
    return backend


def build(client: Client, program: Program, capture: Capture) -> Any:
    client.force_login(program.director)
    with capture(execute=True):
        return client.post(reverse("scheduling:build", args=[program.site.code]), {"week_start": WEEK.isoformat()})


def test_building_a_week_queues_a_job_and_answers_at_once(
    client: Client, program: Program, queue: DummyBackend, django_capture_on_commit_callbacks: Capture
) -> None:
    response = build(client, program, django_capture_on_commit_callbacks)

    proposal = WeekProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:proposal", args=[proposal.pk])
    assert proposal.status == WeekProposal.Status.QUEUED
    assert proposal.created_by == program.director
    [job] = queue.results
    assert job.task.func is tasks.build_week.func
    assert job.args == [proposal.pk]
    assert AuditEvent.objects.filter(action="scheduling.week.queue").exists()


def test_the_proposal_page_says_it_is_building_and_polls_and_has_a_refresh_link(
    client: Client, program: Program, queue: DummyBackend, django_capture_on_commit_callbacks: Capture
) -> None:
    response = build(client, program, django_capture_on_commit_callbacks)

    page = client.get(response["Location"]).content.decode()
    proposal = WeekProposal.objects.get()
    status_url = reverse("scheduling:proposal_status", args=[proposal.pk])
    assert "Waiting for the planner…" in page
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    assert f'<a href="{reverse("scheduling:proposal", args=[proposal.pk])}">Refresh</a>' in page
    assert "Publish this week" not in page

    WeekProposal.objects.filter(pk=proposal.pk).update(status=WeekProposal.Status.BUILDING)
    assert "Building the week…" in client.get(response["Location"]).content.decode()


def test_the_fragment_keeps_polling_while_building_and_asks_for_a_reload_once_done(
    client: Client, program: Program, queue: DummyBackend, django_capture_on_commit_callbacks: Capture
) -> None:
    build(client, program, django_capture_on_commit_callbacks)
    proposal = WeekProposal.objects.get()
    url = reverse("scheduling:proposal_status", args=[proposal.pk])

    waiting = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "HX-Refresh" not in waiting

    planning.week_run(proposal.pk, time_limit=5)
    done = client.get(url, headers={"HX-Request": "true"})

    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()
    assert "Ready for review" in done.content.decode()


def test_running_the_job_fills_the_proposal_in_for_review(program: Program, queue: DummyBackend) -> None:
    proposal, created = planning.week_request(actor=program.director, site=program.site, week_start=WEEK)
    assert created

    status = tasks.build_week.call(proposal.pk)

    proposal.refresh_from_db()
    assert status == "draft" == proposal.status
    assert proposal.started_at == NOW
    assert proposal.meeting == 3
    assert sorted(proposal.episode_ids) == sorted(e.pk for e in program.people)
    assert set(proposal.session_versions) == {str(s.pk) for s in program.sessions}
    assert not Enrolment.objects.exists()  # still nothing booked until published
    # The worker picks each job up once: a second run finds nothing to claim.
    assert tasks.build_week.call(proposal.pk) == "skipped"


def test_with_an_immediate_queue_the_build_page_leads_straight_to_the_finished_proposal(
    client: Client, program: Program, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.TASKS = IMMEDIATE
    settings.OPENIOP_SCHEDULE_SOLVE_SECONDS = 5

    response = build(client, program, django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()

    proposal = WeekProposal.objects.get()
    assert proposal.status == WeekProposal.Status.DRAFT
    assert "Publish this week" in page and "hx-trigger" not in page
    planning.publish(actor=program.director, proposal=proposal)
    assert Enrolment.objects.count() == 9


def test_a_week_that_cannot_be_built_fails_in_the_job_with_the_reason(program: Program, queue: DummyBackend) -> None:
    OpeningHours.objects.filter(site=program.site, weekday=2).update(closes=dt.time(17))
    proposal, _created = planning.week_request(actor=program.director, site=program.site, week_start=WEEK)

    tasks.build_week.call(proposal.pk)

    proposal.refresh_from_db()
    assert proposal.status == WeekProposal.Status.FAILED
    assert "outside North Site's opening hours on Wed" in proposal.message


def test_a_crash_in_the_job_marks_the_proposal_failed_instead_of_building_forever(
    client: Client,
    program: Program,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.TASKS = IMMEDIATE

    def broken(site: Site, week_start: dt.date) -> planning.Built:
        raise RuntimeError("database went away")

    monkeypatch.setattr(planning_weeks, "build_problem", broken)

    response = build(client, program, django_capture_on_commit_callbacks)  # the immediate backend records the error

    proposal = WeekProposal.objects.get()
    assert proposal.status == WeekProposal.Status.FAILED
    assert "The planner stopped with an error (RuntimeError)" in proposal.message
    assert "The planner stopped with an error (RuntimeError)" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="scheduling.week.build_failed", data__error="RuntimeError").exists()
    # A failed build blocks nothing: the next one is queued.
    assert planning.week_request(actor=program.director, site=program.site, week_start=WEEK)[1]


def test_the_worker_sees_the_crash_too(program: Program, monkeypatch: pytest.MonkeyPatch) -> None:
    proposal = WeekProposal.objects.create(
        site=program.site, week_start=WEEK, status=WeekProposal.Status.QUEUED, created_by=program.director
    )
    monkeypatch.setattr(planning_weeks, "_solve_week", lambda built, limit: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        tasks.build_week.call(proposal.pk)

    proposal.refresh_from_db()
    assert proposal.status == WeekProposal.Status.FAILED
    assert "ZeroDivisionError" in proposal.message


def test_a_second_build_of_a_week_being_built_returns_the_running_one(
    client: Client, program: Program, queue: DummyBackend, django_capture_on_commit_callbacks: Capture
) -> None:
    first = build(client, program, django_capture_on_commit_callbacks)
    second = build(client, program, django_capture_on_commit_callbacks)

    assert WeekProposal.objects.count() == 1
    assert len(queue.results) == 1
    assert second["Location"] == first["Location"]
    page = client.get(second["Location"]).content.decode()
    assert "This week is already being built" in page and "No second build was started." in page


def test_the_database_refuses_two_running_builds_of_one_week(program: Program) -> None:
    WeekProposal.objects.create(
        site=program.site, week_start=WEEK, status=WeekProposal.Status.QUEUED, created_by=program.director
    )
    # Another week, or a finished build of the same week, is fine.
    WeekProposal.objects.create(
        site=program.site, week_start=WEEK + dt.timedelta(days=7), status="queued", created_by=program.director
    )
    WeekProposal.objects.create(site=program.site, week_start=WEEK, status="failed", created_by=program.director)

    with pytest.raises(IntegrityError):
        WeekProposal.objects.create(
            site=program.site, week_start=WEEK, status=WeekProposal.Status.BUILDING, created_by=program.director
        )


def test_a_build_no_worker_picked_up_gives_way_after_a_while(program: Program, queue: DummyBackend) -> None:
    stale, _created = planning.week_request(actor=program.director, site=program.site, week_start=WEEK)

    with time_machine.travel(NOW + planning.stuck_after() + dt.timedelta(minutes=1), tick=False):
        fresh, created = planning.week_request(actor=program.director, site=program.site, week_start=WEEK)

    stale.refresh_from_db()
    assert created and fresh.pk != stale.pk
    assert stale.status == WeekProposal.Status.FAILED
    assert "No background worker picked this build up in time" in stale.message
    # The lost job, if a worker turns up after all, does nothing.
    assert planning.week_run(stale.pk) is None


def test_the_build_page_still_wants_a_monday(client: Client, program: Program, queue: DummyBackend) -> None:
    client.force_login(program.director)

    response = client.post(reverse("scheduling:build", args=[program.site.code]), {"week_start": "2026-03-10"})

    assert "Choose a Monday" in response.content.decode()
    assert not WeekProposal.objects.exists() and not queue.results


# Real commits: the database queue and its worker, as `make demo` runs them.
@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_its_worker_build_the_week(client: Client, north: Site, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.OPENIOP_SCHEDULE_SOLVE_SECONDS = 5
    program = Program(north)
    client.force_login(program.director)

    client.post(reverse("scheduling:build", args=[north.code]), {"week_start": WEEK.isoformat()})
    proposal = WeekProposal.objects.get()
    assert proposal.status == WeekProposal.Status.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())

    proposal.refresh_from_db()
    assert proposal.status == WeekProposal.Status.DRAFT and proposal.meeting == 3
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_build_expired_while_it_solved_does_not_come_back_as_a_draft(
    program: Program, queue: DummyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal, _created = planning.week_request(actor=program.director, site=program.site, week_start=WEEK)
    solve = planning_weeks._solve_week

    def slow(built: planning.Built, limit: float) -> Any:
        outcome = solve(built, limit)
        # Meanwhile the build was given up on (as expire_stuck does) and the week left to a newer one.
        WeekProposal.objects.filter(pk=proposal.pk).update(status=WeekProposal.Status.FAILED)
        return outcome

    monkeypatch.setattr(planning_weeks, "_solve_week", slow)

    assert tasks.build_week.call(proposal.pk) == "skipped"
    proposal.refresh_from_db()
    assert proposal.status == WeekProposal.Status.FAILED
    assert not AuditEvent.objects.filter(action="scheduling.week.propose").exists()
