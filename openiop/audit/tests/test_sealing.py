# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sealing, checkpoints and ``audit_verify``: every way of cutting or
rewriting the log around the application is named, and appending an event
takes no lock another request waits for."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openiop.audit.checkpoints import CheckpointRefused, checkpoint_if_due, read_checkpoints
from openiop.audit.jobs import seal_audit_log
from openiop.audit.models import AuditEvent, AuditSeal, AuditSealer
from openiop.audit.sealing import BATCH_SIZE, seal_hash, seal_pending
from openiop.audit.services import log_action
from openiop.audit.tests.tampering import tamper
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def verify() -> str:
    """Run audit_verify; its output. Raises CommandError (with the report) on a broken log."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError:
        raise CommandError(err.getvalue()) from None
    return out.getvalue()


def broken_log_report() -> str:
    with pytest.raises(CommandError) as caught:
        verify()
    return str(caught.value)


def checkpoint() -> None:
    call_command("audit_checkpoint", stdout=io.StringIO())


def seal_of(event: AuditEvent) -> AuditSeal:
    return AuditSeal.objects.get(event=event)


def remove_events_from(first_seq: int) -> None:
    """Delete every event sealed at FIRST_SEQ or later, and their seals, the
    way an intruder cutting the tail would (nothing is left to point at them)."""
    lowest_event = AuditSeal.objects.filter(seq__gte=first_seq).order_by("event_id").values_list("event_id").first()
    assert lowest_event is not None
    # Sealing follows event ids, so the tail's events are the highest ids.
    tamper("DELETE FROM audit_auditseal WHERE seq >= %s", [first_seq])
    tamper("DELETE FROM audit_auditevent WHERE id >= %s", [lowest_event[0]])


@pytest.fixture
def chain(north: Site) -> list[AuditEvent]:
    """Five sealed events (after whatever the fixtures logged)."""
    events = [log_action("record.read", obj=north, data={"n": n}) for n in range(5)]
    seal_pending()
    return events


@pytest.fixture
def long_chain(north: Site) -> list[AuditEvent]:
    """600 sealed events, then a checkpoint of the head."""
    events = [log_action("record.read", obj=north, data={"n": n}) for n in range(600)]
    seal_pending()
    checkpoint()
    return events


# --- Appending and sealing ------------------------------------------------------


def test_appending_an_event_is_one_insert_and_locks_nothing(north: Site) -> None:
    with CaptureQueriesContext(connection) as captured:
        log_action("record.read", obj=north)

    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) == 1
    assert statements[0].startswith("INSERT INTO")
    assert "FOR UPDATE" not in statements[0]


def test_sealing_chains_every_event_in_id_order_under_the_key(settings: Any, north: Site) -> None:
    events = [log_action("record.read", obj=north, data={"n": n}) for n in range(3)]

    result = seal_pending()

    seals = list(AuditSeal.objects.order_by("seq"))
    assert [seal.seq for seal in seals] == list(range(1, len(seals) + 1))
    assert [seal.event_id for seal in seals][-3:] == [event.pk for event in events]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(seals))
    assert (result.last_seq, result.last_hash, result.last_event_id) == (seals[-1].seq, seals[-1].hash, events[-1].pk)
    event = AuditEvent.objects.get(pk=events[-1].pk)
    assert seals[-1].hash == seal_hash(settings.OPENIOP_AUDIT_KEY, seals[-1].seq, seals[-2].hash, event)
    assert seals[-1].hash != seal_hash(b"another key" * 4, seals[-1].seq, seals[-2].hash, event)
    assert seal_pending().sealed == 0


def test_sealing_works_through_more_than_one_batch(north: Site) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(occurred_at=timezone.now(), action="record.read", data={"n": n}) for n in range(BATCH_SIZE + 5)
    )

    seal_pending()

    assert not AuditEvent.objects.filter(seal__isnull=True).exists()
    assert AuditSeal.objects.count() == AuditEvent.objects.count()
    assert "audit log intact" in verify()


def test_a_seal_number_cannot_be_used_twice(chain: list[AuditEvent]) -> None:
    first = seal_of(chain[0])
    copy = AuditSeal(seq=first.seq, event=chain[1], sealed_at=first.sealed_at, prev_hash="0", hash="0")

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_an_event_committed_late_below_the_floor_is_sealed_by_the_full_sweep(north: Site) -> None:
    seal_pending()
    late = log_action("record.read", obj=north, data={"late": True})
    # As if its transaction committed after the floor had passed its id.
    AuditSealer.objects.filter(pk=1).update(scan_from_id=late.pk + 10, last_full_sweep_at=timezone.now())

    assert seal_pending().sealed == 0
    assert seal_pending(full_sweep=True).sealed == 1
    assert seal_of(late).seq == AuditSeal.objects.order_by("-seq").first().seq  # type: ignore[union-attr]


def test_the_floor_trails_the_newest_event(north: Site) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        seal_pending()
        newest = log_action("record.read", obj=north)
        seal_pending()
        traveller.shift(dt.timedelta(minutes=11))
        seal_pending()
        traveller.shift(dt.timedelta(minutes=11))
        seal_pending()

    state = AuditSealer.objects.get(pk=1)
    assert state.scan_from_id == newest.pk


# --- audit_verify: intact logs --------------------------------------------------


def test_audit_verify_seals_and_passes_an_intact_log(chain: list[AuditEvent], north: Site) -> None:
    checkpoint()
    log_action("record.read", obj=north)  # written after the checkpoint, not yet sealed

    out = verify()

    assert f"audit log intact: {AuditEvent.objects.count()} events, {AuditSeal.objects.count()} seals verified" in out
    assert "checkpoint checkpoint-" in out and "matches" in out
    assert not AuditEvent.objects.filter(seal__isnull=True).exists()


def test_audit_verify_is_quiet_on_an_empty_log() -> None:
    # Migrating already logged the permission matrix; start from nothing.
    tamper("DELETE FROM audit_auditseal")
    tamper("DELETE FROM audit_auditevent")

    assert "audit log intact: 0 events, 0 seals verified; no checkpoint yet" in verify()


# --- audit_verify: tampering ----------------------------------------------------


def test_it_names_an_event_whose_data_was_altered(chain: list[AuditEvent]) -> None:
    target = seal_of(chain[2])
    tamper("UPDATE audit_auditevent SET data = %s WHERE id = %s", [json.dumps({"n": 99}), chain[2].pk])

    report = broken_log_report()

    assert f"seal #{target.seq}: altered: event #{chain[2].pk} (record.read" in report
    assert report.count("altered") == 1


def test_it_names_an_event_whose_actor_was_rewritten(chain: list[AuditEvent]) -> None:
    tamper("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["bob", chain[0].pk])

    assert f"seal #{seal_of(chain[0]).seq}: altered" in broken_log_report()


def test_it_reports_a_deleted_middle_event_as_missing(chain: list[AuditEvent]) -> None:
    gone = seal_of(chain[2])
    tamper("DELETE FROM audit_auditseal WHERE seq = %s", [gone.seq])
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [chain[2].pk])

    report = broken_log_report()

    assert f"seal #{gone.seq + 1}: missing: seals {gone.seq} are missing before this one" in report


def test_it_reports_two_seals_whose_hashes_were_swapped(chain: list[AuditEvent]) -> None:
    first, second = seal_of(chain[1]), seal_of(chain[2])
    for seal, other in ((first, second), (second, first)):
        tamper(
            "UPDATE audit_auditseal SET prev_hash = %s, hash = %s WHERE seq = %s",
            [other.prev_hash, other.hash, seal.seq],
        )

    report = broken_log_report()

    assert f"seal #{first.seq}: " in report
    assert f"seal #{second.seq}: " in report


@pytest.mark.parametrize("count", [1, 500])
def test_it_reports_the_last_events_deleted_with_their_seals(long_chain: list[AuditEvent], count: int) -> None:
    head = AuditSeal.objects.order_by("-seq").first()
    assert head is not None
    remove_events_from(head.seq - count + 1)

    report = broken_log_report()

    assert f"records seal #{head.seq} (event #{head.event_id}) but the log ends at seal #{head.seq - count}" in report
    assert "log: cut:" in report


def test_it_reports_a_log_wiped_of_every_event_and_seal(long_chain: list[AuditEvent]) -> None:
    head = AuditSeal.objects.order_by("-seq").first()
    assert head is not None
    tamper("DELETE FROM audit_auditseal")
    tamper("DELETE FROM audit_auditevent")

    report = broken_log_report()

    assert f"records seal #{head.seq} (event #{head.event_id}) but the log ends at seal #0" in report


def test_it_reports_an_event_forged_and_every_later_seal_rehashed(long_chain: list[AuditEvent]) -> None:
    """The intruder forges event 100 and rebuilds the chain from there the
    only way open to them: without the audit key (here, with a guessed one)."""
    forged_event = long_chain[99]
    tamper("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["nobody", forged_event.pk])
    forged_seq = seal_of(forged_event).seq
    previous = AuditSeal.objects.get(seq=forged_seq - 1).hash
    for seal in AuditSeal.objects.filter(seq__gte=forged_seq).order_by("seq"):
        event = AuditEvent.objects.get(pk=seal.event_id)
        rehashed = seal_hash(b"a guess at the audit key, 32 bytes+", seal.seq, previous, event)
        tamper("UPDATE audit_auditseal SET prev_hash = %s, hash = %s WHERE seq = %s", [previous, rehashed, seal.seq])
        previous = rehashed

    report = broken_log_report()

    assert f"seal #{forged_seq}: altered: event #{forged_event.pk}" in report
    head = AuditSeal.objects.order_by("-seq").first()
    assert head is not None
    assert f"seal #{head.seq}: rewritten: is not the seal checkpoint" in report


@pytest.mark.parametrize(
    ("tampering", "named"),
    [("cut the last event", "rewritten"), ("cut 500 events", "cut"), ("wipe", "cut"), ("forge", "altered")],
)
def test_tampering_is_still_named_after_later_events_are_sealed(
    long_chain: list[AuditEvent], north: Site, tampering: str, named: str
) -> None:
    head = AuditSeal.objects.order_by("-seq").first()
    assert head is not None
    if tampering == "cut the last event":
        remove_events_from(head.seq)
    elif tampering == "cut 500 events":
        remove_events_from(head.seq - 499)
    elif tampering == "wipe":
        tamper("DELETE FROM audit_auditseal")
        tamper("DELETE FROM audit_auditevent")
    else:
        tamper("UPDATE audit_auditevent SET data = %s WHERE id = %s", [json.dumps({"n": "forged"}), long_chain[99].pk])
    # Life goes on: new events are written and the worker seals them.
    for _ in range(3):
        log_action("record.read", obj=north)
    seal_pending()

    assert f": {named}: " in broken_log_report()


def test_a_forged_checkpoint_is_reported_and_not_trusted(chain: list[AuditEvent], checkpoint_dir: Path) -> None:
    checkpoint()
    [written] = list(checkpoint_dir.glob("checkpoint-*.json"))
    body = json.loads(written.read_text())
    # An intruder lowering the checkpoint to hide a cut tail cannot re-sign it.
    body["seq"] -= 1
    written.write_text(json.dumps(body))

    report = broken_log_report()

    assert f"log: checkpoint: {written.name}: its signature does not match" in report
    assert read_checkpoints()[0] == []


def test_no_new_checkpoint_is_written_over_a_cut_tail(long_chain: list[AuditEvent], north: Site) -> None:
    head = AuditSeal.objects.order_by("-seq").first()
    assert head is not None
    remove_events_from(head.seq - 9)
    log_action("record.read", obj=north)
    seal_pending()

    with pytest.raises(CheckpointRefused, match=f"no longer holds seal #{head.seq}"):
        checkpoint_if_due(now=timezone.now(), force=True)
    with pytest.raises(CommandError, match="no checkpoint written"):
        checkpoint()


def test_a_log_sealed_long_ago_without_any_checkpoint_is_reported(chain: list[AuditEvent]) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        report = broken_log_report()

    assert "log: checkpoint: no checkpoint in" in report


# --- Late sealing -----------------------------------------------------------------


def test_an_unsealed_tail_older_than_the_deadline_is_reported(north: Site) -> None:
    seal_pending()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        late = [log_action("record.read", obj=north) for _ in range(3)]
        traveller.shift(dt.timedelta(seconds=61))

        report = broken_log_report()

    assert f"log: late: 3 event(s) (#{late[0].pk}-#{late[-1].pk}" in report
    assert "were not sealed within 60 s" in report
    # audit_verify sealed them after saying so.
    assert not AuditEvent.objects.filter(seal__isnull=True).exists()


def test_a_fresh_unsealed_event_is_not_late(north: Site) -> None:
    seal_pending()
    log_action("record.read", obj=north)

    assert "audit log intact" in verify()


# --- The worker -------------------------------------------------------------------


def test_the_worker_seals_and_checkpoints_at_most_once_an_interval(north: Site, checkpoint_dir: Path) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        log_action("record.read", obj=north)
        seal_audit_log()
        assert len(read_checkpoints()[0]) == 1
        assert not AuditEvent.objects.filter(seal__isnull=True).exists()

        log_action("record.read", obj=north)
        traveller.shift(dt.timedelta(minutes=30))
        seal_audit_log()
        assert not AuditEvent.objects.filter(seal__isnull=True).exists()
        assert len(read_checkpoints()[0]) == 1

        traveller.shift(dt.timedelta(minutes=31))
        seal_audit_log()
        checkpoints = read_checkpoints()[0]
        assert len(checkpoints) == 2
        assert checkpoints[-1].seq == AuditSeal.objects.count()

        traveller.shift(dt.timedelta(hours=2))
        seal_audit_log()  # nothing new sealed: nothing new to record
        assert len(read_checkpoints()[0]) == 2
    assert "audit log intact" in verify()
