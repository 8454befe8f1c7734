# SPDX-License-Identifier: AGPL-3.0-or-later
"""The staff side on a phone (the design system's layout, base.html,
openiop.css and openiop.js): the menu folds behind a "Menu" button that opens
it, a wide table scrolls inside its own box while the page does not scroll
sideways, and the page passes axe's WCAG 2.1 AA checks at that size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def test_on_a_phone_the_menu_folds_into_a_button_and_a_wide_table_scrolls_in_its_box(
    browser: Any, live_server: Any, north: Site, persona: Callable[..., User]
) -> None:
    persona(RoleCode.CLINICIAN, username="carla")
    for last_name in ("Quinn", "Okonkwo-Vasquez"):
        register(north, legal_first_name="Roberta", legal_last_name=last_name)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.add_init_script(path=str(Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"))
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        page.goto(f"{live_server.url}/")
        page.get_by_label("Username").fill("carla")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Sign out carla").wait_for()
        page.goto(f"{live_server.url}{reverse('patients:list')}")

        main_menu = page.get_by_role("navigation", name="Main")
        patients_link = main_menu.get_by_role("link", name="Patients")
        menu_button = main_menu.get_by_role("button", name="Menu")
        assert menu_button.is_visible() and menu_button.get_attribute("aria-expanded") == "false"
        assert not patients_link.is_visible()
        menu_button.click()
        assert menu_button.get_attribute("aria-expanded") == "true"
        assert patients_link.is_visible()
        page.keyboard.press("Escape")
        assert not patients_link.is_visible()

        # The patient list is wider than the phone: its box scrolls, the page does not.
        table = page.locator("main table").first
        table.get_by_text("Okonkwo-Vasquez", exact=False).wait_for()
        box = table.locator("xpath=..")
        assert "table-scroll" in (box.get_attribute("class") or "")
        assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
        assert box.get_attribute("tabindex") == "0"  # keyboard users can scroll it too
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
    finally:
        context.close()
    assert refused == []
