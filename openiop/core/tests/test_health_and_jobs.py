# SPDX-License-Identifier: AGPL-3.0-or-later
"""/healthz, jobs queued after commit and the error pages (the seed command is tested with the demo
it makes, in test_demo_program)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from openiop.accounts.models import User
from openiop.core.jobs import enqueue_on_commit
from openiop.core.models import WorkerHeartbeat
from openiop.core.tasks import send_email
from openiop.core.views import error_500
from openiop.sites.models import Site

NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


# --- /healthz -----------------------------------------------------------------


def beat(at: dt.datetime) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(worker_id="worker-1", hostname="test", pid=1, started_at=at, last_seen=at)


@pytest.fixture
def stale_after_120s(settings: Any) -> None:
    settings.OPENIOP_WORKER_STALE_SECONDS = 120


@pytest.mark.django_db
def test_healthz_fails_while_no_worker_has_ever_reported(client: Client) -> None:
    response = client.get(reverse("core:healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["worker"] == {"ok": False, "last_seen": None}
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "pending": 0}


@pytest.mark.django_db
def test_healthz_passes_with_a_recent_heartbeat(client: Client, stale_after_120s: None) -> None:
    with time_machine.travel(NOON, tick=False):
        beat(NOON - dt.timedelta(seconds=30))
        response = client.get(reverse("core:healthz"))

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["worker"]["age_seconds"] == 30


@pytest.mark.django_db
def test_healthz_still_passes_at_the_stale_limit_and_fails_just_past_it(client: Client, stale_after_120s: None) -> None:
    beat(NOON)

    with time_machine.travel(NOON + dt.timedelta(seconds=120), tick=False):
        at_limit = client.get(reverse("core:healthz"))
    with time_machine.travel(NOON + dt.timedelta(seconds=121), tick=False):
        past_limit = client.get(reverse("core:healthz"))

    assert at_limit.status_code == 200
    assert past_limit.status_code == 503
    assert past_limit.json()["checks"]["worker"] == {
        "ok": False,
        "last_seen": NOON.isoformat(),
        "age_seconds": 121,
    }


@pytest.mark.django_db
def test_healthz_goes_by_the_newest_of_several_workers(client: Client, stale_after_120s: None) -> None:
    with time_machine.travel(NOON, tick=False):
        beat(NOON - dt.timedelta(hours=3))
        WorkerHeartbeat.objects.create(worker_id="worker-2", started_at=NOON, last_seen=NOON)
        response = client.get(reverse("core:healthz"))

    assert response.status_code == 200


# --- Jobs after commit --------------------------------------------------------


@pytest.fixture
def dummy_queue(settings: Any) -> DummyBackend:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    backend.clear()
    return backend


# Real commits and rollbacks, not the test case's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_a_job_is_queued_only_once_its_transaction_commits(dummy_queue: DummyBackend) -> None:
    with transaction.atomic():
        enqueue_on_commit(send_email, "Subject", "Body", ["staff@example.invalid"])
        with transaction.atomic():
            pass  # a nested block finishing is not the commit
        assert dummy_queue.results == []

    assert len(dummy_queue.results) == 1
    result = dummy_queue.results[0]
    assert result.task.func is send_email.func
    assert result.args == ["Subject", "Body", ["staff@example.invalid"]]


@pytest.mark.django_db(transaction=True)
def test_a_job_is_never_queued_when_its_transaction_rolls_back(dummy_queue: DummyBackend) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(send_email, "Subject", "Body", ["staff@example.invalid"])
        raise RuntimeError("the write failed")

    assert dummy_queue.results == []


@pytest.mark.django_db(transaction=True)
def test_a_job_queued_in_a_rolled_back_savepoint_is_dropped_while_the_rest_commits(
    dummy_queue: DummyBackend,
) -> None:
    with transaction.atomic():
        enqueue_on_commit(send_email, "Kept", "Body", ["staff@example.invalid"])
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(send_email, "Dropped", "Body", ["staff@example.invalid"])
            raise RuntimeError("the inner write failed")

    assert [result.args[0] for result in dummy_queue.results] == ["Kept"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_job_is_queued_at_once(dummy_queue: DummyBackend) -> None:
    enqueue_on_commit(send_email, "Subject", "Body", ["staff@example.invalid"])

    assert len(dummy_queue.results) == 1


# --- Error pages --------------------------------------------------------------


@pytest.mark.django_db
def test_the_403_page_keeps_the_layout_and_menu(client: Client, bob: User) -> None:
    client.force_login(bob)

    response = client.get(reverse("audit:events"))

    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403.html", "base.html"]
    html = response.content.decode()
    assert "You do not have access to this page" in html
    assert 'id="main"' in html
    assert f'href="{reverse("sites:list")}"' in html  # bob's own menu, still there
    assert f'href="{reverse("audit:events")}"' not in html


@pytest.mark.django_db
def test_the_404_page_keeps_the_layout(client: Client, charlie: User, north: Site) -> None:
    client.force_login(charlie)

    response = client.get(reverse("sites:detail", kwargs={"code": "north"}))

    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    html = response.content.decode()
    assert "Page not found" in html
    assert 'id="main"' in html
    assert "North Site" not in html


@pytest.mark.django_db
def test_the_404_page_renders_for_someone_signed_out(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "base.html" in [t.name for t in response.templates]
    assert "Sign out" not in response.content.decode()


def test_the_500_page_renders_without_touching_the_database(rf: RequestFactory) -> None:
    # No db mark: any query here fails the test, as it would fail the page
    # when the database is the reason for the error.
    response = error_500(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
