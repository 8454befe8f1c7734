# SPDX-License-Identifier: AGPL-3.0-or-later
"""The design system's template tags: ``{% icon "calendar-event" %}``,
``{% nav_icon item.url_name %}`` and ``{% message_icon message.tags %}``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from openiop.core.icons import MESSAGE_ICONS, NAV_ICONS, icon_svg

register = template.Library()


@register.simple_tag
def icon(name: str) -> SafeString:
    # Safe: the markup is read from the icon package's own files, and the
    # name is checked against [a-z0-9-] before it becomes a path.
    return mark_safe(icon_svg(name))


@register.simple_tag
def nav_icon(url_name: str) -> SafeString:
    return icon(NAV_ICONS.get(url_name, ""))


@register.simple_tag
def message_icon(tags: str) -> SafeString:
    level = next((tag for tag in tags.split() if tag in MESSAGE_ICONS), "info")
    return icon(MESSAGE_ICONS[level])
