# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pure rules of treatment planning and documentation (no Django, no database).

Planned hours per week, the ICD-10-CM code format, late entries, plan
review dates and the name check that keeps one group participant's name out
of another participant's chart. The level-of-care hours band lives with the
hours engine (``openiop.scheduling.hours.HoursBand``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MINUTES_PER_HOUR = Decimal(60)
HUNDREDTH = Decimal("0.01")

# --- Planned hours per week -------------------------------------------------


@dataclass(frozen=True)
class PlannedService:
    """One intervention as far as the hours arithmetic cares."""

    sessions_per_week: Decimal
    minutes: int


def weekly_minutes(services: Iterable[PlannedService]) -> Decimal:
    return sum((Decimal(s.sessions_per_week) * s.minutes for s in services), Decimal(0))


def planned_hours_per_week(services: Iterable[PlannedService]) -> Decimal:
    """Sum of sessions per week times minutes per session, in hours, rounded
    to the hundredth (3 x 180 min + 1 x 50 min = 9.83 h)."""
    return (weekly_minutes(services) / MINUTES_PER_HOUR).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# --- ICD-10-CM code format -----------------------------------------------------

# A letter (U is reserved for special purposes but used, e.g. U07.1), a digit,
# a digit or letter, then optionally a dot and one to four characters.
# F10.20 (alcohol dependence, uncomplicated), F11.20, F15.10, Z63.8.
ICD10_CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def normalise_icd10(code: str) -> str:
    """Upper-case, trimmed, with the dot put back after the third character
    when someone typed F1020 for F10.20."""
    code = code.strip().upper()
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


def is_icd10_cm(code: str) -> bool:
    return bool(ICD10_CM.match(code))


# --- Dates --------------------------------------------------------------------


def review_due(signed_on: dt.date, interval_days: int) -> dt.date:
    return signed_on + dt.timedelta(days=interval_days)


def is_late_entry(session_end: dt.datetime, signed_at: dt.datetime, late_after_hours: int) -> bool:
    """A note signed more than LATE_AFTER_HOURS after the session ended."""
    return signed_at - session_end > dt.timedelta(hours=late_after_hours)


def is_early_entry(session_end: dt.datetime, signed_at: dt.datetime) -> bool:
    """A note signed before its session ended: the signer must confirm and say why."""
    return signed_at < session_end


def minutes_between(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


# --- Names in shared text -------------------------------------------------------


@dataclass(frozen=True)
class PersonName:
    key: int  # whoever's id the caller wants back
    names: tuple[str, ...]  # first, preferred and last names


def _pattern(name: str) -> re.Pattern[str]:
    # Names as written (capitalised), as whole words: "Grace" the person,
    # not "grace" the word; "Lee" but not "Leeds".
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


def names_mentioned(text: str, people: Sequence[PersonName], *, min_length: int = 2) -> list[tuple[int, str]]:
    """(key, name) for every person whose first, preferred or last name
    appears in TEXT as a capitalised whole word."""
    found: list[tuple[int, str]] = []
    for person in people:
        for name in person.names:
            name = name.strip()
            if len(name) < min_length:
                continue
            if _pattern(name).search(text):
                found.append((person.key, name))
                break
    return found
