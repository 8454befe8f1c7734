# SPDX-License-Identifier: AGPL-3.0-or-later
"""Seats against demand, before solving: a quick count per site and track that
tells staff in words where the week cannot work whatever the optimizer does
("evening track: 126 h of group time needed, 108 seat-hours offered").

Demand is what each patient still needs from groups to reach their band
minimum (minimum minus planned individual time). A patient whose fitting
groups all belong to one track counts against that track; everyone counts
against the site.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from openiop.scheduling.optimizer.model import Problem, Track, fits, hours_text


@dataclass(frozen=True)
class Shortfall:
    site: str
    track: Track | None  # None: the whole site
    patients: int
    demand_minutes: int
    seat_minutes: int
    text: str

    @property
    def short_minutes(self) -> int:
        return self.demand_minutes - self.seat_minutes


def seat_check(problem: Problem) -> list[Shortfall]:
    """Shortfalls per site and track (empty when seats cover demand)."""
    found: list[Shortfall] = []
    for site in problem.sites:
        sessions = problem.sessions_at(site.id)
        seats: dict[Track, int] = defaultdict(int)
        for session in sessions:
            seats[session.track] += session.max_size * session.minutes
        demand: dict[Track, int] = defaultdict(int)
        people: dict[Track, int] = defaultdict(int)
        total_demand, total_people, stranded = 0, 0, 0
        for patient in problem.patients:
            if patient.site != site.id:
                continue
            need = max(0, patient.min_minutes - patient.individual_sessions * patient.individual_minutes)
            if need == 0:
                continue
            tracks = {s.track for s in sessions if fits(patient.availability, s.day, s.start, s.end)}
            if not tracks:
                stranded += 1
                continue
            total_demand += need
            total_people += 1
            if len(tracks) == 1:
                (track,) = tracks
                demand[track] += need
                people[track] += 1
        for track in Track:
            if demand[track] > seats[track]:
                found.append(
                    Shortfall(
                        site.id,
                        track,
                        people[track],
                        demand[track],
                        seats[track],
                        f"{site.name}, {track.value} track: {people[track]} patients who can only come to "
                        f"{track.value} groups need {hours_text(demand[track])} of group time; {track.value} groups "
                        f"offer {hours_text(seats[track])} of seats "
                        f"({hours_text(demand[track] - seats[track])} short).",
                    )
                )
        all_seats = sum(seats.values())
        if total_demand > all_seats:
            found.append(
                Shortfall(
                    site.id,
                    None,
                    total_people,
                    total_demand,
                    all_seats,
                    f"{site.name}: {total_people} patients need {hours_text(total_demand)} of group time; all groups "
                    f"together offer {hours_text(all_seats)} of seats ({hours_text(total_demand - all_seats)} short).",
                )
            )
        if stranded:
            found.append(
                Shortfall(
                    site.id,
                    None,
                    stranded,
                    0,
                    0,
                    f"{site.name}: {stranded} patients fit no group at all in their availability.",
                )
            )
    return found
