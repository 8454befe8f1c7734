# SPDX-License-Identifier: AGPL-3.0-or-later
"""The {% icon %} tag: Tabler's SVG inline, hidden from screen readers, and
nothing at all (never an error, never a file outside the icon set) for a
name it does not know."""

from __future__ import annotations

from django.template import Context, Template

from openiop.core.icons import NAV_ICONS, icon_svg


def test_an_icon_is_inline_svg_in_the_text_colour_hidden_from_assistive_technology() -> None:
    svg = icon_svg("calendar-event")
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert 'aria-hidden="true"' in svg and 'focusable="false"' in svg and 'stroke="currentColor"' in svg
    assert 'class="icon"' in svg and "icon-tabler" not in svg


def test_an_unknown_or_path_like_name_draws_nothing() -> None:
    assert icon_svg("no-such-icon-anywhere") == ""
    assert icon_svg("../../../package") == ""
    assert icon_svg("Calendar") == ""


def test_every_menu_entry_with_an_icon_names_one_that_exists() -> None:
    assert [name for name in NAV_ICONS.values() if not icon_svg(name)] == []


def test_the_template_tags_render_the_icon_for_a_menu_entry_and_a_message_level() -> None:
    html = Template('{% load openiop_ui %}{% nav_icon "patients:list" %}|{% message_icon "error" %}').render(Context())
    menu, message = html.split("|")
    assert menu == icon_svg("users") and message == icon_svg("alert-circle")
