# SPDX-License-Identifier: AGPL-3.0-or-later
"""Other apps' bookings (scheduling.busy) from scheduling's side, with a
stand-in source: a block's own key leaves it out, only overlaps count, and
the week planner keeps the clinician free of it."""

from __future__ import annotations

import datetime as dt

import pytest

from openiop.scheduling import busy, optimizer
from openiop.scheduling.models import ClinicianAvailability
from openiop.scheduling.planning.problem import build_problem
from openiop.scheduling.tests.pages import at, staff
from openiop.sites.models import Site

MONDAY = dt.date(2026, 3, 9)
UTC_NINE = dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)


def _block(key: str, start: dt.datetime, end: dt.datetime, clinician_id: int | None = 1) -> busy.BusyBlock:
    return busy.BusyBlock(key, "test", "Held", start, end, site_id=1, clinician_id=clinician_id, room_id=None)


def test_blocks_are_the_overlapping_ones_earliest_first_without_the_excluded_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hour = dt.timedelta(hours=1)
    blocks = [_block("b", UTC_NINE + hour, UTC_NINE + 2 * hour), _block("a", UTC_NINE, UTC_NINE + hour)]
    blocks.append(_block("late", UTC_NINE + 5 * hour, UTC_NINE + 6 * hour))  # a sloppy source's extra row
    monkeypatch.setattr(busy, "_SOURCES", [lambda start, end, **filters: blocks])

    found = busy.busy_blocks(UTC_NINE, UTC_NINE + 2 * hour, clinician_ids=[1])

    assert [block.key for block in found] == ["a", "b"]
    assert [block.key for block in busy.busy_blocks(UTC_NINE, UTC_NINE + 2 * hour, exclude_key="a")] == ["b"]
    assert busy.busy_blocks(UTC_NINE + hour, UTC_NINE + hour) == []  # an empty span overlaps nothing


@pytest.mark.django_db
def test_the_week_planner_keeps_a_clinician_free_of_time_booked_elsewhere(
    monkeypatch: pytest.MonkeyPatch, north: Site
) -> None:
    clinician = staff(north)
    ClinicianAvailability.objects.create(
        user=clinician, site=north, weekday=0, start_time=dt.time(9), end_time=dt.time(17)
    )
    block = _block("inquiry-1", at(north, MONDAY, 10), at(north, MONDAY, 11), clinician_id=clinician.pk)
    monkeypatch.setattr(busy, "_SOURCES", [lambda start, end, **filters: [block]])

    (planned,) = build_problem(north, MONDAY).problem.clinicians

    assert planned.availability == (optimizer.Window(0, 9 * 60, 10 * 60), optimizer.Window(0, 11 * 60, 17 * 60))
