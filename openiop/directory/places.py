# SPDX-License-Identifier: AGPL-3.0-or-later
"""Where a ZIP code or a city is, offline, from the ``zipcodes`` package
(the US Census ZIP Code Tabulation Area centroids it ships). No Django here."""

from __future__ import annotations

import functools
from typing import Any

import zipcodes

from openiop.core.ascii_digits import US_ZIP, is_us_zip
from openiop.directory.geo import Point

# ASCII digits only: the zipcodes package panics (a Rust slice inside a
# character) on a full-width or Arabic-Indic digit, which \d would let by.
ZIP_PATTERN = US_ZIP


def _point(entry: dict[str, Any]) -> Point | None:
    try:
        return Point(float(entry["lat"]), float(entry["long"]))
    except (KeyError, TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def zip_point(zip_code: str) -> Point | None:
    """Centroid of a five-digit ZIP (ZIP+4 accepted), or None if unknown."""
    zip_code = zip_code.strip()
    if not is_us_zip(zip_code):
        return None
    try:
        matches = zipcodes.matching(zip_code[:5])  # type: ignore[no-untyped-call]
    except (TypeError, ValueError):
        return None
    for entry in matches:
        point = _point(entry)
        if point is not None:
            return point
    return None


def _norm(text: str) -> str:
    return " ".join(text.replace(".", " ").split()).lower()


@functools.lru_cache(maxsize=1024)
def city_point(city: str, state: str) -> Point | None:
    """Centroid (mean position) of the active ZIP codes of CITY in STATE,
    ignoring case and dots ("St. Louis" = "st louis"); None if none match."""
    wanted, state = _norm(city), state.strip().upper()
    if not wanted or len(state) != 2:
        return None
    entries = [
        entry
        for entry in zipcodes.filter_by(state=state)  # type: ignore[no-untyped-call]
        if entry.get("active", True) and _norm(entry.get("city", "")) == wanted
    ]
    points = [point for point in map(_point, entries) if point is not None]
    if not points:
        return None
    return Point(
        sum(point.latitude for point in points) / len(points), sum(point.longitude for point in points) / len(points)
    )


@functools.lru_cache(maxsize=1)
def standard_zip_entries() -> tuple[dict[str, Any], ...]:
    """Every active standard ZIP with a position (for synthetic facilities)."""
    return tuple(
        entry
        for entry in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if entry.get("zip_code_type") == "STANDARD" and entry.get("active", True) and _point(entry) is not None
    )


def entry_point(entry: dict[str, Any]) -> Point:
    point = _point(entry)
    if point is None:
        raise ValueError(f"ZIP {entry.get('zip_code')} has no position")
    return point


US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "VI": "U.S. Virgin Islands",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "GU": "Guam",
}  # fmt: skip
