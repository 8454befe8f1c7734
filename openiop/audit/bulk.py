# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writing demo history in bulk, committed in batches.

The large demo is a program's year: hundreds of thousands of attendance
records, notes and results. Through the services each row would cost several
queries and its own audit events (the medium demo once took 458 s on
PostgreSQL as one transaction); a real program never writes them all at once
either. So the mass of the history is written with ``bulk_create``:

- Seeding is a system action (``acting_as(actor_username="seed")``). Bulk
  rows send no per-row signals, so the backstop writes no per-row events;
  instead each committed batch is recorded by ONE audit event,
  ``demo.bulk_seed``, naming the batch, its site and how many rows of each
  table it wrote. The showcase records (one of every kind, on the three named
  sites) still go through the services and are audited like real work.
- Each batch is its own transaction: an interrupted seed keeps what it
  committed, and every bulk phase picks up where it stopped (it selects only
  what is still missing).
- Fields the services derive are computed with the same pure rules
  (``scheduling.hours.attended_minutes``, ``treatment.rules``), so a bulk row
  reads exactly like one a clinician made.
"""

from __future__ import annotations

import contextlib
import functools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router, transaction
from django.utils import timezone

from openiop.audit.services import log_action

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")
Tick = Callable[[int], None]

# Rows written by bulk batches in this process: the progress bar shows their rate.
ROWS_WRITTEN = Counter[str]()
INSERT_BATCH = 2000


class Batch:
    """The rows of one committed batch, counted per table for its audit event."""

    def __init__(self) -> None:
        self.rows: Counter[str] = Counter()

    def insert(self, model: type[M], rows: Sequence[M]) -> list[M]:
        """Insert ROWS (primary keys set afterwards, on SQLite and PostgreSQL)."""
        if not rows:
            return []
        created = model._default_manager.bulk_create(list(rows), batch_size=INSERT_BATCH)
        label = model._meta.label_lower
        self.rows[label] += len(created)
        ROWS_WRITTEN["rows"] += len(created)
        return created

    def insert_leaves(self, model: type[M], rows: Sequence[M]) -> None:
        """Insert ROWS that nothing refers to (attendance, results, links)
        without asking for their ids back: one plain ``executemany`` of the
        values Django would store (each field's own ``get_db_prep_save``
        for dates, times, JSON and decimals), several times faster than
        ``bulk_create`` for the largest tables. Model defaults are already
        on the instances; ``auto_now_add`` fields get the time now."""
        if not rows:
            return
        connection = connections[router.db_for_write(model)]
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
        now = timezone.now()
        prepare: list[Callable[[Any], Any] | None] = []
        for field in fields:
            if field.get_internal_type() in _PREPARED_TYPES:
                prepare.append(functools.partial(field.get_db_prep_save, connection=connection))
            else:
                prepare.append(None)
        stamped = {f.attname for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)}
        values = []
        for row in rows:
            for name in stamped:
                if getattr(row, name) is None:
                    setattr(row, name, now)
            values.append(
                tuple(
                    convert(getattr(row, field.attname)) if convert else getattr(row, field.attname)
                    for field, convert in zip(fields, prepare, strict=True)
                )
            )
        quote = connection.ops.quote_name
        # Only the model's own table and column names, quoted; the values go as parameters.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        )
        with connection.cursor() as cursor:
            for start in range(0, len(values), INSERT_BATCH):
                cursor.executemany(sql, values[start : start + INSERT_BATCH])
        self.rows[model._meta.label_lower] += len(values)
        ROWS_WRITTEN["rows"] += len(values)


# Field types whose stored form differs from the Python value (the rest go as they are).
_PREPARED_TYPES = frozenset({"DateTimeField", "DateField", "TimeField", "DecimalField", "JSONField", "UUIDField"})


@contextlib.contextmanager
def batch(name: str, *, site_id: int | None = None, data: dict[str, Any] | None = None) -> Iterator[Batch]:
    """One transaction and one audit event for everything written inside."""
    with transaction.atomic():
        current = Batch()
        yield current
        if current.rows:
            log_action(
                "demo.bulk_seed",
                site_id=site_id,
                data={"batch": name, "rows": dict(sorted(current.rows.items())), **(data or {})},
            )


class StepBudget:
    """Spread a fixed number of progress steps over work of unknown size, so
    the bar's total is known before seeding starts and stays exact."""

    def __init__(self, steps: int, tick: Tick) -> None:
        self.steps = steps
        self.done = 0
        self.tick = tick

    def reach(self, fraction: float) -> None:
        target = min(self.steps, int(self.steps * fraction))
        if target > self.done:
            self.tick(target - self.done)
            self.done = target

    def finish(self) -> None:
        self.reach(1.0)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
