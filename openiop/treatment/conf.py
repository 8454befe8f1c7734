# SPDX-License-Identifier: AGPL-3.0-or-later
"""Configurable treatment rules, read from settings with the defaults below.

``OPENIOP_PLAN_REVIEW_DAYS``: a signed plan is due for review this many days
after signing (default 30). ``OPENIOP_NOTE_LATE_HOURS``: a note signed more
than this many hours after its session ended is flagged as a late entry
(default 72).
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_PLAN_REVIEW_DAYS = 30
DEFAULT_NOTE_LATE_HOURS = 72


def plan_review_days() -> int:
    return int(getattr(settings, "OPENIOP_PLAN_REVIEW_DAYS", DEFAULT_PLAN_REVIEW_DAYS))


def note_late_hours() -> int:
    return int(getattr(settings, "OPENIOP_NOTE_LATE_HOURS", DEFAULT_NOTE_LATE_HOURS))
