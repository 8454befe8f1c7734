# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recurrence rules (RFC 5545) and their expansion in the site's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from openiop.scheduling import services
from openiop.scheduling.models import SessionSeries, Track, parse_rrule
from openiop.scheduling.tests.pages import open_all_week, room, staff
from openiop.sites.models import Site

FIRST = dt.datetime(2026, 3, 2, 9, 0)  # a Monday


def test_a_weekly_rule_expands_to_the_named_days() -> None:
    rule = parse_rrule("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4", FIRST)

    assert [d.date() for d in rule] == [
        dt.date(2026, 3, 2), dt.date(2026, 3, 4), dt.date(2026, 3, 9), dt.date(2026, 3, 11),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a recurrence rule"),
        ("FREQ=MINUTELY", "daily, weekly or monthly"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid RFC 5545"),
        ("FREQ=DAILY;BYHOUR=9", "start and end fields"),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_staff_can_act_on(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_rrule(text, FIRST)

    assert message in " ".join(error.value.messages)


@pytest.mark.django_db
def test_a_nine_oclock_group_stays_at_nine_across_the_daylight_saving_change(north: Site) -> None:
    # 8 March 2026: clocks in New York go forward; UTC offsets change from -5 to -4.
    open_all_week(north)
    track = Track.objects.create(site=north, kind=Track.Kind.MORNING, name="Morning")
    series, sessions = services.series_create(
        actor=staff(north),
        site=north,
        track=track,
        service="group_coping_skills",
        title="",
        room=room(north),
        facilitator=staff(north),
        capacity_min=2,
        capacity_max=10,
        starts_on=dt.date(2026, 3, 5),
        start_time=dt.time(9),
        end_time=dt.time(10, 30),
        rrule="FREQ=WEEKLY;BYDAY=TH",
        generate_until=dt.date(2026, 3, 19),
    )

    assert [(s.local_start.date(), s.local_start.time()) for s in sessions] == [
        (dt.date(2026, 3, 5), dt.time(9)), (dt.date(2026, 3, 12), dt.time(9)), (dt.date(2026, 3, 19), dt.time(9)),
    ]  # fmt: skip
    assert [s.start.astimezone(dt.UTC).hour for s in sessions] == [14, 13, 13]
    assert all(s.minutes == 90 for s in sessions)
    assert series.title == "Coping skills group"


@pytest.mark.django_db
def test_generating_again_adds_only_the_missing_sessions(north: Site) -> None:
    open_all_week(north)
    track = Track.objects.create(site=north, kind=Track.Kind.EVENING, name="Evening")
    series, first = services.series_create(
        actor=staff(north),
        site=north,
        track=track,
        service="group_relapse_prevention",
        title="RP evening",
        room=room(north),
        facilitator=staff(north),
        capacity_min=2,
        capacity_max=10,
        starts_on=dt.date(2026, 3, 2),
        start_time=dt.time(18),
        end_time=dt.time(19, 30),
        rrule="FREQ=WEEKLY;BYDAY=MO,WE",
        generate_until=dt.date(2026, 3, 8),
    )

    more = services.series_generate(actor=None, series=series, until=dt.date(2026, 3, 15))

    assert len(first) == 2
    assert len(more) == 2
    assert SessionSeries.objects.get().sessions.count() == 4
