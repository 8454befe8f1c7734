# SPDX-License-Identifier: AGPL-3.0-or-later
"""Hours through the selectors: database rows in the site's time zone, across
day and week boundaries; bands, per-diem days, flags, falling attendance; and
the attendance seam for group notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from openiop.patients.models import Episode
from openiop.scheduling import selectors, services
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import Attendance, Enrolment, Session
from openiop.scheduling.tests.pages import admitted, at, group, open_all_week, room, staff
from openiop.sites.models import Site

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)  # Friday of week 12


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(north: Site) -> Site:
    open_all_week(north, dt.time(7), dt.time(22))
    return north


def raw_session(site: Site, start: dt.datetime, end: dt.datetime) -> Session:
    """Straight into the table: the opening-hours rule would refuse a late
    session, and these tests are about the arithmetic."""
    return Session.objects.create(
        site=site, service="group_support", title="Late group", room=room(site), facilitator=staff(site), start=start,
        end=end, capacity_min=1, capacity_max=10,
    )  # fmt: skip


def attend(session: Session, episode: Episode, status: str = "present", minutes: int | None = None) -> None:
    enrolment = Enrolment.objects.create(session=session, episode=episode, patient=episode.patient)
    Attendance.objects.create(
        enrolment=enrolment, status=status, minutes_attended=session.minutes if minutes is None else minutes
    )


def test_a_session_across_sunday_midnight_counts_in_both_weeks(site: Site) -> None:
    episode = admitted(site)
    # Sunday 15 March 23:00 to Monday 16 March 01:00, New York time.
    session = raw_session(site, at(site, dt.date(2026, 3, 15), 23), at(site, dt.date(2026, 3, 16), 1))
    attend(session, episode, "left_early", 90)

    rows = {
        week: selectors.hours_rows(site, [episode], week, today=dt.date(2026, 3, 20), history_weeks=0)[0].week
        for week in (IsoWeek(2026, 11), IsoWeek(2026, 12))
    }

    assert (rows[IsoWeek(2026, 11)].scheduled_minutes, rows[IsoWeek(2026, 11)].attended_minutes) == (60, 45)
    assert (rows[IsoWeek(2026, 12)].scheduled_minutes, rows[IsoWeek(2026, 12)].attended_minutes) == (60, 45)


def test_days_are_the_sites_days_not_utcs(north: Site) -> None:
    # 21:00-22:30 in Los Angeles on Monday is already Tuesday in UTC.
    north.time_zone = "America/Los_Angeles"
    north.save()
    open_all_week(north, dt.time(7), dt.time(23))
    episode = admitted(north)
    session = group(north, dt.date(2026, 3, 16), (21, 0), (22, 30))
    attend(session, episode)

    row = selectors.hours_rows(north, [episode], IsoWeek(2026, 12), today=dt.date(2026, 3, 20), history_weeks=0)[0]

    assert session.start.astimezone(dt.UTC).date() == dt.date(2026, 3, 17)
    assert list(row.week.days) == [dt.date(2026, 3, 16)]
    assert row.week.attended_minutes == 90


def test_three_days_of_three_hours_make_per_diem_days_and_two_do_not(site: Site) -> None:
    full, short = admitted(site, "Ann", "Able"), admitted(site, "Ben", "Baker")
    for day in (16, 18, 19):
        morning = group(site, dt.date(2026, 3, day), (9, 0), (12, 0))
        attend(morning, full)
        if day != 19:
            attend(morning, short)

    rows = {
        r.patient.pk: r
        for r in selectors.hours_rows(site, [full, short], IsoWeek(2026, 12), today=dt.date(2026, 3, 20))
    }

    assert rows[full.patient_id].eligible_days == (dt.date(2026, 3, 16), dt.date(2026, 3, 18), dt.date(2026, 3, 19))
    assert rows[short.patient_id].eligible_days == ()


def test_the_band_flags_use_scheduled_hours_before_the_week_ends_and_attended_after(site: Site) -> None:
    episode = admitted(site)
    for day in (16, 17, 18):
        attend(group(site, dt.date(2026, 3, day), (9, 0), (12, 0)), episode, "late", 120)

    during = selectors.hours_rows(site, [episode], IsoWeek(2026, 12), today=dt.date(2026, 3, 20))[0]
    after = selectors.hours_rows(site, [episode], IsoWeek(2026, 12), today=dt.date(2026, 3, 23))[0]

    assert during.band is not None and during.band.min_hours == 9
    assert (during.flags and during.flags.basis, during.flags and during.flags.under_hours) == ("scheduled", False)
    assert (after.flags and after.flags.basis, after.flags and after.flags.under_hours) == ("attended", True)
    assert during.week.planned_minutes == 9 * 60
    assert during.planned_source == "band"


def test_missed_days_and_falling_attendance_are_flagged(site: Site) -> None:
    episode = admitted(site)
    for day, status, minutes in ((9, "present", None), (10, "no_show", 0), (16, "absent", 0), (17, "late", 30)):
        attend(group(site, dt.date(2026, 3, day), (9, 0), (12, 0)), episode, status, minutes)

    row = selectors.hours_rows(site, [episode], IsoWeek(2026, 12), today=dt.date(2026, 3, 23))[0]

    assert row.week.missed_days == (dt.date(2026, 3, 16),)
    assert row.falling is not None
    assert [str(week) for week in row.falling.weeks] == ["2026-W11", "2026-W12"]
    assert row.attention


def test_cancelled_sessions_count_nowhere(site: Site) -> None:
    episode = admitted(site)
    session = group(site, dt.date(2026, 3, 23))
    services.enrol(actor=None, session=session, episode=episode)
    services.session_cancel(actor=staff(site), session=session, reason="Holiday")

    row = selectors.hours_rows(site, [episode], IsoWeek(2026, 13), today=dt.date(2026, 3, 20))[0]

    assert row.week.scheduled_minutes == 0


def test_session_attendance_gives_the_group_note_each_participant(site: Site) -> None:
    session = group(site, dt.date(2026, 3, 16), (9, 0), (10, 30))
    ann, ben = admitted(site, "Ann", "Able"), admitted(site, "Ben", "Baker")
    attend(session, ann, "late", 75)
    services.enrol(actor=None, session=session, episode=ben)

    rows = selectors.session_attendance(session)

    assert [(r.name, r.status, r.minutes_attended, r.scheduled_minutes) for r in rows] == [
        ("Ann Able", "late", 75, 90), ("Ben Baker", None, None, 90),
    ]  # fmt: skip
    assert rows[0].attended and not rows[1].attended
    assert (rows[0].episode_id, rows[1].patient_id) == (ann.pk, ben.patient_id)
