# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public site end to end: a person finds one of our sites by ZIP code,
asks for a call back, and the site's navigator sees the request on the
admissions board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.admissions.models import Channel, Inquiry
from openiop.core.roles import RoleCode
from openiop.public.demo import ensure_reference_data
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_by_zip_open_our_site_ask_for_a_call_back_and_the_navigator_sees_it(
    page: Any, live_server: Any, north: Site, persona: Callable[..., User]
) -> None:
    ensure_reference_data()
    persona(RoleCode.ADMISSIONS_NAVIGATOR, username="nina")
    base = live_server.url

    # A person looking for help, on the public site.
    page.goto(f"{base}/help/")
    page.get_by_role("link", name="Find an IOP near me").first.click()
    page.get_by_label("ZIP code").fill("02108")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="North Site").click()
    page.get_by_role("heading", name="North Site", level=1).wait_for()
    # The facility page styles the link as a button (role="button").
    page.get_by_role("button", name="Ask us to call you back").click()
    assert page.get_by_label("Which location?").input_value() == "north"
    page.get_by_label("Your name").fill("Jordan Rivera")
    page.get_by_label("Phone number").fill("617-555-0177")
    page.get_by_label("Best time to reach you").select_option("evening")
    page.get_by_label("I agree that the program may call, text or email me about this request.").check()
    page.get_by_role("button", name="Ask for a call back").click()
    page.get_by_role("heading", name="Thank you. We have your request.").wait_for()
    assert "Jordan" not in page.content()

    inquiry = Inquiry.objects.get()
    assert (inquiry.site_id, inquiry.channel, inquiry.stage) == (north.pk, Channel.WEBSITE, "new")

    # The navigator signs in and finds it waiting.
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    section = page.get_by_test_id("public-requests")
    section.wait_for()
    assert "Jordan Rivera" in section.inner_text()
    page.goto(f"{base}/admissions/")
    page.get_by_role("link", name="Jordan Rivera").first.wait_for()
