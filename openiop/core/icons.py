# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tabler icons (MIT, npm ``@tabler/icons``) drawn inline from node_modules.

Inline SVG rather than an <img> or a sprite: it takes the text colour
(``currentColor``), costs one small element instead of a request for a sprite
of five thousand icons, and needs nothing from the Content-Security-Policy.
An icon is always decoration beside words that say the same thing, so it is
hidden from assistive technology; a status is never an icon or a colour alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings

ICON_DIRECTORY = Path(settings.BASE_DIR) / "node_modules" / "@tabler" / "icons" / "icons" / "outline"
_ICON_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SVG_OPEN_TAG = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLANK_PATH = re.compile(r"<path stroke=\"none\" d=\"M0 0h24v24H0z\" fill=\"none\"\s*/>")
_OPEN_TAG = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="icon" width="1em" height="1em" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
    'aria-hidden="true" focusable="false">'
)

# The staff menu's icons, by the entry's URL name (apps register entries
# without knowing about icons; an entry not listed here simply has none).
NAV_ICONS: dict[str, str] = {
    "core:dashboard": "layout-dashboard",
    "patients:list": "users",
    "admissions:board": "user-plus",
    "assessments:alerts": "alert-triangle",
    "treatment:group_list": "notes",
    "scheduling:calendar": "calendar-event",
    "scheduling:hours": "clock-hour-4",
    "privacy:break_glass": "lock-open",
    "billing:workspace": "file-invoice",
    "billing:fees": "receipt",
    "estimates:due": "calculator",
    "assistance:funds": "heart-handshake",
    "reports:index": "report-analytics",
    "sites:list": "building-hospital",
    "sites:staff": "id-badge-2",
    "accounts:permission_matrix": "shield-lock",
    "privacy:overview": "shield-check",
    "audit:events": "history",
    "directory:import": "file-import",
}

# Message levels (django.contrib.messages tags) to an icon and the word a
# screen reader hears first, so the kind of message never rests on colour.
MESSAGE_ICONS: dict[str, str] = {
    "success": "circle-check",
    "error": "alert-circle",
    "warning": "alert-triangle",
    "info": "info-circle",
    "debug": "info-circle",
}


@lru_cache(maxsize=256)
def icon_svg(name: str) -> str:
    """The icon's SVG markup, or an empty string for an unknown name (a missing
    icon must never break a page; the words beside it carry the meaning)."""
    if not _ICON_NAME.match(name):
        return ""
    try:
        source = (ICON_DIRECTORY / f"{name}.svg").read_text(encoding="utf-8")
    except OSError:
        return ""
    source = _BLANK_PATH.sub("", _COMMENT.sub("", source))
    body = _SVG_OPEN_TAG.sub(_OPEN_TAG, source, count=1)
    return " ".join(body.split())
