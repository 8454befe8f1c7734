# SPDX-License-Identifier: AGPL-3.0-or-later
"""Great-circle distances and search boxes, in miles. No Django here.

The locator sorts by the haversine distance on a spherical Earth of mean
radius 3,958.8 miles (IUGG mean radius, 6,371.0 km). Over US distances the
sphere is within about 0.5% of the WGS 84 ellipsoid, well inside what a
"miles away" figure promises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_MILES / 180  # about 69.09


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise ValueError(f"not a point on Earth: {self.latitude}, {self.longitude}")


def haversine_miles(a: Point, b: Point) -> float:
    """Great-circle distance between A and B in miles."""
    return distance_miles(a.latitude, a.longitude, b.latitude, b.longitude)


def distance_miles(latitude1: float, longitude1: float, latitude2: float, longitude2: float) -> float:
    """``haversine_miles`` on bare degrees, for loops over many rows."""
    lat1, lat2 = math.radians(latitude1), math.radians(latitude2)
    dlat = lat2 - lat1
    dlon = math.radians(longitude2 - longitude1)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def unit_vector(latitude: float, longitude: float) -> tuple[float, float, float]:
    """The point as (x, y, z) on the unit sphere. The squared straight-line
    (chord) distance between two such vectors grows strictly with their
    great-circle distance, and needs only + - * to compute, so a database
    can filter and sort by exact distance without trigonometry."""
    lat, lon = math.radians(latitude), math.radians(longitude)
    return math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)


def chord_squared_for_miles(miles: float) -> float:
    """Squared chord length (unit sphere) of a great-circle distance in miles."""
    half_angle = min(math.pi, miles / EARTH_RADIUS_MILES) / 2
    return 4 * math.sin(half_angle) ** 2


def miles_for_chord_squared(chord_squared: float) -> float:
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(max(0.0, chord_squared)) / 2))


@dataclass(frozen=True)
class Box:
    """Latitude range plus one or two longitude ranges (two when the box
    crosses the 180th meridian, as a wide search from the Aleutians does)."""

    min_latitude: float
    max_latitude: float
    longitude_ranges: tuple[tuple[float, float], ...]

    def contains(self, point: Point) -> bool:
        return self.min_latitude <= point.latitude <= self.max_latitude and any(
            low <= point.longitude <= high for low, high in self.longitude_ranges
        )


def bounding_box(centre: Point, radius_miles: float) -> Box:
    """The smallest latitude/longitude box holding every point within
    RADIUS_MILES of CENTRE: a cheap index-friendly prefilter, never a final
    answer (its corners lie outside the circle)."""
    if radius_miles < 0:
        raise ValueError("radius must not be negative")
    angular = radius_miles / EARTH_RADIUS_MILES  # radians
    lat = math.radians(centre.latitude)
    min_lat, max_lat = lat - angular, lat + angular
    if min_lat <= -math.pi / 2 or max_lat >= math.pi / 2:
        # The circle reaches a pole: every longitude is in play.
        return Box(
            math.degrees(max(min_lat, -math.pi / 2)), math.degrees(min(max_lat, math.pi / 2)), ((-180.0, 180.0),)
        )
    # Widest longitude span of the circle (at the latitude of its tangent
    # meridians), from the spherical law of sines.
    dlon = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(lat))))
    west, east = centre.longitude - dlon, centre.longitude + dlon
    ranges: tuple[tuple[float, float], ...]
    if dlon >= 180:
        ranges = ((-180.0, 180.0),)
    elif west < -180:
        ranges = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return Box(math.degrees(min_lat), math.degrees(max_lat), ranges)
