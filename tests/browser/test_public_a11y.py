# SPDX-License-Identifier: AGPL-3.0-or-later
"""Automated accessibility checks (axe-core, WCAG 2.0/2.1 A and AA) on the
public site's pages, in a real Chromium, on a phone-sized and a desktop
screen."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from openiop.public.demo import ensure_reference_data
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    # axe-core is already on the page (the axe_page fixture loads it with every document).
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


@pytest.fixture
def public_data(transactional_db: None, north: Site) -> Site:
    # A transactional test starts from a flushed database: put back what the migration seeds.
    ensure_reference_data()
    Site.objects.filter(pk=north.pk).update(phone="617-555-0100")
    return north


@pytest.fixture(params=[(390, 844), (1280, 900)], ids=["phone", "desktop"])
def screen(request: Any, axe_page: Any) -> Any:
    width, height = request.param
    axe_page.set_viewport_size({"width": width, "height": height})
    return axe_page


def test_the_home_page_is_accessible(screen: Any, live_server: Any, public_data: Site) -> None:
    screen.goto(f"{live_server.url}{reverse('public:home')}")
    assert screen.locator("body > .crisis-banner, body > aside.crisis-banner").count() == 1
    assert_accessible(screen)


def test_the_self_check_and_its_at_risk_result_are_accessible(screen: Any, live_server: Any, public_data: Site) -> None:
    screen.goto(f"{live_server.url}{reverse('public:self_check')}")
    assert_accessible(screen)
    questions = screen.locator("fieldset")
    for index in range(questions.count()):
        questions.nth(index).get_by_label("No", exact=True).check()
    suicide = screen.get_by_role("group", name="Are you having thoughts of suicide or of hurting yourself?")
    suicide.get_by_label("Yes", exact=True).check()
    # The guidance appears at once, before the form is sent.
    screen.locator('[data-safety-alert="suicide"][role="alert"]').wait_for()
    assert_accessible(screen)
    screen.get_by_role("button", name="See my result").click()
    alert = screen.get_by_role("alert").first
    alert.wait_for()
    assert "988" in alert.inner_text()
    assert_accessible(screen)


def test_the_cost_estimate_is_accessible(screen: Any, live_server: Any, public_data: Site) -> None:
    screen.goto(f"{live_server.url}{reverse('public:cost')}")
    assert_accessible(screen)
    screen.get_by_label("Your ZIP code").fill("02108")
    screen.get_by_label("Hours per day").fill("30")
    screen.get_by_role("button", name="Estimate my cost").click()
    screen.get_by_text("Enter 12 hours a day or fewer.").wait_for()
    assert_accessible(screen)
    screen.get_by_label("Hours per day").fill("3")
    screen.get_by_label("Insurance:", exact=True).select_option("private")
    screen.get_by_label("Already met this year").check()
    screen.get_by_label("Coinsurance (%)").fill("20")
    screen.get_by_label("People in your household").fill("3")
    screen.get_by_label("Household income per year ($)").fill("40000")
    screen.get_by_role("button", name="Estimate my cost").click()
    screen.get_by_role("heading", name="Your estimate").wait_for()
    assert screen.get_by_test_id("share-range").inner_text().startswith("$")
    screen.get_by_test_id("sliding-scale").wait_for()
    assert_accessible(screen)


def test_the_call_back_form_and_its_confirmation_are_accessible(
    screen: Any, live_server: Any, public_data: Site
) -> None:
    screen.goto(f"{live_server.url}{reverse('public:call_back')}?site=north")
    assert_accessible(screen)
    screen.get_by_role("button", name="Ask for a call back").click()
    screen.get_by_text("Tell us what to call you.").wait_for()
    assert_accessible(screen)
    screen.get_by_label("Your name").fill("Ana Test")
    screen.get_by_label("Phone number").fill("617-555-0142")
    screen.get_by_label("I agree that the program may call, text or email me about this request.").check()
    screen.get_by_role("button", name="Ask for a call back").click()
    screen.get_by_role("heading", name="Thank you. We have your request.").wait_for()
    assert "Ana" not in screen.content()
    assert_accessible(screen)


def test_the_keyboard_reaches_the_skip_link_first_and_focus_is_visible(
    page: Any, live_server: Any, public_data: Site
) -> None:
    page.goto(f"{live_server.url}{reverse('public:home')}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the 988 link in the crisis banner, then 911
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_the_directory_pages_are_accessible(screen: Any, live_server: Any, public_data: Site) -> None:
    try:
        search_url = reverse("directory:search")
    except NoReverseMatch:
        pytest.fail("the directory (helper A) has no search page yet")
    screen.goto(f"{live_server.url}{search_url}")
    assert_accessible(screen)
    screen.goto(f"{live_server.url}{search_url}?zip=02108&radius=25")
    assert_accessible(screen)
    screen.get_by_role("link", name="North Site").click()
    screen.get_by_role("heading", name="North Site", level=1).wait_for()
    assert_accessible(screen)


def test_the_language_switch_gives_an_accessible_spanish_page_with_the_crisis_line(
    axe_page: Any, live_server: Any, public_data: Site
) -> None:
    page = axe_page
    page.goto(f"{live_server.url}{reverse('public:home')}")
    page.get_by_role("button", name="Español").click()
    page.get_by_text("¿En crisis o pensando en el suicidio?").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Encontrar un IOP cerca de mí").count() >= 1
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    page.get_by_text("In crisis or thinking about suicide?").wait_for()


def test_the_coverage_check_form_and_the_public_404_page_are_accessible(
    screen: Any, live_server: Any, public_data: Site
) -> None:
    screen.goto(f"{live_server.url}{reverse('public:coverage_check')}?site=north")
    screen.get_by_label("Someone else", exact=True).check()
    screen.get_by_label("A spouse's or partner's").check()
    screen.get_by_role("button", name="Ask us to check my coverage").click()
    screen.get_by_text("Give the policyholder's name, as on the insurance card.").wait_for()
    assert screen.get_by_label("A spouse's or partner's").is_checked()  # the answers are kept
    assert_accessible(screen)
    screen.goto(f"{live_server.url}/help/no-such-page/")
    screen.get_by_role("heading", name="We could not find that page").wait_for()
    assert_accessible(screen)
