# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the allergy list says, in one line for the banner. Plain Python.

Three states must never look alike: allergies listed; "no known allergies"
stated by someone who asked; and nothing recorded (nobody asked yet). An entry
marked entered in error counts for nothing. A listed allergy outranks an
earlier "no known allergies": the statement was true when made, and the
allergy found since is what matters now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

LISTED = "listed"
NONE_KNOWN = "none_known"
NOT_RECORDED = "not_recorded"

# Most dangerous first, so the banner's first words are the ones that matter.
SEVERITY_ORDER = ("severe", "moderate", "mild", "unknown")


@dataclass(frozen=True)
class Entry:
    """One row of the list, as this module reads it."""

    substance: str
    reaction: str
    severity: str
    severity_label: str
    no_known_allergies: bool
    noted_at: dt.datetime
    entered_in_error: bool = False


@dataclass(frozen=True)
class AllergyBanner:
    status: str  # LISTED, NONE_KNOWN or NOT_RECORDED
    allergies: tuple[Entry, ...] = ()  # most severe first
    none_known_noted_at: dt.datetime | None = None

    @property
    def is_listed(self) -> bool:
        return self.status == LISTED

    @property
    def text(self) -> str:
        if self.status == LISTED:
            return _("Allergies: %(list)s") % {"list": "; ".join(_describe(entry) for entry in self.allergies)}
        if self.status == NONE_KNOWN:
            return _("No known allergies")
        return _("Allergies not recorded")


def _describe(entry: Entry) -> str:
    details = ", ".join(part for part in (entry.reaction, entry.severity_label) if part)
    return f"{entry.substance} ({details})" if details else entry.substance


def _rank(entry: Entry) -> tuple[int, str]:
    severity = SEVERITY_ORDER.index(entry.severity) if entry.severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
    return severity, entry.substance.casefold()


def summarize(entries: Iterable[Entry]) -> AllergyBanner:
    current = [entry for entry in entries if not entry.entered_in_error]
    allergies = sorted((entry for entry in current if not entry.no_known_allergies), key=_rank)
    if allergies:
        return AllergyBanner(status=LISTED, allergies=tuple(allergies))
    statements = [entry.noted_at for entry in current if entry.no_known_allergies]
    if statements:
        return AllergyBanner(status=NONE_KNOWN, none_known_noted_at=max(statements))
    return AllergyBanner(status=NOT_RECORDED)
