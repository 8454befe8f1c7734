# SPDX-License-Identifier: AGPL-3.0-or-later
"""Last week's published week, read for the planner's warm start.

What the planner placed last week (source "optimizer") at the site, as the
optimizer's plain data: group enrolments by their recurring slot id (the same
id this week when the series still meets at that weekday and time) and
individual appointments by clinician, weekday and time. The optimizer keeps
what still holds (``optimizer.carry_over``) and starts from it.
"""

from __future__ import annotations

from collections import defaultdict

from openiop.scheduling import optimizer, selectors
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import Appointment, Enrolment, SessionStatus
from openiop.scheduling.planning.problem import OPTIMIZER, Built, local_window, slot_id


def published_last_week(built: Built) -> optimizer.Schedule:
    """The week before BUILT's as the planner published it, for its patients."""
    site = built.site
    start, end = selectors.week_range(site, IsoWeek.of(built.week_start).shifted(-1))
    episodes = [int(key) for key in built.episodes]
    groups: dict[str, set[str]] = defaultdict(set)
    for enrolment in Enrolment.objects.filter(
        episode_id__in=episodes,
        source=OPTIMIZER,
        session__site=site,
        session__status=SessionStatus.SCHEDULED,
        session__start__gte=start,
        session__start__lt=end,
    ).select_related("session__site"):
        groups[str(enrolment.episode_id)].add(slot_id(enrolment.session))
    individual = []
    for appointment in Appointment.objects.filter(
        episode_id__in=episodes,
        source=OPTIMIZER,
        site=site,
        status=SessionStatus.SCHEDULED,
        start__gte=start,
        start__lt=end,
    ).select_related("site"):
        window = local_window(site, appointment.start, appointment.end)
        individual.append(
            optimizer.IndividualSlot(
                str(appointment.episode_id), str(appointment.clinician_id), window.day, window.start, window.end
            )
        )
    return optimizer.Schedule({key: frozenset(value) for key, value in groups.items()}, tuple(sorted(individual)))
