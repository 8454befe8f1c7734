# SPDX-License-Identifier: AGPL-3.0-or-later
"""Why a patient's week does not reach their plan, in words staff can act on:
"scheduled 6 h of the 9-19 h band; available only Tue/Thu evenings; evening
groups full".

Each reason is checked against the schedule, not guessed: a track is called
full only when every group of that track that fits the patient is at capacity.
"""

from __future__ import annotations

from collections import defaultdict

from openiop.scheduling.optimizer.instance import best_disjoint_minutes, candidate_slots, patient_minutes
from openiop.scheduling.optimizer.model import DAY_NAMES, GroupSession, Patient, Problem, Schedule, Window, hours_text

PARTS = (("mornings", 0, 12 * 60), ("afternoons", 12 * 60, 17 * 60), ("evenings", 17 * 60, 24 * 60))
# A window must cover this much of a part of the day to count as "free that part".
PART_MINUTES = 60


def describe_availability(windows: tuple[Window, ...]) -> str:
    """ "Tue/Thu evenings, Sat mornings and afternoons"."""
    parts_by_day: dict[int, list[str]] = defaultdict(list)
    for day in range(7):
        for name, low, high in PARTS:
            covered = sum(max(0, min(w.end, high) - max(w.start, low)) for w in windows if w.day == day)
            if covered >= min(PART_MINUTES, high - low):
                parts_by_day[day].append(name)
    if not parts_by_day:
        return "no availability"
    days_by_parts: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for day, parts in sorted(parts_by_day.items()):
        days_by_parts[tuple(parts)].append(day)
    phrases = []
    for day_parts, days in sorted(days_by_parts.items(), key=lambda item: item[1][0]):
        when = "all day" if len(day_parts) == len(PARTS) else " and ".join(day_parts)
        phrases.append(f"{'/'.join(DAY_NAMES[d] for d in days)} {when}")
    return ", ".join(phrases)


def _is_narrow(windows: tuple[Window, ...]) -> bool:
    return sum(w.end - w.start for w in windows) < 30 * 60


def explain(problem: Problem, schedule: Schedule, patient: Patient) -> list[str]:
    """Reasons ``patient``'s week misses their plan (hours band, individual
    sessions, Matrix groups); empty when it does not miss it."""
    reasons: list[str] = []
    minutes = patient_minutes(problem, schedule, patient.id)
    band = f"{hours_text(patient.min_minutes)}-{hours_text(patient.max_minutes)}"
    availability = describe_availability(patient.availability)
    sessions = problem.sessions_at(patient.site)
    fitting = [s for s in sessions if any(w.contains(s.day, s.start, s.end) for w in patient.availability)]
    members = schedule.members()
    mine = schedule.sessions_of(patient.id)
    slots = schedule.individual_of(patient.id)
    topics = {topic: sum(1 for s in mine if problem.session(s).topic is topic) for topic in patient.matrix_topics}
    short_topics = {topic: need for topic, need in patient.matrix_topics.items() if topics[topic] < need}
    short_hours = minutes < patient.min_minutes
    short_individual = len(slots) < patient.individual_sessions
    if not (short_hours or short_topics or short_individual):
        return []

    if short_hours:
        reasons.append(f"scheduled {hours_text(minutes)} of the {band} band")
    reasons.append(f"available {'only ' if _is_narrow(patient.availability) else ''}{availability}")
    if not fitting:
        reasons.append("no group fits their availability")
    elif short_hours:
        best = best_disjoint_minutes((s.day, s.start, s.end) for s in fitting)
        individual = patient.individual_sessions * patient.individual_minutes
        if best + individual < patient.min_minutes:
            reasons.append(
                f"every group that fits adds up to at most {hours_text(best)}"
                + (f" (plus {hours_text(individual)} individual)" if individual else "")
                + f", below the {hours_text(patient.min_minutes)} minimum"
            )
        else:
            reasons.extend(_blocked_tracks(problem, schedule, patient, fitting, members))

    for topic, need in short_topics.items():
        of_topic = [s for s in fitting if s.topic is topic]
        label = topic.label
        if not of_topic:
            reasons.append(f"no {label} group fits their availability (Matrix week {patient.matrix_week} needs {need})")
        elif all(members.get(s.id, 0) >= s.max_size for s in of_topic if s.id not in mine):
            reasons.append(f"the {label} groups that fit are full (Matrix week {patient.matrix_week} needs {need})")
        else:
            reasons.append(
                f"only {topics[topic]} of the {need} {label} groups Matrix week {patient.matrix_week} needs could be "
                "placed around their other sessions"
            )

    if short_individual:
        reasons.append(_individual_reason(problem, schedule, patient))
    if len(reasons) == (2 if short_hours else 1):
        reasons.append("the seats that fit went to patients with fewer alternatives")
    return reasons


def _blocked_tracks(
    problem: Problem, schedule: Schedule, patient: Patient, fitting: list[GroupSession], members: dict[str, int]
) -> list[str]:
    mine = schedule.sessions_of(patient.id)
    busy = [problem.session(s).window for s in mine] + [slot.window for slot in schedule.individual_of(patient.id)]
    by_track: dict[str, list[str]] = defaultdict(list)
    for session in fitting:
        if session.id in mine:
            continue
        count = members.get(session.id, 0)
        if count >= session.max_size:
            state = "full"
        elif count == 0:
            state = "cancelled"
        elif any(w.day == session.day and w.start < session.end and session.start < w.end for w in busy):
            state = "clash"
        else:
            state = "open"
        by_track[session.track.value].append(state)
    reasons = []
    for track, states in by_track.items():
        if "open" in states or set(states) == {"clash"}:
            continue
        blocked = {state for state in states if state != "clash"}
        if blocked == {"full"}:
            reasons.append(f"{track} groups full")
        elif blocked == {"cancelled"}:
            reasons.append(f"{track} groups that fit are not running (too few members)")
        else:
            reasons.append(f"{track} groups full or not running")
    open_sessions = [
        (s.day, s.start, s.end)
        for s in fitting
        if s.id not in mine
        and 0 < members.get(s.id, 0) < s.max_size
        and not any(w.day == s.day and w.start < s.end and s.start < w.end for w in busy)
    ]
    if open_sessions:
        extra = best_disjoint_minutes(open_sessions)
        reasons.append(f"the groups that fit and still have seats would add only {hours_text(extra)}")
    return reasons


def _individual_reason(problem: Problem, schedule: Schedule, patient: Patient) -> str:
    clinicians = list(problem.clinicians_at(patient.site))
    possible = candidate_slots(problem, patient, clinicians)
    who = problem.clinician(patient.clinician).name if patient.clinician is not None else "any clinician"
    if not possible:
        return f"no time with {who} fits their availability"
    candidates = {slot.clinician for slot in possible}
    full = [c.name for c in clinicians if c.id in candidates and len(schedule.patients_of(c.id)) >= c.caseload]
    if full and len(full) == len(candidates):
        return f"{', '.join(full)}: caseload full"
    if patient.clinician is None:
        return "every clinician's free time that matches theirs is booked"
    return f"{who}'s free times that match theirs are all booked"
