# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week-planning problem as plain data, and its validation.

Times are minutes after local midnight on a day of the week (0 = Monday), in
the site's own time zone; the caller turns them into datetimes for a given
week. A window never crosses midnight (split it in two).

Validation collects every problem it finds and raises one ``ProblemError``
listing them all, so staff fix their input in one pass. Overlapping or
touching availability windows of one patient (or clinician, or site) are
MERGED rather than refused: "free 9-13" and "free 12-17" simply mean "free
9-17", and refusing them would only make staff retype the same thing.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from openiop.scheduling.catalog import MATRIX_WEEKS, Topic, matrix_topics

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_MINUTES = 24 * 60


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_text(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:g} h" if hours == int(hours) else f"{hours:.1f} h"


@dataclass(frozen=True, order=True)
class Window:
    """[start, end) minutes after local midnight on ``day`` (0 = Monday)."""

    day: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"{DAY_NAMES[self.day]} {clock(self.start)}-{clock(self.end)}"

    def contains(self, day: int, start: int, end: int) -> bool:
        return self.day == day and self.start <= start and end <= self.end

    def problem(self) -> str | None:
        if not 0 <= self.day <= 6:
            return f"day {self.day} is not a day of the week (0 = Monday ... 6 = Sunday)"
        if not 0 <= self.start < self.end <= DAY_MINUTES:
            return f"{self.start}-{self.end} is not a time range within one day (start before end, 0-1440 minutes)"
        return None


def merge_windows(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Sort, then merge overlapping or touching windows of the same day."""
    merged: list[Window] = []
    for window in sorted(windows):
        last = merged[-1] if merged else None
        if last is not None and last.day == window.day and window.start <= last.end:
            merged[-1] = Window(last.day, last.start, max(last.end, window.end))
        else:
            merged.append(window)
    return tuple(merged)


def fits(windows: Iterable[Window], day: int, start: int, end: int) -> bool:
    return any(w.day == day and w.start <= start and end <= w.end for w in windows)


class Track(enum.Enum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    WEEKEND = "weekend"


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    opening: tuple[Window, ...]  # opening hours for the week


@dataclass(frozen=True)
class GroupSession:
    """One meeting of a group next week. ``id`` names the recurring slot (the
    same id every week), which is how last week's cohort is recognised."""

    id: str
    site: str
    day: int
    start: int
    end: int
    topic: Topic
    track: Track
    min_size: int
    max_size: int
    room: str
    facilitator: str

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def window(self) -> Window:
        return Window(self.day, self.start, self.end)

    def __str__(self) -> str:
        return f"{self.topic.label} {self.window}"


@dataclass(frozen=True)
class Clinician:
    """``caseload``: most patients this clinician sees individually in the week."""

    id: str
    site: str
    name: str
    availability: tuple[Window, ...]
    caseload: int


@dataclass(frozen=True)
class Patient:
    """``min_minutes``/``max_minutes``: the weekly band from the treatment plan.
    ``individual_sessions`` of ``individual_minutes`` each, with ``clinician``
    (or any clinician of the site when None). ``matrix_week``: program week in
    the Matrix Model (1-16) or None. ``last_week``: session ids attended last
    week, kept where possible."""

    id: str
    site: str
    availability: tuple[Window, ...]
    min_minutes: int
    max_minutes: int
    individual_sessions: int = 0
    individual_minutes: int = 50
    clinician: str | None = None
    matrix_week: int | None = None
    last_week: frozenset[str] = frozenset()
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.id

    @property
    def matrix_topics(self) -> dict[Topic, int]:
        return matrix_topics(self.matrix_week) if self.matrix_week is not None else {}


@dataclass(frozen=True)
class Problem:
    """Next week's sessions, clinicians and patients for one or more sites.
    ``slot_step``: individual appointments start on this grid (minutes)."""

    sites: tuple[Site, ...]
    sessions: tuple[GroupSession, ...]
    clinicians: tuple[Clinician, ...]
    patients: tuple[Patient, ...]
    slot_step: int = 30
    _index: dict[str, dict[str, object]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def site(self, site_id: str) -> Site:
        return self._lookup("sites", self.sites, site_id)  # type: ignore[return-value]

    def session(self, session_id: str) -> GroupSession:
        return self._lookup("sessions", self.sessions, session_id)  # type: ignore[return-value]

    def clinician(self, clinician_id: str) -> Clinician:
        return self._lookup("clinicians", self.clinicians, clinician_id)  # type: ignore[return-value]

    def patient(self, patient_id: str) -> Patient:
        return self._lookup("patients", self.patients, patient_id)  # type: ignore[return-value]

    def _lookup(self, kind: str, rows: Iterable[Site | GroupSession | Clinician | Patient], key: str) -> object:
        if kind not in self._index:
            self._index[kind] = {row.id: row for row in rows}
        try:
            return self._index[kind][key]
        except KeyError:
            raise KeyError(f"unknown {kind[:-1]} {key!r}") from None

    def sessions_at(self, site_id: str) -> tuple[GroupSession, ...]:
        if "sessions_at" not in self._index:
            grouped: dict[str, list[GroupSession]] = {}
            for session in self.sessions:
                grouped.setdefault(session.site, []).append(session)
            self._index["sessions_at"] = {key: tuple(value) for key, value in grouped.items()}
        return self._index["sessions_at"].get(site_id, ())  # type: ignore[return-value]

    def clinicians_at(self, site_id: str) -> tuple[Clinician, ...]:
        if "clinicians_at" not in self._index:
            grouped: dict[str, list[Clinician]] = {}
            for clinician in self.clinicians:
                grouped.setdefault(clinician.site, []).append(clinician)
            self._index["clinicians_at"] = {key: tuple(value) for key, value in grouped.items()}
        return self._index["clinicians_at"].get(site_id, ())  # type: ignore[return-value]

    def for_site(self, site_id: str) -> Problem:
        return Problem(
            sites=tuple(site for site in self.sites if site.id == site_id),
            sessions=self.sessions_at(site_id),
            clinicians=self.clinicians_at(site_id),
            patients=tuple(p for p in self.patients if p.site == site_id),
            slot_step=self.slot_step,
        )


class ProblemError(ValueError):
    """The input cannot be planned as given; ``messages`` says why, one line each."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(key for key, count in Counter(ids).items() if count > 1)


def validate(problem: Problem) -> Problem:
    """Check ``problem`` and return it with availability and opening windows
    merged. Raises ProblemError listing every problem found."""
    errors: list[str] = []
    if problem.slot_step <= 0:
        errors.append("The appointment grid step must be a positive number of minutes.")
    for kind, rows in (
        ("site", problem.sites),
        ("session", problem.sessions),
        ("clinician", problem.clinicians),
        ("patient", problem.patients),
    ):
        for duplicate in _duplicates(row.id for row in rows):
            errors.append(f"The {kind} id {duplicate!r} is used more than once.")

    sites: dict[str, Site] = {}
    for site in problem.sites:
        for window in site.opening:
            if (issue := window.problem()) is not None:
                errors.append(f"Site {site.name}: opening hours {issue}.")
        sites[site.id] = replace(site, opening=merge_windows(site.opening))

    for session in problem.sessions:
        label = f"Session {session.id} ({session})"
        host = sites.get(session.site)
        if host is None:
            errors.append(f"{label}: unknown site {session.site!r}.")
            continue
        if (issue := session.window.problem()) is not None:
            errors.append(f"{label}: {issue}.")
            continue
        if not fits(host.opening, session.day, session.start, session.end):
            opening = [str(w) for w in host.opening if w.day == session.day]
            errors.append(
                f"{label} is outside {host.name}'s opening hours on {DAY_NAMES[session.day]} "
                f"({', '.join(opening) if opening else 'closed that day'})."
            )
        if session.min_size < 1:
            errors.append(f"{label}: the minimum group size must be at least 1.")
        if session.max_size < session.min_size:
            errors.append(f"{label}: capacity {session.max_size} is below the minimum group size {session.min_size}.")

    clinicians: dict[str, Clinician] = {}
    for clinician in problem.clinicians:
        if clinician.site not in sites:
            errors.append(f"Clinician {clinician.name}: unknown site {clinician.site!r}.")
        if clinician.caseload < 0:
            errors.append(f"Clinician {clinician.name}: the caseload limit cannot be negative.")
        for window in clinician.availability:
            if (issue := window.problem()) is not None:
                errors.append(f"Clinician {clinician.name}: availability {issue}.")
        clinicians[clinician.id] = replace(clinician, availability=merge_windows(clinician.availability))

    patients: list[Patient] = []
    for patient in problem.patients:
        label = f"Patient {patient.name}"
        if patient.site not in sites:
            errors.append(f"{label}: unknown site {patient.site!r}.")
        for window in patient.availability:
            if (issue := window.problem()) is not None:
                errors.append(f"{label}: availability {issue}.")
        if patient.min_minutes < 0 or patient.max_minutes < patient.min_minutes:
            errors.append(
                f"{label}: the weekly hours band {hours_text(patient.min_minutes)}-{hours_text(patient.max_minutes)}"
                " is not a valid range."
            )
        if patient.individual_sessions < 0 or patient.individual_minutes <= 0:
            errors.append(f"{label}: individual sessions need a count of 0 or more and a positive length.")
        if patient.individual_sessions > 7:
            errors.append(f"{label}: at most one individual session a day (7 a week) can be planned.")
        if patient.clinician is not None:
            clinician_row = clinicians.get(patient.clinician)
            if clinician_row is None:
                errors.append(f"{label}: unknown clinician {patient.clinician!r}.")
            elif clinician_row.site != patient.site:
                errors.append(f"{label}: clinician {clinician_row.name} works at another site.")
        if patient.matrix_week is not None and not 1 <= patient.matrix_week <= MATRIX_WEEKS:
            errors.append(f"{label}: Matrix Model week must be between 1 and {MATRIX_WEEKS}.")
        patients.append(replace(patient, availability=merge_windows(patient.availability)))

    if errors:
        raise ProblemError(errors)
    return Problem(
        sites=tuple(sites.values()),
        sessions=problem.sessions,
        clinicians=tuple(clinicians.values()),
        patients=tuple(patients),
        slot_step=problem.slot_step,
    )


# --- Solutions -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class IndividualSlot:
    patient: str
    clinician: str
    day: int
    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def window(self) -> Window:
        return Window(self.day, self.start, self.end)


@dataclass(frozen=True)
class Schedule:
    """A week's plan: group sessions per patient and individual appointments.
    A session with no members does not run (it is cancelled)."""

    groups: Mapping[str, frozenset[str]]
    individual: tuple[IndividualSlot, ...] = ()
    # Indexes built once: a program-wide week has thousands of patients.
    _by_patient: dict[str, tuple[IndividualSlot, ...]] = field(init=False, repr=False, compare=False)
    _members: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_clinician: dict[str, list[IndividualSlot]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_patient: dict[str, list[IndividualSlot]] = {}
        by_clinician: dict[str, list[IndividualSlot]] = {}
        for slot in self.individual:
            by_patient.setdefault(slot.patient, []).append(slot)
            by_clinician.setdefault(slot.clinician, []).append(slot)
        object.__setattr__(self, "_by_clinician", by_clinician)
        object.__setattr__(self, "_by_patient", {key: tuple(value) for key, value in by_patient.items()})
        counts: Counter[str] = Counter()
        for sessions in self.groups.values():
            counts.update(sessions)
        object.__setattr__(self, "_members", dict(counts))

    def sessions_of(self, patient_id: str) -> frozenset[str]:
        return self.groups.get(patient_id, frozenset())

    def individual_of(self, patient_id: str) -> tuple[IndividualSlot, ...]:
        return self._by_patient.get(patient_id, ())

    def members(self) -> dict[str, int]:
        return dict(self._members)

    def individual_with(self, clinician_id: str) -> tuple[IndividualSlot, ...]:
        return tuple(self._by_clinician.get(clinician_id, ()))

    def patients_of(self, clinician_id: str) -> set[str]:
        """Patients with an individual appointment with this clinician (their caseload this week)."""
        return {slot.patient for slot in self._by_clinician.get(clinician_id, ())}

    def merged(self, other: Schedule) -> Schedule:
        """This schedule with ``other``'s patients added (sites never share patients)."""
        return combine([self, other])

    def without(self, patient_id: str) -> Schedule:
        groups = {key: value for key, value in self.groups.items() if key != patient_id}
        return Schedule(groups, tuple(slot for slot in self.individual if slot.patient != patient_id))


def combine(parts: Iterable[Schedule]) -> Schedule:
    """One schedule from several with disjoint patients (one per site)."""
    groups: dict[str, frozenset[str]] = {}
    individual: list[IndividualSlot] = []
    for part in parts:
        groups.update(part.groups)
        individual.extend(part.individual)
    return Schedule(groups, tuple(sorted(individual)))


EMPTY_SCHEDULE = Schedule({})
