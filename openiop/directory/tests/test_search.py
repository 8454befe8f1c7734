# SPDX-License-Identifier: AGPL-3.0-or-later
"""The radius search: distance order, radius, every filter, and agreement
with the full-scan reference on synthetic data."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from openiop.directory import selectors
from openiop.directory.demo import place_synthetic_facilities
from openiop.directory.forms import SearchForm
from openiop.directory.geo import Point
from openiop.directory.models import Facility
from openiop.directory.places import entry_point, standard_zip_entries, zip_point
from openiop.directory.selectors import COUNT_CAP, Filters, search_by_full_scan, search_facilities
from openiop.directory.vocab import Age, Language, Payment, Service

pytestmark = pytest.mark.django_db
MakeFacility = Callable[..., Facility]
BOSTON = Point(42.3576, -71.0684)


def names(result: Any) -> list[str]:
    return [hit.facility.name for hit in result.hits]


def test_results_are_nearest_first_and_only_inside_the_radius(make_facility: MakeFacility) -> None:
    make_facility("Cambridge", 42.3647, -71.1042)  # about 2 miles
    make_facility("Worcester", 42.2626, -71.8023)  # about 38 miles
    make_facility("Downtown", 42.3588, -71.0707)  # under a mile
    make_facility("New York", 40.7484, -73.9967)  # about 188 miles

    near = search_facilities(origin=BOSTON, radius_miles=50)
    wide = search_facilities(origin=BOSTON, radius_miles=200)

    assert names(near) == ["Downtown", "Cambridge", "Worcester"]
    assert near.total == 3
    assert [round(hit.miles) for hit in near.hits] == [0, 2, 38]
    assert names(wide) == ["Downtown", "Cambridge", "Worcester", "New York"]
    assert wide.hits[-1].miles == pytest.approx(187.8, abs=0.1)


def test_places_at_the_same_spot_are_in_name_order(make_facility: MakeFacility) -> None:
    for name in ("Cedar", "Aspen", "Birch"):
        make_facility(name, 42.40, -71.10)
    assert names(search_facilities(origin=BOSTON, radius_miles=10)) == ["Aspen", "Birch", "Cedar"]


def test_unlisted_facilities_and_ones_without_a_place_are_never_found(make_facility: MakeFacility) -> None:
    make_facility("Closed", 42.36, -71.06, is_listed=False)
    Facility.objects.create(external_key="x:1", source="csv", name="Nowhere")
    make_facility("Open", 42.36, -71.06)
    assert names(search_facilities(origin=BOSTON, radius_miles=25)) == ["Open"]


FILTER_CASES: list[tuple[str, dict[str, Any], Filters]] = [
    (
        "services all of",
        {"services": int(Service.IOP | Service.MOUD)},
        Filters(services=int(Service.IOP | Service.MOUD)),
    ),
    ("payment any of", {"payment": int(Payment.MEDICAID)}, Filters(payment=int(Payment.MEDICAID | Payment.TRICARE))),
    ("ages", {"ages": int(Age.ADULTS | Age.ADOLESCENTS)}, Filters(ages=int(Age.ADOLESCENTS))),
    ("language", {"languages": int(Language.EN | Language.ES)}, Filters(languages=int(Language.ES))),
    ("evening", {"evening_hours": True}, Filters(evening_hours=True)),
    ("weekend", {"weekend_hours": True}, Filters(weekend_hours=True)),
    ("insurer", {"insurers": "Aetna\nBlue Cross Blue Shield"}, Filters(insurer="blue cross")),
]


@pytest.mark.parametrize(("label", "fields", "filters"), FILTER_CASES, ids=[case[0] for case in FILTER_CASES])
def test_each_filter_keeps_exactly_the_matching_places(
    make_facility: MakeFacility, label: str, fields: dict[str, Any], filters: Filters
) -> None:
    make_facility("Matches", 42.37, -71.07, **fields)
    make_facility("Plain", 42.36, -71.06, services=int(Service.IOP), payment=int(Payment.PRIVATE))

    result = search_facilities(origin=BOSTON, radius_miles=10, filters=filters)

    assert names(result) == ["Matches"]
    assert names(search_by_full_scan(origin=BOSTON, radius_miles=10, filters=filters)) == ["Matches"]


def test_services_need_all_chosen_but_payment_any_chosen(make_facility: MakeFacility) -> None:
    make_facility("IOP only", 42.37, -71.07, services=int(Service.IOP), payment=int(Payment.MEDICAID))
    make_facility("IOP and MOUD", 42.38, -71.07, services=int(Service.IOP | Service.MOUD), payment=int(Payment.FREE))

    both = Filters(services=int(Service.IOP | Service.MOUD))
    either = Filters(payment=int(Payment.MEDICAID | Payment.FREE))

    assert names(search_facilities(origin=BOSTON, radius_miles=10, filters=both)) == ["IOP and MOUD"]
    assert names(search_facilities(origin=BOSTON, radius_miles=10, filters=either)) == ["IOP only", "IOP and MOUD"]


def test_pages_follow_on_and_know_the_total(make_facility: MakeFacility) -> None:
    for number in range(30):
        make_facility(f"Place {number:02d}", 42.36 + number * 0.01, -71.06)
    first = search_facilities(origin=BOSTON, radius_miles=50, limit=25)
    second = search_facilities(origin=BOSTON, radius_miles=50, offset=25, limit=25)
    beyond = search_facilities(origin=BOSTON, radius_miles=50, offset=50, limit=25)
    assert (first.total, second.total, beyond.total) == (30, 30, 30)
    assert first.has_more and not second.has_more
    assert names(first) + names(second) == [f"Place {number:02d}" for number in range(30)]
    assert beyond.hits == []


def test_a_search_counts_up_to_the_cap_and_says_more(make_facility: MakeFacility, monkeypatch: Any) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)
    for number in range(40):
        make_facility(f"Place {number:02d}", 42.36 + number * 0.001, -71.06)
    first = search_facilities(origin=BOSTON, radius_miles=25, limit=25)
    # Counted as far as the page needs, so the pages still link on.
    assert first.total == 26 and first.capped and first.has_more
    assert search_facilities(origin=BOSTON, radius_miles=25, limit=5).total == 11
    assert names(first) == [f"Place {number:02d}" for number in range(25)]
    assert names(search_facilities(origin=BOSTON, radius_miles=25, offset=25, limit=25)) == [
        f"Place {number:02d}" for number in range(25, 40)
    ]


def test_the_insurer_filter_ignores_case_and_treats_wildcards_as_text(make_facility: MakeFacility) -> None:
    make_facility("Blue", 42.36, -71.06, insurers="Aetna\nBlue Cross Blue Shield")
    make_facility("Percent", 42.37, -71.06, insurers="100% Health_Plan")
    assert names(search_facilities(origin=BOSTON, radius_miles=5, filters=Filters(insurer="BLUE cross"))) == ["Blue"]
    assert names(search_facilities(origin=BOSTON, radius_miles=5, filters=Filters(insurer="100%"))) == ["Percent"]
    # As a wildcard "_" would match the "A" of "HEALTH".
    assert names(search_facilities(origin=BOSTON, radius_miles=5, filters=Filters(insurer="e_l"))) == []
    assert names(search_facilities(origin=BOSTON, radius_miles=5, filters=Filters(insurer="%"))) == ["Percent"]


def test_a_search_across_the_date_line_finds_places_on_the_other_side(make_facility: MakeFacility) -> None:
    adak = zip_point("99546")
    assert adak is not None
    make_facility("Across the line", 51.9, 179.5)
    assert names(search_facilities(origin=adak, radius_miles=300)) == ["Across the line"]


def test_the_fast_search_agrees_with_the_full_scan_on_synthetic_data() -> None:
    rng = random.Random(11)
    place_synthetic_facilities(1500, rng)
    entries = standard_zip_entries()
    for _ in range(25):
        origin = entry_point(rng.choice(entries))
        radius = rng.choice([5, 25, 100, 250, 500])
        filters = Filters(
            services=rng.choice([0, int(Service.IOP), int(Service.IOP | Service.MOUD)]),
            payment=rng.choice([0, int(Payment.MEDICAID), int(Payment.SLIDING_FEE | Payment.FREE)]),
            languages=rng.choice([0, int(Language.ES)]),
            evening_hours=rng.random() < 0.3,
        )
        offset = rng.choice([0, 0, 25, 100])
        fast = search_facilities(origin=origin, radius_miles=radius, filters=filters, offset=offset, limit=25)
        slow = search_by_full_scan(origin=origin, radius_miles=radius, filters=filters, offset=offset, limit=25)
        assert fast.total == min(slow.total, COUNT_CAP + 1)
        assert [hit.facility.pk for hit in fast.hits] == [hit.facility.pk for hit in slow.hits]
        assert [hit.miles for hit in fast.hits] == pytest.approx([hit.miles for hit in slow.hits])


# --- The search form: where, how far, what -----------------------------------


def form(**data: Any) -> SearchForm:
    bound = SearchForm(data)
    bound.is_valid()
    return bound


@pytest.mark.parametrize("radius", ["4", "501", "-5", "lots", "0"])
def test_a_radius_outside_5_to_500_miles_gets_a_clear_message(radius: str) -> None:
    bound = form(zip="02108", radius=radius)
    assert bound.errors["radius"] == ["Choose a distance from 5 to 500 miles."]


def test_the_radius_message_names_the_real_limits() -> None:
    from openiop.directory.selectors import MAX_RADIUS_MILES, MIN_RADIUS_MILES

    assert (MIN_RADIUS_MILES, MAX_RADIUS_MILES) == (5, 500)
    assert form(zip="02108", radius="5").is_valid()
    assert form(zip="02108", radius="500").is_valid()
    assert form(zip="02108").cleaned_data["radius"] == 25


def test_an_unknown_zip_code_gets_a_clear_message() -> None:
    bound = form(zip="00000")
    assert bound.errors["zip"] == [
        "We could not find the ZIP code 00000. Check the digits, or search by city and state."
    ]
    assert form(zip="021").errors["zip"] == ["Enter a five-digit ZIP code, such as 02108."]


def test_a_city_needs_its_state_and_must_exist() -> None:
    assert form(city="Boston").errors["state"] == ["Enter both a city and a state."]
    assert form(city="Atlantis", state="MA").errors["city"] == [
        "We could not find Atlantis in Massachusetts. Check the spelling, or search by ZIP code."
    ]
    boston = form(city="boston", state="MA")
    assert boston.is_valid()
    assert boston.origin is not None and boston.origin_label == "boston, MA"


def test_a_zip_wins_over_a_city_and_a_city_over_coordinates() -> None:
    assert form(zip="10001", city="Boston", state="MA", lat="41.9", lon="-87.6").origin == zip_point("10001")
    chicago = form(lat="41.9", lon="-87.6")
    assert chicago.origin == Point(41.9, -87.6)
    assert chicago.origin_label == "your location"
    assert "lat" in form(lat="95", lon="0").errors


def test_the_form_turns_choices_into_filters() -> None:
    bound = form(
        zip="02108",
        services=["iop", "moud"],
        payment=["medicaid", "free"],
        ages="adolescents",
        language="es",
        evening="on",
        insurer=" Aetna ",
    )
    assert bound.filters() == Filters(
        services=int(Service.IOP | Service.MOUD),
        payment=int(Payment.MEDICAID | Payment.FREE),
        ages=int(Age.ADOLESCENTS),
        languages=int(Language.ES),
        evening_hours=True,
        weekend_hours=False,
        insurer="Aetna",
    )
    assert "services" in form(zip="02108", services=["rehab"]).errors


def test_offering_first_lists_iops_nearest_first_then_the_others_across_pages(make_facility: MakeFacility) -> None:
    make_facility("Detox next door", 42.3580, -71.0690, services=int(Service.DETOX))
    make_facility("IOP far", 42.2626, -71.8023, services=int(Service.IOP))
    make_facility("IOP near", 42.3647, -71.1042, services=int(Service.IOP | Service.DETOX))
    make_facility("Counseling mid", 42.40, -71.30, services=0)

    whole = selectors.search_offering_first(origin=BOSTON, radius_miles=50, service=int(Service.IOP))
    assert names(whole) == ["IOP near", "IOP far", "Detox next door", "Counseling mid"]
    assert whole.total == 4
    pages = [
        selectors.search_offering_first(origin=BOSTON, radius_miles=50, service=int(Service.IOP), offset=o, limit=1)
        for o in range(4)
    ]
    assert [names(page) for page in pages] == [[name] for name in names(whole)]
    assert all(page.total == 4 for page in pages) and not pages[3].has_more and pages[2].has_more
    # Other filters still apply to both halves.
    assert names(
        selectors.search_offering_first(
            origin=BOSTON, radius_miles=50, service=int(Service.IOP), filters=Filters(services=int(Service.DETOX))
        )
    ) == ["IOP near", "Detox next door"]
