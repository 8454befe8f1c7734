# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads: the radius search the public locator runs.

One page of a search costs a few small index range scans, whatever the
radius:

* Exact distance in SQL without trigonometry: each facility stores its
  position as a unit vector (``geo.unit_vector``); the squared chord distance
  to the origin is plain arithmetic and grows strictly with the great-circle
  distance, so the circle test and the nearest-first order are exact.
* The bounding box of the circle is a range on the (latitude, longitude, ...)
  index, which also holds the unit vector and the attribute masks, so rows
  are tested from the index alone.
* Nearest first needs only the nearest rows: the page is looked for in
  growing rings (10, 25, 50, ... miles, up to the radius) and the first ring
  holding enough rows answers it. Any row outside a ring is further than
  every row inside it, so the page is the same as sorting the whole circle.
* The total is counted up to ``COUNT_CAP`` ("more than 1,000 places").

The statements are written out by hand (portable between SQLite and
PostgreSQL) because building them through the ORM cost more than running
them. ``search_by_full_scan`` is the obvious way (every row, every distance
in Python); the tests hold the fast search to its answers and the benchmark
measures both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet

from openiop.directory.geo import Point, bounding_box, chord_squared_for_miles, distance_miles, unit_vector
from openiop.directory.models import Facility

MIN_RADIUS_MILES = 5
MAX_RADIUS_MILES = 500
PAGE_SIZE = 25


@dataclass(frozen=True)
class Filters:
    """What the person asked for. ``services`` and ``ages`` must all be
    offered; ``payment`` and ``languages`` match if any one is accepted
    (someone with Medicaid who could also pay a sliding fee wants both kinds of
    place)."""

    services: int = 0
    payment: int = 0
    ages: int = 0
    languages: int = 0
    evening_hours: bool = False
    weekend_hours: bool = False
    insurer: str = ""
    # Services a place must NOT offer (the "everything else" half of an
    # offering-first search).
    without_services: int = 0

    def matches(self, facility: Any) -> bool:
        """The same test in Python (for the full-scan reference)."""
        return (
            facility.services & self.services == self.services
            and facility.ages & self.ages == self.ages
            and (not self.payment or facility.payment & self.payment != 0)
            and (not self.languages or facility.languages & self.languages != 0)
            and (not self.evening_hours or facility.evening_hours)
            and (not self.weekend_hours or facility.weekend_hours)
            and (not self.insurer or self.insurer.lower() in facility.insurers.lower())
            and facility.services & self.without_services == 0
        )


@dataclass(frozen=True)
class Hit:
    facility: Facility
    miles: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def capped(self) -> bool:
        """More places than were counted (the total shows as "more than")."""
        return self.total > COUNT_CAP


def listed_facilities() -> QuerySet[Facility]:
    return Facility.objects.filter(is_listed=True)


RINGS_MILES = (10, 25, 50, 100, 250)
COUNT_CAP = 1000


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.upper()}%"


def _filter_sql(filters: Filters) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filters.services:
        clauses.append("(services & %s) = %s")
        params += [filters.services, filters.services]
    if filters.without_services:
        clauses.append("(services & %s) = 0")
        params.append(filters.without_services)
    if filters.ages:
        clauses.append("(ages & %s) = %s")
        params += [filters.ages, filters.ages]
    if filters.payment:
        clauses.append("(payment & %s) <> 0")
        params.append(filters.payment)
    if filters.languages:
        clauses.append("(languages & %s) <> 0")
        params.append(filters.languages)
    if filters.evening_hours:
        clauses.append("evening_hours = %s")
        params.append(True)
    if filters.weekend_hours:
        clauses.append("weekend_hours = %s")
        params.append(True)
    if filters.insurer:
        clauses.append("UPPER(insurers) LIKE %s ESCAPE '\\'")
        params.append(_like_pattern(filters.insurer))
    return clauses, params


class _Circle:
    """The WHERE clause and ORDER BY expression of one search, reusable for
    each ring (only the box and the distance bound change)."""

    def __init__(self, origin: Point, filters: Filters) -> None:
        self.origin = origin
        self.table = connection.ops.quote_name(Facility._meta.db_table)
        x, y, z = unit_vector(origin.latitude, origin.longitude)
        self.chord2 = "((unit_x - %s) * (unit_x - %s) + (unit_y - %s) * (unit_y - %s) + (unit_z - %s) * (unit_z - %s))"
        self.chord2_params = [x, x, y, y, z, z]
        self.filter_clauses, self.filter_params = _filter_sql(filters)

    def where(self, radius_miles: float) -> tuple[str, list[Any]]:
        box = bounding_box(self.origin, radius_miles)
        longitudes = " OR ".join("longitude BETWEEN %s AND %s" for _range in box.longitude_ranges)
        clauses = ["latitude BETWEEN %s AND %s", f"({longitudes})", "is_listed = %s", *self.filter_clauses]
        params: list[Any] = [box.min_latitude, box.max_latitude]
        for low, high in box.longitude_ranges:
            params += [low, high]
        params += [True, *self.filter_params]
        clauses.append(f"{self.chord2} <= %s")
        params += [*self.chord2_params, chord_squared_for_miles(radius_miles)]
        return " AND ".join(clauses), params

    def nearest(self, radius_miles: float, count: int) -> list[Facility]:
        """The COUNT nearest rows, whole: the ring that answers also loads
        the page, which saves a round trip per search."""
        where, params = self.where(radius_miles)
        sql = f"SELECT * FROM {self.table} WHERE {where} ORDER BY {self.chord2}, name, id LIMIT %s"  # noqa: S608 - fixed text, values as parameters
        return list(Facility.objects.raw(sql, [*params, *self.chord2_params, count]))

    def count(self, radius_miles: float, cap: int) -> int:
        where, params = self.where(radius_miles)
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.table} WHERE {where} LIMIT %s) AS capped"  # noqa: S608 - as above
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, cap])
            return int(cursor.fetchone()[0])


def search_facilities(
    *, origin: Point, radius_miles: float, filters: Filters | None = None, offset: int = 0, limit: int = PAGE_SIZE
) -> SearchResult:
    """Listed facilities within RADIUS_MILES of ORIGIN that pass FILTERS,
    nearest first (ties by name), one page of them. The total is exact up
    to COUNT_CAP (or the end of this page, if further); beyond that it is a
    lower bound and ``capped`` is true."""
    circle = _Circle(origin, filters or Filters())
    wanted = offset + limit
    rings = [ring for ring in RINGS_MILES if ring < radius_miles] + [radius_miles]
    for ring in rings:
        nearest = circle.nearest(ring, wanted)
        if len(nearest) == wanted or ring == radius_miles:
            break
    # When the whole circle fitted in the page, its rows are the count.
    whole_circle = ring == radius_miles and len(nearest) < wanted
    # Counted up to just past the cap, or past this page if that is further,
    # so that "is there a next page" is always known.
    total = len(nearest) if whole_circle else circle.count(radius_miles, max(COUNT_CAP, wanted) + 1)
    hits = [
        Hit(facility, distance_miles(origin.latitude, origin.longitude, facility.latitude, facility.longitude))  # type: ignore[arg-type]
        for facility in nearest[offset:]
    ]
    return SearchResult(hits=hits, total=total, offset=offset)


def search_offering_first(
    *,
    origin: Point,
    radius_miles: float,
    service: int,
    filters: Filters | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> SearchResult:
    """Like ``search_facilities``, but the places offering SERVICE come first
    (nearest first), then the others (nearest first): someone who asked for
    "an IOP near me" without choosing a type of care sees IOPs before detox
    units and counseling offices. The two halves are two ordinary searches;
    past COUNT_CAP places offering SERVICE the others are never reached."""
    wanted = filters or Filters()
    offering = search_facilities(
        origin=origin,
        radius_miles=radius_miles,
        filters=replace(wanted, services=wanted.services | service),
        offset=offset,
        limit=limit,
    )
    if offering.capped:
        return offering
    others_filters = replace(wanted, without_services=wanted.without_services | service)
    room = limit - len(offering.hits)
    if room == 0:
        others_total = _Circle(origin, others_filters).count(radius_miles, COUNT_CAP + 1)
        return SearchResult(hits=offering.hits, total=offering.total + others_total, offset=offset)
    others = search_facilities(
        origin=origin,
        radius_miles=radius_miles,
        filters=others_filters,
        offset=max(offset - offering.total, 0),
        limit=room,
    )
    return SearchResult(hits=offering.hits + others.hits, total=offering.total + others.total, offset=offset)


class _Row(NamedTuple):
    pk: int
    name: str
    latitude: float
    longitude: float
    services: int
    payment: int
    ages: int
    languages: int
    evening_hours: bool
    weekend_hours: bool
    insurers: str


def search_by_full_scan(
    *, origin: Point, radius_miles: float, filters: Filters | None = None, offset: int = 0, limit: int = PAGE_SIZE
) -> SearchResult:
    """The obvious way: read every listed facility, compute every haversine
    distance in Python, filter and sort there."""
    wanted = filters or Filters()
    inside = []
    rows = listed_facilities().exclude(latitude=None).exclude(longitude=None).order_by().values_list(*_Row._fields)
    for values in rows:
        row = _Row(*values)
        miles = distance_miles(origin.latitude, origin.longitude, row.latitude, row.longitude)
        if miles <= radius_miles and wanted.matches(row):
            inside.append((miles, row.name, row.pk))
    inside.sort()
    page = inside[offset : offset + limit]
    loaded = Facility.objects.in_bulk([pk for _miles, _name, pk in page])
    return SearchResult(hits=[Hit(loaded[pk], miles) for miles, _name, pk in page], total=len(inside), offset=offset)


def facility_for_public(pk: int) -> Facility | None:
    return listed_facilities().select_related("site").filter(pk=pk).first()
