# SPDX-License-Identifier: AGPL-3.0-or-later
"""One weekday vocabulary and one time span for sessions and appointments (issue 15 item 3)."""

from __future__ import annotations

import ast
import datetime as dt
import zoneinfo
from pathlib import Path

import openiop
from openiop.scheduling.models import Appointment, ClinicianAvailability, PatientAvailability, Session
from openiop.scheduling.timespan import SiteTimeSpan
from openiop.sites.models import OpeningHours, Site, Weekday

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_there_is_one_weekday_class_in_the_code() -> None:
    defined = []
    for path in Path(openiop.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.Assign) and any(getattr(t, "id", "") == "MONDAY" for t in item.targets)
                for item in node.body
            ):
                defined.append(f"{path.name}:{node.name}")
    assert defined == ["models.py:Weekday"]


def test_opening_hours_and_both_availabilities_use_the_one_weekday() -> None:
    for model in (OpeningHours, PatientAvailability, ClinicianAvailability):
        assert model._meta.get_field("weekday").choices == Weekday.choices, model
    assert Weekday(dt.date(2026, 12, 7).weekday()) == Weekday.MONDAY


def test_sessions_and_appointments_are_the_same_time_span() -> None:
    assert issubclass(Session, SiteTimeSpan)
    assert issubclass(Appointment, SiteTimeSpan)


def test_a_span_reads_in_its_sites_zone_and_counts_elapsed_minutes_across_the_clock_change() -> None:
    site = Site(code="NY", name="New York", time_zone="America/New_York")
    # 00:30 daylight time to 02:00 standard time on the night the clocks go back: 150 minutes pass,
    # though the wall clock moved 90.
    start = dt.datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK)
    end = dt.datetime(2026, 11, 1, 2, 0, tzinfo=NEW_YORK)
    for span in (Session(site=site, start=start, end=end), Appointment(site=site, start=start, end=end)):
        assert span.minutes == 150
        assert span.local_start.hour == 0
        assert span.local_end.strftime("%H:%M %Z") == "02:00 EST"
    utc_start = dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.UTC)
    session = Session(site=site, start=utc_start, end=utc_start + dt.timedelta(minutes=50))
    assert (session.local_start.hour, session.minutes) == (9, 50)
