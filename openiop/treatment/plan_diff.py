# SPDX-License-Identifier: AGPL-3.0-or-later
"""Side-by-side comparison of two treatment-plan versions (pure).

Each plan item carries a lineage key that a revision copies, so an objective
whose wording changed is shown as one changed row, not a removal and an
addition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SAME = "same"
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"


@dataclass(frozen=True)
class Entry:
    section: str
    key: str
    text: str


@dataclass(frozen=True)
class Row:
    section: str
    left: str | None
    right: str | None
    change: str


def compare(old: Sequence[Entry], new: Sequence[Entry]) -> list[Row]:
    """Rows in section order (as first seen), the newer version's order
    within a section, items only in the older version after them."""
    sections: list[str] = []
    for entry in [*old, *new]:
        if entry.section not in sections:
            sections.append(entry.section)
    old_by_key = {(e.section, e.key): e for e in old}
    new_keys = {(e.section, e.key) for e in new}
    rows: list[Row] = []
    for section in sections:
        for entry in (e for e in new if e.section == section):
            before = old_by_key.get((section, entry.key))
            if before is None:
                rows.append(Row(section, None, entry.text, ADDED))
            else:
                rows.append(Row(section, before.text, entry.text, SAME if before.text == entry.text else CHANGED))
        for entry in (e for e in old if e.section == section):
            if (section, entry.key) not in new_keys:
                rows.append(Row(section, entry.text, None, REMOVED))
    return rows


def summary(rows: Sequence[Row]) -> dict[str, int]:
    counts = {SAME: 0, CHANGED: 0, ADDED: 0, REMOVED: 0}
    for row in rows:
        counts[row.change] += 1
    return counts
