# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public locator pages (no sign-in) and the administrators' import page."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.directory.checks import check_map_tile_attribution
from openiop.directory.models import Facility
from openiop.directory.vocab import Payment, Service
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
MakeFacility = Callable[..., Facility]
SEARCH = reverse("directory:search")


def test_the_search_page_needs_no_sign_in_and_starts_with_the_form(client: Client) -> None:
    response = client.get(SEARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Find an intensive outpatient program (IOP) near you" in html
    assert 'name="zip"' in html and "Use my location" in html
    assert "result" not in response.context or response.context.get("result") is None
    assert "988" in html  # the crisis line from the public frame


def test_a_zip_search_lists_places_nearest_first_with_distances(client: Client, make_facility: MakeFacility) -> None:
    make_facility("Worcester Recovery", 42.2626, -71.8023, phone="508-555-0101")
    make_facility("Downtown Counseling", 42.3588, -71.0707, services=int(Service.IOP))

    response = client.get(SEARCH, {"zip": "02108", "radius": "50"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 places within 50 miles of 02108" in html
    assert html.index("Downtown Counseling") < html.index("Worcester Recovery")
    assert "0.1 miles away" in html and "38.1 miles away" in html
    assert 'href="tel:508-555-0101"' in html
    assert "Intensive outpatient (IOP)" in html


def test_filters_in_the_query_string_narrow_the_list(client: Client, make_facility: MakeFacility) -> None:
    make_facility("Medicaid Place", 42.36, -71.06, payment=int(Payment.MEDICAID), services=int(Service.IOP))
    make_facility("Private Place", 42.37, -71.06, payment=int(Payment.PRIVATE), services=int(Service.IOP))
    response = client.get(SEARCH, {"zip": "02108", "payment": "medicaid", "services": "iop"})
    assert [hit.facility.name for hit in response.context["result"].hits] == ["Medicaid Place"]


def test_bad_input_is_explained_beside_the_field_and_in_a_summary(client: Client) -> None:
    response = client.get(SEARCH, {"zip": "00000", "radius": "900"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context.get("result") is None
    assert 'role="alert"' in html
    assert "We could not find the ZIP code 00000." in html
    assert "Choose a distance from 5 to 500 miles." in html


def test_a_city_and_state_search_and_a_location_search_work(client: Client, make_facility: MakeFacility) -> None:
    make_facility("Loop Clinic", 41.8858, -87.6181)
    by_city = client.get(SEARCH, {"city": "Chicago", "state": "IL", "radius": "25"})
    by_location = client.get(SEARCH, {"lat": "41.88", "lon": "-87.62", "radius": "5"})
    assert "1 place within 25 miles of Chicago, IL" in by_city.content.decode()
    assert "1 place within 5 miles of your location" in by_location.content.decode()


def test_the_map_draws_our_own_outlines_without_a_tile_server_and_the_tiles_with_one(
    client: Client, make_facility: MakeFacility, settings: Any
) -> None:
    make_facility("Downtown Counseling", 42.3588, -71.0707)
    plain = client.get(SEARCH, {"zip": "02108"}).content.decode()
    assert 'id="facility-map"' in plain and "vendor/leaflet/leaflet.js" in plain
    assert 'data-basemap-url="/static/vendor/us-atlas/counties-10m.json"' in plain and "data-tile-url" not in plain
    assert "vendor/topojson-client/topojson-client.min.js" in plain
    # Leaflet's marker images are named by the page, not guessed from its stylesheet.
    assert 'data-icon-url="/static/vendor/leaflet/images/marker-icon.png"' in plain
    assert "U.S. Census Bureau" in plain
    assert "Downtown Counseling" in plain

    settings.OPENIOP_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    with_map = client.get(SEARCH, {"zip": "02108"})
    html = with_map.content.decode()
    assert 'id="facility-map"' in html and "vendor/leaflet/leaflet.js" in html
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html and "data-basemap-url" not in html
    assert "topojson-client" not in html and "U.S. Census Bureau" not in html
    assert "Map drawn with Leaflet." in html and "Map tiles:" not in html

    settings.OPENIOP_MAP_TILE_ATTRIBUTION = "© Example <Tiles>"
    html = client.get(SEARCH, {"zip": "02108"}).content.decode()
    assert "Map tiles: © Example &lt;Tiles&gt;" in html
    settings.OPENIOP_MAP_TILE_ATTRIBUTION_URL = "https://tiles.example.org/copyright"
    html = client.get(SEARCH, {"zip": "02108"}).content.decode()
    assert '<a href="https://tiles.example.org/copyright" rel="noopener">© Example &lt;Tiles&gt;</a>' in html
    points = with_map.context["map_points"]
    assert points[0]["name"] == "Downtown Counseling"
    assert points[0]["url"].startswith(
        reverse("directory:facility", args=[Facility.objects.get(name="Downtown Counseling").pk])
    )


def test_further_pages_link_on(client: Client, make_facility: MakeFacility) -> None:
    for number in range(30):
        make_facility(f"Place {number:02d}", 42.36 + number * 0.005, -71.06)
    first = client.get(SEARCH, {"zip": "02108", "radius": "25"})
    assert "page=2" in first.content.decode()
    second = client.get(SEARCH, {"zip": "02108", "radius": "25", "page": "2"})
    assert [hit.facility.name for hit in second.context["result"].hits] == [f"Place {n:02d}" for n in range(25, 30)]


def test_the_search_needs_a_few_queries_however_many_places_it_lists(
    client: Client, make_facility: MakeFacility
) -> None:
    def queries(**params: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SEARCH, {"zip": "02108", "radius": "50", **params}).status_code == 200
        return len(captured.captured_queries)

    # Rings of 10, 25 and 50 miles; the last one loads the page as well.
    for number in range(3):
        make_facility(f"Place {number}", 42.36, -71.06, services=int(Service.IOP))
    assert queries(services="iop") == 3
    # Without a type of care, IOPs first then the others: two such searches.
    assert queries() == 6
    for number in range(100):
        make_facility(f"More {number}", 42.37, -71.06, services=int(Service.IOP))
    # The first ring holds the page (and loads it), then the count.
    assert queries(services="iop") == 2
    # The IOPs fill the page; the others are only counted (three rings' worth of nothing).
    assert queries() == 3


def test_the_facility_page_shows_the_details_and_the_distance_from_the_search(
    client: Client, make_facility: MakeFacility
) -> None:
    facility = make_facility(
        "Worcester Recovery", 42.2626, -71.8023, street1="5 Elm Street", phone="508-555-0101",
        website="https://example.org/worcester", services=int(Service.IOP | Service.MOUD),
        payment=int(Payment.MEDICAID | Payment.SLIDING_FEE), evening_hours=True, insurers="Aetna\nCigna",
    )  # fmt: skip
    url = reverse("directory:facility", args=[facility.pk])

    plain = client.get(url)
    searched = client.get(url, {"zip": "02108", "radius": "50"})

    assert plain.status_code == 200
    html = plain.content.decode()
    for text in ("5 Elm Street", "508-555-0101", "https://example.org/worcester", "Medicines for opioid use disorder",
                 "Sliding fee (based on income)", "Evening hours", "Aetna", "English"):  # fmt: skip
        assert text in html
    assert "miles from where you searched" not in html
    assert "/help/call-back/?site=" not in html
    assert "38.1 miles from where you searched" in searched.content.decode()
    assert "zip=02108" in searched.content.decode()  # back to the search


def test_our_own_sites_offer_a_call_back(client: Client, north: Site) -> None:
    facility = Facility.objects.get(site=north)
    html = client.get(reverse("directory:facility", args=[facility.pk])).content.decode()
    assert 'href="/help/call-back/?site=north"' in html


def test_an_unlisted_facility_is_not_found(client: Client, make_facility: MakeFacility) -> None:
    facility = make_facility("Closed", 42.36, -71.06, is_listed=False)
    assert client.get(reverse("directory:facility", args=[facility.pk])).status_code == 404


# --- Import page (administrators) ----------------------------------------------


def locator_export() -> bytes:
    rows = [
        {"name1": "Harbor House", "city": "Boston", "state": "MA", "zip": "02108", "services": []},
        {"name1": "", "zip": "02108"},
    ]
    return json.dumps({"rows": rows}).encode()


def test_an_administrator_imports_a_file_and_sees_the_report(client: Client, alice: User) -> None:
    client.force_login(alice)
    upload = SimpleUploadedFile("locator.json", locator_export(), content_type="application/json")

    response = client.post(reverse("directory:import"), {"file": upload, "format": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 rows: 1 new, 0 updated, 0 unchanged, 1 with problems." in html
    assert "name1 (the facility&#x27;s name) is missing" in html
    assert Facility.objects.filter(name="Harbor House", source=Facility.Source.LOCATOR).exists()
    assert AuditEvent.objects.get(action="directory.import").actor_id == alice.pk


def test_the_import_page_refuses_a_malformed_or_oversized_file_beside_the_field(
    client: Client, alice: User, settings: Any
) -> None:
    client.force_login(alice)
    broken = SimpleUploadedFile("list.csv", b"title\nHarbor\n", content_type="text/csv")
    response = client.post(reverse("directory:import"), {"file": broken})
    assert "The CSV header has no name column" in response.content.decode()
    settings.OPENIOP_DIRECTORY_IMPORT_MAX_BYTES = 10
    big = SimpleUploadedFile("locator.json", locator_export(), content_type="application/json")
    response = client.post(reverse("directory:import"), {"file": big})
    assert "the limit is 10 bytes" in response.content.decode()
    assert not Facility.objects.filter(source=Facility.Source.LOCATOR).exists()


def test_a_clinician_may_not_import(client: Client, bob: User) -> None:
    client.force_login(bob)
    upload = SimpleUploadedFile("locator.json", locator_export(), content_type="application/json")
    assert client.post(reverse("directory:import"), {"file": upload}).status_code == 403
    assert not Facility.objects.filter(source=Facility.Source.LOCATOR).exists()


def test_a_tile_server_without_attribution_is_flagged_by_the_system_checks(settings: Any) -> None:
    settings.OPENIOP_MAP_TILE_URL = ""
    assert check_map_tile_attribution() == []
    settings.OPENIOP_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.OPENIOP_MAP_TILE_ATTRIBUTION = ""
    assert [warning.id for warning in check_map_tile_attribution()] == ["openiop.directory.W001"]
    settings.OPENIOP_MAP_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
    assert check_map_tile_attribution() == []


def test_after_a_search_the_form_folds_into_a_summary_above_the_results_keeping_its_values(
    client: Client, make_facility: MakeFacility
) -> None:
    make_facility("Downtown Counseling", 42.3588, -71.0707, services=int(Service.IOP))
    before = client.get(SEARCH).content.decode()
    assert 'id="search-panel"' not in before and "Change search" not in before

    html = client.get(SEARCH, {"zip": "02108", "radius": "25", "evening": "on"}).content.decode()
    panel = html.index('<details class="search-panel" id="search-panel">')
    assert panel < html.index('id="locator-form"') < html.index("</details>", panel) < html.index("results-heading")
    assert "Within 25 miles of 02108" in html and "with your choices" in html and "Change search" in html
    assert 'name="zip" value="02108"' in html  # opening it again shows what was searched


def test_an_unfiltered_search_lists_places_offering_iop_first(client: Client, make_facility: MakeFacility) -> None:
    make_facility("Detox Next Door", 42.3580, -71.0690, services=int(Service.DETOX))
    make_facility("Far IOP", 42.2626, -71.8023, services=int(Service.IOP))
    response = client.get(SEARCH, {"zip": "02108", "radius": "50"})
    assert [hit.facility.name for hit in response.context["result"].hits] == ["Far IOP", "Detox Next Door"]
    assert "Places that offer intensive outpatient care (IOP) come first" in response.content.decode()
    chosen = client.get(SEARCH, {"zip": "02108", "radius": "50", "services": "detox"})
    assert [hit.facility.name for hit in chosen.context["result"].hits] == ["Detox Next Door"]


def test_the_crisis_line_appears_once_above_the_content(client: Client) -> None:
    for url in (SEARCH, reverse("public:home"), reverse("public:call_back"), reverse("public:coverage_check")):
        html = client.get(url).content.decode()
        above_content = html[: html.index('<main id="main"')]
        in_content = html[html.index('<main id="main"') : html.index("</main>")]
        assert above_content.count('href="tel:988"') == 1, url
        assert 'href="tel:988"' not in in_content, url
