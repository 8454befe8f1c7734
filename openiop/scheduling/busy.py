# SPDX-License-Identifier: AGPL-3.0-or-later
"""Time that other apps book for a clinician or a room, outside scheduling's
own sessions and appointments (an intake assessment booked on an inquiry).

Scheduling must not import those apps (they sit beside it, and some already
import scheduling), so each registers a source from its ``apps.py`` ready().
The conflict checks refuse an overlap with a block, naming it, and the
calendar draws blocks as read-only events. A block's label is what any staff
member with the calendar may read: a kind of booking and initials at most,
never a clinical detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BusyBlock:
    key: str  # unique across sources, e.g. "inquiry-12": lets a re-booking leave its own block out
    kind: str  # e.g. "intake_assessment"
    label: str  # e.g. "Intake assessment · A.B."
    start: dt.datetime
    end: dt.datetime
    site_id: int
    clinician_id: int | None
    room_id: int | None
    url: str = ""  # where the booking is managed; shown only to whoever holds url_action
    url_action: str = ""

    # The schedule table tells a block from a session or an appointment by this.
    is_busy_block = True


class BusySource(Protocol):
    def __call__(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        clinician_ids: Collection[int] | None = None,
        room_ids: Collection[int] | None = None,
        site_id: int | None = None,
    ) -> list[BusyBlock]: ...


_SOURCES: list[Callable[..., list[BusyBlock]]] = []


def register_busy_source(source: BusySource) -> None:
    """Add SOURCE (once, however often ready() runs)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def busy_blocks(
    start: dt.datetime,
    end: dt.datetime,
    *,
    clinician_ids: Collection[int] | None = None,
    room_ids: Collection[int] | None = None,
    site_id: int | None = None,
    exclude_key: str = "",
) -> list[BusyBlock]:
    """Blocks overlapping START-END for any of CLINICIAN_IDS or ROOM_IDS
    (None: no filter on that side; both given: either matches), earliest first."""
    found: list[BusyBlock] = []
    for source in _SOURCES:
        found += source(start, end, clinician_ids=clinician_ids, room_ids=room_ids, site_id=site_id)
    return sorted(
        (block for block in found if block.key != exclude_key and block.start < end and block.end > start),
        key=lambda block: (block.start, block.key),
    )
