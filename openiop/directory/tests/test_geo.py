# SPDX-License-Identifier: AGPL-3.0-or-later
"""Distances and search boxes (plain tests, no database)."""

from __future__ import annotations

import math

import pytest
import zipcodes
from hypothesis import given
from hypothesis import strategies as st

from openiop.directory.geo import (
    EARTH_RADIUS_MILES,
    Point,
    bounding_box,
    chord_squared_for_miles,
    haversine_miles,
    miles_for_chord_squared,
    unit_vector,
)
from openiop.directory.places import city_point, zip_point


def law_of_cosines_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """An independent formula for the same great-circle distance (spherical
    law of cosines; fine in double precision at these distances)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    cosine = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return EARTH_RADIUS_MILES * math.acos(max(-1.0, min(1.0, cosine)))


# ZIP centroids as the zipcodes package ships them (copied here, so a change
# in the data shows up as a failure rather than silently moving the target).
BOSTON_02108 = (42.3576, -71.0684)
NEW_YORK_10001 = (40.7484, -73.9967)
CHICAGO_60601 = (41.8858, -87.6181)
SAN_FRANCISCO_94103 = (37.7725, -122.4147)
CAMBRIDGE_02139 = (42.3647, -71.1042)
KNOWN_PAIRS = [
    # (from, to, coordinates, coordinates, rough published crow-flies miles)
    ("02108", "10001", BOSTON_02108, NEW_YORK_10001, 190),
    ("02108", "60601", BOSTON_02108, CHICAGO_60601, 850),
    ("02108", "94103", BOSTON_02108, SAN_FRANCISCO_94103, 2700),
    ("02108", "02139", BOSTON_02108, CAMBRIDGE_02139, 2),
]


@pytest.mark.parametrize(("zip_a", "zip_b", "a", "b", "rough"), KNOWN_PAIRS)
def test_distances_between_known_zip_codes_match_an_independent_formula(
    zip_a: str, zip_b: str, a: tuple[float, float], b: tuple[float, float], rough: float
) -> None:
    assert zip_point(zip_a) == Point(*a)
    assert zip_point(zip_b) == Point(*b)
    miles = haversine_miles(Point(*a), Point(*b))
    # Same sphere, different formula: agree to a hundredth of a mile.
    assert miles == pytest.approx(law_of_cosines_miles(a, b), abs=0.01)
    # The zipcodes package's own haversine uses a slightly different Earth
    # radius: within 0.2%.
    assert miles == pytest.approx(zipcodes.haversine(a[1], a[0], b[1], b[0]), rel=0.002)
    # And the published figure, within 3% (ZIP centroids are not city halls).
    assert miles == pytest.approx(rough, rel=0.03, abs=0.5)


def test_boston_to_new_york_is_about_188_miles_as_the_crow_flies() -> None:
    assert haversine_miles(Point(*BOSTON_02108), Point(*NEW_YORK_10001)) == pytest.approx(187.8, abs=0.1)


def test_distance_is_symmetric_and_zero_to_itself() -> None:
    a, b = Point(*BOSTON_02108), Point(*CHICAGO_60601)
    assert haversine_miles(a, b) == haversine_miles(b, a)
    assert haversine_miles(a, a) == 0


def test_a_point_off_the_earth_is_refused() -> None:
    with pytest.raises(ValueError, match="not a point"):
        Point(91, 0)
    with pytest.raises(ValueError, match="not a point"):
        Point(0, -181)


points = st.builds(
    Point, st.floats(min_value=-80, max_value=80), st.floats(min_value=-180, max_value=180, allow_nan=False)
)


@given(centre=points, radius=st.floats(min_value=5, max_value=500), bearing=st.floats(0, 2 * math.pi))
def test_every_point_inside_the_circle_is_inside_the_box(centre: Point, radius: float, bearing: float) -> None:
    # Walk from the centre along BEARING to just inside the circle.
    angular = radius * 0.999 / EARTH_RADIUS_MILES
    lat1, lon1 = math.radians(centre.latitude), math.radians(centre.longitude)
    lat2 = math.asin(math.sin(lat1) * math.cos(angular) + math.cos(lat1) * math.sin(angular) * math.cos(bearing))
    lon2 = lon1 + math.atan2(
        math.sin(bearing) * math.sin(angular) * math.cos(lat1), math.cos(angular) - math.sin(lat1) * math.sin(lat2)
    )
    lon2 = (math.degrees(lon2) + 540) % 360 - 180
    edge = Point(math.degrees(lat2), lon2)
    assert haversine_miles(centre, edge) <= radius
    assert bounding_box(centre, radius).contains(edge)


def test_the_box_splits_at_the_180th_meridian() -> None:
    adak = zip_point("99546")
    assert adak is not None
    box = bounding_box(adak, 300)
    assert len(box.longitude_ranges) == 2
    across = Point(51.9, 179.5)  # just west of the date line, about 200 miles from Adak
    assert haversine_miles(adak, across) < 300
    assert box.contains(across)


def test_the_box_excludes_far_places() -> None:
    box = bounding_box(Point(*BOSTON_02108), 50)
    assert not box.contains(Point(*NEW_YORK_10001))
    assert box.contains(Point(*CAMBRIDGE_02139))


@given(a=points, b=points, c=points)
def test_chord_distance_orders_places_like_the_great_circle_distance(a: Point, b: Point, c: Point) -> None:
    def chord2(p: Point, q: Point) -> float:
        return sum(
            (x - y) ** 2
            for x, y in zip(unit_vector(p.latitude, p.longitude), unit_vector(q.latitude, q.longitude), strict=True)
        )

    ab, ac = haversine_miles(a, b), haversine_miles(a, c)
    if abs(ab - ac) > 1e-6:
        assert (ab < ac) == (chord2(a, b) < chord2(a, c))
    assert miles_for_chord_squared(chord2(a, b)) == pytest.approx(ab, abs=1e-6)


@pytest.mark.parametrize("miles", [5, 25, 190, 500])
def test_chord_threshold_round_trips(miles: float) -> None:
    assert miles_for_chord_squared(chord_squared_for_miles(miles)) == pytest.approx(miles)


def test_unknown_or_malformed_zip_codes_have_no_place() -> None:
    assert zip_point("00000") is None
    assert zip_point("ABCDE") is None
    assert zip_point("0210") is None
    assert zip_point("02108-1234") == Point(*BOSTON_02108)


def test_a_city_is_the_centre_of_its_zip_codes_whatever_the_case() -> None:
    boston = city_point("boston", "ma")
    assert boston is not None
    assert city_point("BOSTON", "MA") == boston
    # Within a few miles of downtown.
    assert haversine_miles(boston, Point(*BOSTON_02108)) < 5
    assert city_point("St. Louis", "MO") == city_point("st louis", "MO")
    assert city_point("Atlantis", "MA") is None
    assert city_point("Boston", "XX") is None
