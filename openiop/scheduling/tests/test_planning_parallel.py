# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week builder's database side of the warm start and of building several
sites at once: last week's published week is read back as the optimizer's
plain data, and a multi-site build solves the sites in worker processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from openiop.scheduling import optimizer, planning
from openiop.scheduling.models import Appointment, Enrolment, Session, SessionSeries, WeekProposal
from openiop.scheduling.tests.pages import at, group, room, staff
from openiop.scheduling.tests.test_services_planning import LAST_WEEK, NOW, WEEK, Program
from openiop.sites.models import Site


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_multi_site_build_solves_in_processes_and_starts_from_last_weeks_published_week(
    north: Site, south: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = Program(north)
    lead = staff(north)
    # Two identical Monday-evening groups; last week the planner put Ann in the second one's series.
    twin = group(north, WEEK, (18, 0), (21, 0), facilitator=lead, in_room=room(north), capacity_max=3,
                 track=program.evening, service="group_relapse_prevention")  # fmt: skip
    last = group(north, LAST_WEEK, (18, 0), (21, 0), facilitator=lead, in_room=twin.room, capacity_max=3,
                 track=program.evening, service="group_relapse_prevention")  # fmt: skip
    series = SessionSeries.objects.create(
        site=north, track=program.evening, service="group_relapse_prevention", title="RP", room=twin.room,
        facilitator=lead, starts_on=LAST_WEEK, start_time=dt.time(18), end_time=dt.time(21),
        rrule="FREQ=WEEKLY;BYDAY=MO", capacity_min=1, capacity_max=3,
    )  # fmt: skip
    Session.objects.filter(pk__in=[twin.pk, last.pk]).update(series=series)
    ann, ben, _cal = program.people
    Enrolment.objects.create(session=last, episode=ann, patient=ann.patient, source=Enrolment.Source.OPTIMIZER)
    Enrolment.objects.create(session=last, episode=ben, patient=ben.patient)  # booked by hand: not the planner's
    Appointment.objects.create(
        site=north, episode=ann, patient=ann.patient, clinician=lead, service="individual_therapy",
        start=at(north, LAST_WEEK, 17, 0), end=at(north, LAST_WEEK, 17, 50), source=Enrolment.Source.OPTIMIZER,
    )  # fmt: skip
    asked: list[optimizer.SolveOptions] = []
    solve_each = optimizer.solve_each

    def spy(problems: list[optimizer.Problem], options: optimizer.SolveOptions) -> Any:
        asked.append(options)
        return solve_each(problems, options)

    monkeypatch.setattr(optimizer, "solve_each", spy)

    north_week, south_week = planning.propose_weeks(
        actor=program.director, sites=[north, south], week_start=WEEK, time_limit=5, processes=2
    )

    (options,) = asked
    assert options.processes == 2 and options.relative_gap_limit == 0.001
    slot = f"series-{series.pk}@0-{18 * 60}"
    assert options.hint is not None and dict(options.hint.groups) == {str(ann.pk): frozenset({slot})}
    assert options.hint.individual == (optimizer.IndividualSlot(str(ann.pk), str(lead.pk), 0, 17 * 60, 17 * 60 + 50),)
    assert (north_week.site, south_week.site) == (north, south)
    assert north_week.status == WeekProposal.Status.DRAFT and north_week.meeting == 3
    assert twin.pk in north_week.group_plan()[ann.pk]
    assert south_week.status == WeekProposal.Status.DRAFT and south_week.episode_ids == []
