# SPDX-License-Identifier: AGPL-3.0-or-later
"""On PostgreSQL: many writers append at once and lose nothing, an append
never waits for the sealer, and the database itself refuses to change or
remove audit rows. (SQLite writes one transaction at a time and has no
triggers here; these tests run in the PostgreSQL pass of `make test`.)"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from openiop.audit.models import AuditEvent, AuditSeal, AuditSealer
from openiop.audit.sealing import seal_pending
from openiop.audit.services import log_action, log_read
from openiop.sites.models import Site


@pytest.fixture(autouse=True)
def _postgresql_only(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run through scripts/with_postgres.py")


def in_threads(count: int, work: object) -> list[BaseException]:
    """Run WORK(index) in COUNT threads started together; the errors raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)  # type: ignore[operator]
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_lose_nothing_keep_their_order_and_seal_into_one_chain(north: Site) -> None:
    writers, each = 8, 60
    stop = threading.Event()

    def work(index: int) -> None:
        if index < writers:
            for number in range(each):
                log_read(north, data={"writer": index, "n": number})
            return
        # Two sealers race the writers (and each other) throughout.
        while not stop.is_set():
            seal_pending(wait=index % 2 == 0)
            time.sleep(0.005)

    def stop_when_written() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if AuditEvent.objects.filter(data__has_key="writer").count() == writers * each:
                break
            time.sleep(0.05)
        stop.set()
        connection.close()

    watcher = threading.Thread(target=stop_when_written)
    watcher.start()
    errors = in_threads(writers + 2, work)
    watcher.join()

    assert errors == []
    seal_pending()
    for writer in range(writers):
        numbers = list(AuditEvent.objects.filter(data__writer=writer).order_by("id").values_list("data__n", flat=True))
        assert numbers == list(range(each)), f"writer {writer}: lost or reordered"
    seals = list(AuditSeal.objects.order_by("seq").values_list("seq", "event_id"))
    assert [seq for seq, _event in seals] == list(range(1, AuditEvent.objects.count() + 1))
    assert len({event for _seq, event in seals}) == len(seals)
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    assert "audit log intact" in out.getvalue()


@pytest.fixture
def sealer_lock_held() -> Iterator[None]:
    """Another connection holds the sealer's lock, as a long pass would."""
    seal_pending()  # the sealer's row exists
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                AuditSealer.objects.select_for_update().get(pk=1)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    yield
    release.set()
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_an_append_never_waits_for_the_sealer(north: Site, sealer_lock_held: None) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Any lock wait at all fails the append instead of stalling it.
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
        event = log_action("record.read", obj=north)

    assert AuditEvent.objects.filter(pk=event.pk).exists()
    # And a worker's pass does not queue behind the one under way either.
    assert seal_pending(wait=False).busy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %(event)s",
        "DELETE FROM audit_auditevent WHERE id = %(event)s",
        "UPDATE audit_auditseal SET hash = 'forged' WHERE seq = %(seal)s",
        "DELETE FROM audit_auditseal WHERE seq = %(seal)s",
    ],
)
def test_postgresql_refuses_to_change_or_delete_audit_rows(north: Site, statement: str) -> None:
    event = log_action("record.read", obj=north)
    seal_pending()
    seal = AuditSeal.objects.get(event=event)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, {"event": event.pk, "seal": seal.seq})


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditseal"])
def test_postgresql_refuses_truncate_to_the_serving_role(north: Site, table: str) -> None:
    log_action("record.read", obj=north)
    with connection.cursor() as cursor:
        # Rolled back with the test: a role with every table right, but no superuser.
        cursor.execute("CREATE ROLE openiop_test_web NOSUPERUSER")
        cursor.execute("GRANT ALL ON audit_auditevent, audit_auditseal TO openiop_test_web")
        cursor.execute("SET LOCAL ROLE openiop_test_web")
        try:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(f"TRUNCATE {table} CASCADE")
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.exists()
