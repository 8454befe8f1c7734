# SPDX-License-Identifier: AGPL-3.0-or-later
"""The audit trail: what writes events, that nobody can rewrite them through
the application, and the compliance page that reads them. Sealing, tampering
and ``audit_verify`` are in test_sealing.py; who sees which events in
test_scope.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.context import acting_as
from openiop.audit.models import AppendOnlyError, AuditEvent, AuditSeal
from openiop.audit.permissions import AUDIT_EXPORT
from openiop.audit.sealing import seal_pending
from openiop.audit.services import MASK, log_action, log_read, mask_secrets
from openiop.audit.views import CSV_COLUMNS
from openiop.core.roles import RoleCode
from openiop.sites.models import Room, Site

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
PASSWORD = "correct-horse-battery-staple"  # conftest's persona password


def events_after(event_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=event_id).order_by("id"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def verify() -> tuple[str, str]:
    """Run audit_verify; (stdout, stderr). Raises CommandError on a broken chain."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError:
        raise CommandError(err.getvalue()) from None
    return out.getvalue(), err.getvalue()


@pytest.fixture
def chain(north: Site) -> list[AuditEvent]:
    """Five events in a row (after whatever the fixtures logged)."""
    return [log_action("record.read", obj=north, data={"n": n}) for n in range(5)]


# --- What writes events -----------------------------------------------------


def test_log_read_records_who_read_which_record_from_where(bob: User, north: Site) -> None:
    room = north.rooms.get()
    room.audit_patient_id = "P-42"  # type: ignore[attr-defined]  # as a patient record would expose it

    with acting_as(actor_id=bob.pk, actor_username="bob", ip="10.0.0.7", request_id="req-0001abcd"):
        event = log_read(room, data={"section": "rooms"})

    event.refresh_from_db()
    assert event.action == "record.read"
    assert (event.object_type, event.object_id, event.object_repr) == ("sites.room", str(room.pk), str(room))
    assert (event.actor_id, event.actor_username) == (bob.pk, "bob")
    assert (event.ip, event.request_id) == ("10.0.0.7", "req-0001abcd")
    assert (event.patient_id, event.site_id) == ("P-42", north.pk)
    assert event.data == {"section": "rooms"}


def test_an_explicit_actor_wins_over_the_context(alice: User, bob: User, north: Site) -> None:
    with acting_as(actor_id=bob.pk, actor_username="bob"):
        event = log_read(north, actor=alice)

    assert (event.actor_id, event.actor_username) == (alice.pk, "alice")


def test_the_backstop_logs_create_update_and_delete_with_the_acting_user(bob: User, north: Site) -> None:
    with acting_as(actor_id=bob.pk, actor_username="bob", ip="10.0.0.8", request_id="req-0002abcd"):
        start = last_id()
        room = Room.objects.create(site=north, name="Quiet room", capacity=4)
        room.capacity = 5
        room.save(update_fields=["capacity"])
        room_pk = room.pk
        room.delete()

    events = events_after(start)
    assert [event.action for event in events] == ["record.create", "record.update", "record.delete"]
    assert {(e.object_type, e.object_id, e.site_id) for e in events} == {("sites.room", str(room_pk), north.pk)}
    assert {(e.actor_id, e.actor_username, e.ip, e.request_id) for e in events} == {
        (bob.pk, "bob", "10.0.0.8", "req-0002abcd")
    }
    assert events[1].data == {"fields": ["capacity"]}


def test_a_matrix_change_made_on_the_page_is_logged_with_actor_address_and_request_id(
    client: Client, alice: User, settings: Any
) -> None:
    # The id comes from a trusted proxy (the test client's address); from
    # anyone else the header is ignored (openiop/core/tests/test_request_security.py).
    settings.OPENIOP_TRUSTED_PROXIES = ["127.0.0.1"]
    client.force_login(alice)
    start = last_id()

    granting = client.post(
        reverse("accounts:permission_matrix"),
        {"role": RoleCode.CLINICIAN, "action": "audit.view", "granted": "1"},
        headers={"X-Request-ID": "trace-0001abcd"},
    )
    revoking = client.post(
        reverse("accounts:permission_matrix"), {"role": RoleCode.CLINICIAN, "action": "audit.view", "granted": "0"}
    )

    assert granting.status_code == revoking.status_code == 302
    events = events_after(start)
    assert [event.action for event in events] == [
        "record.update",  # the backstop, for the role's m2m change
        "permissions.grant",
        "record.update",
        "permissions.revoke",
    ]
    assert {(event.actor_id, event.actor_username, event.ip) for event in events} == {(alice.pk, "alice", "127.0.0.1")}
    assert [event.request_id for event in events[:2]] == ["trace-0001abcd"] * 2
    assert {event.request_id for event in events[2:]} == {revoking["X-Request-ID"]}
    assert events[1].data == {"role": RoleCode.CLINICIAN, "action": "audit.view"}
    assert events[0].data["change"] == "add" and events[2].data["change"] == "remove"


def test_signing_in_and_a_failed_attempt_are_logged_without_the_password(client: Client, alice: User) -> None:
    start = last_id()

    client.post(reverse("accounts:login"), {"username": "alice", "password": "not-the-password"})
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})

    events = events_after(start)
    failed = next(event for event in events if event.action == "auth.login_failed")
    login = next(event for event in events if event.action == "auth.login")
    assert failed.data == {"username": "alice"}
    assert (login.actor_id, login.ip) == (alice.pk, "127.0.0.1")
    assert login.request_id
    assert not any("not-the-password" in json.dumps(event.data) for event in events)


def test_secrets_in_event_data_are_masked(north: Site) -> None:
    event = log_action(
        "record.update",
        obj=north,
        data={
            "password": "hunter2",
            "nested": {"otp_token": "123456", "kept": "yes"},
            "items": [{"api_key": "k-1"}, "plain"],
            "SECRET_answer": "blue",
        },
    )

    event.refresh_from_db()
    assert event.data == {
        "password": MASK,
        "nested": {"otp_token": MASK, "kept": "yes"},
        "items": [{"api_key": MASK}, "plain"],
        "SECRET_answer": MASK,
    }
    assert mask_secrets(("a", {"csrfmiddlewaretoken": "x"})) == ["a", {"csrfmiddlewaretoken": MASK}]


def test_an_ipv6_address_is_stored_as_the_database_keeps_it_so_the_chain_verifies(north: Site) -> None:
    with acting_as(ip="2001:0DB8:0000::0001"):
        event = log_action("record.read", obj=north)

    event.refresh_from_db()
    assert event.ip == "2001:db8::1"
    seal_pending()
    verify()


def test_something_that_is_not_an_address_is_dropped_rather_than_failing_the_write(north: Site) -> None:
    with acting_as(ip="unknown, 10.0.0.1"):
        event = log_action("record.read", obj=north)

    event.refresh_from_db()
    assert event.ip is None


# --- Append-only ------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted_through_the_orm(chain: list[AuditEvent]) -> None:
    event = chain[2]
    event.data = {"n": "forged"}

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(data={})
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    # bulk_update's own atomic block is left broken by the refusal: give it one to break.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["data"])

    assert AuditEvent.objects.get(pk=event.pk).data == {"n": 2}
    verify()


def test_a_new_instance_cannot_overwrite_an_event_by_reusing_its_id(chain: list[AuditEvent]) -> None:
    original = chain[1]
    forged = AuditEvent.objects.get(pk=original.pk)
    forged._state.adding = True
    forged.data = {"n": "forged"}

    with pytest.raises(AppendOnlyError):
        forged.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([forged], update_conflicts=True, unique_fields=["id"], update_fields=["data"])

    assert AuditEvent.objects.get(pk=original.pk).data == {"n": 1}


def test_seals_cannot_be_changed_or_deleted_through_the_orm(chain: list[AuditEvent]) -> None:
    seal_pending()
    seal = AuditSeal.objects.get(event=chain[2])
    seal.hash = "0" * 64

    with pytest.raises(AppendOnlyError):
        seal.save()
    with pytest.raises(AppendOnlyError):
        seal.delete()
    with pytest.raises(AppendOnlyError):
        AuditSeal.objects.filter(pk=seal.pk).update(hash="")
    with pytest.raises(AppendOnlyError):
        AuditSeal.objects.all().delete()

    verify()


# --- The compliance page ----------------------------------------------------


@pytest.fixture
def admin_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def listed(client: Client, **query: str) -> list[AuditEvent]:
    response = client.get(reverse("audit:events"), query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def exported(client: Client, **query: str) -> list[dict[str, str]]:
    response = client.get(reverse("audit:export"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="openiop-audit-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0] == CSV_COLUMNS
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def reads_by_day(settings: Any, bob: User, charlie: User, north: Site) -> dict[str, AuditEvent]:
    """Bob reads patient P-1 on 1, 5 and 10 March 2024; Charlie reads P-2 on 5 March."""
    settings.TIME_ZONE = "America/New_York"
    made = {}
    for key, day, actor, patient in [
        ("bob-1", 1, bob, "P-1"),
        ("bob-5", 5, bob, "P-1"),
        ("charlie-5", 5, charlie, "P-2"),
        ("bob-10", 10, bob, "P-1"),
    ]:
        # Late evening in New York is already the next day in UTC: the page
        # counts days in the configured time zone, as the reviewer reads them.
        with time_machine.travel(dt.datetime(2024, 3, day, 22, 30, tzinfo=NEW_YORK), tick=False):
            made[key] = log_action("record.read", obj=north, actor=actor, patient_id=patient)
    return made


def test_the_page_filters_by_user(admin_client: Client, reads_by_day: dict[str, AuditEvent]) -> None:
    events = listed(admin_client, user="BOB", action="record.read")

    assert [event.pk for event in events] == [reads_by_day[k].pk for k in ("bob-10", "bob-5", "bob-1")]


def test_the_page_filters_by_patient(admin_client: Client, reads_by_day: dict[str, AuditEvent]) -> None:
    assert [event.pk for event in listed(admin_client, patient="P-2")] == [reads_by_day["charlie-5"].pk]


def test_the_page_filters_by_date_range(admin_client: Client, reads_by_day: dict[str, AuditEvent]) -> None:
    middle = listed(admin_client, date_from="2024-03-04", date_to="2024-03-06")
    one_day = listed(admin_client, date_from="2024-03-10", date_to="2024-03-10")
    since = listed(admin_client, date_from="2024-03-05", user="bob")

    assert {event.pk for event in middle} == {reads_by_day["bob-5"].pk, reads_by_day["charlie-5"].pk}
    assert [event.pk for event in one_day] == [reads_by_day["bob-10"].pk]
    assert [event.pk for event in since] == [reads_by_day["bob-10"].pk, reads_by_day["bob-5"].pk]


def test_an_end_date_before_the_start_date_is_a_field_error(
    admin_client: Client, reads_by_day: dict[str, AuditEvent]
) -> None:
    response = admin_client.get(reverse("audit:events"), {"date_from": "2024-03-10", "date_to": "2024-03-01"})

    assert response.status_code == 200
    assert response.context["filter"].form.errors == {"date_to": ["The end date is before the start date."]}
    assert list(response.context["page"].object_list) == []
    assert 'class="field-error" id="id_date_to_error"' in response.content.decode()


def test_an_unreadable_date_is_a_field_error(admin_client: Client) -> None:
    response = admin_client.get(reverse("audit:events"), {"date_from": "yesterday"})

    assert "date_from" in response.context["filter"].form.errors
    assert list(response.context["page"].object_list) == []


def test_the_csv_export_holds_the_filtered_rows_and_is_itself_logged(
    admin_client: Client, alice: User, reads_by_day: dict[str, AuditEvent]
) -> None:
    seal_pending()
    rows = exported(admin_client, user="bob", date_from="2024-03-04")

    assert [int(row["id"]) for row in rows] == [reads_by_day["bob-10"].pk, reads_by_day["bob-5"].pk]
    assert {(row["actor_username"], row["action"], row["patient_id"]) for row in rows} == {
        ("bob", "record.read", "P-1")
    }
    newest_seal = AuditSeal.objects.get(event=reads_by_day["bob-10"])
    assert (rows[0]["seal_seq"], rows[0]["seal_hash"]) == (str(newest_seal.seq), newest_seal.hash)
    export = AuditEvent.objects.get(action="audit.export")
    assert (export.actor_id, export.ip) == (alice.pk, "127.0.0.1")
    assert export.data == {"filters": {"user": "bob", "date_from": "2024-03-04"}, "rows": 2}


def test_an_unfiltered_export_holds_what_existed_when_it_was_asked_for(
    admin_client: Client, alice: User, reads_by_day: dict[str, AuditEvent]
) -> None:
    rows = exported(admin_client)

    export = AuditEvent.objects.get(action="audit.export")
    reachable = AuditEvent.objects.restrict(alice, AUDIT_EXPORT)
    before = list(reachable.filter(id__lt=export.pk).order_by("-id").values_list("id", flat=True))
    assert len(rows) == export.data["rows"] == len(before)
    assert [int(row["id"]) for row in rows] == before
    # Not sealed yet (no worker in tests): the seal columns are left blank.
    assert {(row["seal_seq"], row["seal_hash"]) for row in rows} == {("", "")}


def test_the_export_defuses_spreadsheet_formulas(admin_client: Client, north: Site) -> None:
    Room.objects.create(site=north, name='=HYPERLINK("http://example.invalid")', capacity=2)

    rows = exported(admin_client, action="record.create")

    created = next(row for row in rows if row["object_type"] == "sites.room" and "HYPERLINK" in row["object_repr"])
    assert created["object_repr"].startswith("'=HYPERLINK")


def test_the_export_refuses_an_invalid_filter(admin_client: Client) -> None:
    response = admin_client.get(reverse("audit:export"), {"date_from": "2024-03-10", "date_to": "2024-03-01"})

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("role", sorted(set(RoleCode.values) - {RoleCode.ADMINISTRATOR}))
def test_other_roles_may_neither_read_nor_export_the_log(
    client: Client, persona: Callable[..., User], role: str
) -> None:
    client.force_login(persona(role))

    assert client.get(reverse("audit:events")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()
