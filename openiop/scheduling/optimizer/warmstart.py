# SPDX-License-Identifier: AGPL-3.0-or-later
"""Warm start: last week's published week, carried over to this one.

Group ids name the recurring slot (the same id every week) and individual
appointments are a clinician, a weekday and a time, so last week's plan reads
directly as a plan for this week. ``carry_over`` keeps only what still holds
for one site: patients still here, groups that still run and still fit their
availability, appointments that are still a candidate slot (same clinician,
day and time, inside everyone's hours), at most the planned number and one a
day. The greedy week completes it into a valid week and CP-SAT starts from
that (``SiteModel.hint``), so it begins at last week's good assignment
instead of searching for one.
"""

from __future__ import annotations

from openiop.scheduling.optimizer.instance import SiteInstance
from openiop.scheduling.optimizer.model import IndividualSlot, Schedule


def carry_over(instance: SiteInstance, last_week: Schedule) -> Schedule:
    """The part of LAST_WEEK that is still a valid choice at INSTANCE's site."""
    groups: dict[str, frozenset[str]] = {}
    individual: list[IndividualSlot] = []
    for patient_id, option in instance.options.items():
        fitting = {session.id for session in option.sessions}
        kept = frozenset(s for s in last_week.sessions_of(patient_id) if s in fitting)
        if kept:
            groups[patient_id] = kept
        candidates = set(option.slots)
        days: set[int] = set()
        for slot in sorted(last_week.individual_of(patient_id)):
            if len(days) >= option.patient.individual_sessions:
                break
            if slot in candidates and slot.day not in days:
                days.add(slot.day)
                individual.append(slot)
    return Schedule(groups, tuple(sorted(individual)))
