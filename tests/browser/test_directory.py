# SPDX-License-Identifier: AGPL-3.0-or-later
"""The locator's two scripts in a real browser: "Use my location" and the
map. (Search by ZIP, the facility page and accessibility are driven in
test_public_journey.py and test_public_a11y.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from openiop.directory.models import Facility
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def located_page(browser: Any) -> Iterator[Any]:
    """A browser that says it is in downtown Boston and may say so."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 42.3601, "longitude": -71.0589},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_use_my_location_searches_around_the_browsers_position(
    located_page: Any, live_server: Any, north: Site, south: Site
) -> None:
    located_page.goto(f"{live_server.url}{reverse('directory:search')}")
    located_page.get_by_role("button", name="Use my location").click()
    located_page.get_by_role("heading", name="1 place within 25 miles of your location").wait_for()
    assert "lat=42.3601" in located_page.url and "zip=&" in located_page.url  # the ZIP box was cleared
    assert located_page.get_by_role("link", name="North Site").count() == 1
    assert located_page.get_by_role("link", name="South Site").count() == 0


def test_the_map_shows_one_marker_per_place_listed(page: Any, live_server: Any, north: Site, settings: Any) -> None:
    # Tiles from the test server itself: they 404, which is what "no tile
    # server reachable" looks like; the markers and the list must not care.
    settings.OPENIOP_MAP_TILE_URL = f"{live_server.url}/no-tiles/{{z}}/{{x}}/{{y}}.png"
    for number in range(3):
        Facility.objects.create(
            external_key=f"test:{number}", source="csv", name=f"Place {number}", latitude=42.36 + number / 100,
            longitude=-71.06, is_listed=True,
        )  # fmt: skip
    page.goto(f"{live_server.url}{reverse('directory:search')}?zip=02108&radius=10")
    page.locator("#facility-map .leaflet-marker-icon").first.wait_for()
    assert page.locator("#facility-map .leaflet-marker-icon").count() == 4  # North Site and the three places
    assert page.locator(".facility-results > li").count() == 4
    icon = page.locator("#facility-map img.leaflet-marker-icon").first
    assert page.evaluate("(img) => img.naturalWidth > 0", icon.element_handle())  # the marker image is served


def test_without_a_tile_server_the_map_draws_its_own_outlines_and_every_file_loads(
    page: Any, live_server: Any, north: Site
) -> None:
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{live_server.url}{reverse('directory:search')}?zip=02108&radius=10")
    marker = page.locator("#facility-map img.leaflet-marker-icon").first
    marker.wait_for()
    # The state and county outlines (us-atlas, from our static files) are drawn under the marker.
    page.locator("#facility-map path.leaflet-interactive, #facility-map svg path").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", marker.element_handle())
    assert "/static/vendor/leaflet/images/marker-icon" in (marker.get_attribute("src") or "")
    # Chromium asks for /favicon.ico on its own; the site has none, and that is not the map's business.
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    # The zoom buttons keep Leaflet's compact size (Pico would make them page-wide buttons).
    box = page.locator(".leaflet-control-zoom-in").bounding_box()
    assert box is not None and box["width"] < 50 and box["height"] < 50


def test_on_a_phone_the_results_come_first_and_change_search_opens_the_form_with_its_values(
    browser: Any, live_server: Any, north: Site
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        phone.goto(f"{live_server.url}{reverse('directory:search')}")
        phone.get_by_label("ZIP code").fill("02108")
        phone.get_by_role("button", name="Search", exact=True).click()
        heading = phone.get_by_role("heading", name="1 place within 25 miles of 02108")
        heading.wait_for()
        # The form is folded: the ZIP box is hidden and the first result is on the first screen.
        assert not phone.get_by_label("ZIP code").is_visible()
        first_result = phone.get_by_role("link", name="North Site")
        box = first_result.bounding_box()
        assert box is not None and box["y"] + box["height"] < 844
        phone.get_by_text("Change search").click()
        assert phone.get_by_label("ZIP code").is_visible()
        assert phone.get_by_label("ZIP code").input_value() == "02108"
    finally:
        context.close()
