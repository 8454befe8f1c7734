# SPDX-License-Identifier: AGPL-3.0-or-later
"""One import row, checked and turned into facility fields. No Django here.

Two input shapes:

* **Locator JSON** (the national treatment locator's export): a list of rows,
  or an object whose ``rows`` key holds them. Fields: ``name1`` (required),
  ``name2``, ``street1``, ``street2``, ``city``, ``state``, ``zip``, ``phone``,
  ``website``, ``latitude``, ``longitude``, ``services`` (a list of
  {category code, value text}, mapped as ``locator_mapping`` documents), and
  optionally ``id``/``frid`` (a stable identifier) and ``insurers`` (a list of
  names; our extension).
* **CSV**, UTF-8 with a header row. Columns (only ``name`` is required; unknown
  columns are ignored):

  ``external_id``, ``name``, ``name2``, ``street1``, ``street2``, ``city``,
  ``state``, ``zip``, ``phone``, ``website``, ``latitude``, ``longitude``,
  ``services`` (codes separated by ``;``: iop, php, outpatient, detox, moud,
  maud, matrix), ``payment`` (private, medicare, medicaid, tricare,
  sliding_fee, free), ``ages`` (adults, adolescents), ``languages`` (en, es,
  zh, vi, ar, ht, pt, ru, fr, ko, tl, pl, so, hmn, asl; empty means en),
  ``insurers`` (names separated by ``;``), ``evening_hours`` and
  ``weekend_hours`` (yes/no, true/false, 1/0; empty means no).

Both shapes: a row without coordinates is placed at its ZIP code's centroid;
a row with neither is refused. A website without a scheme gets ``https://``.
The stable key is the row's identifier when it has one, else a hash of the
normalized name, street and five-digit ZIP (so correcting a facility's phone
updates it in place, while renaming it makes a new entry).
"""

from __future__ import annotations

import enum
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openiop.core.ascii_digits import digits_of, has_foreign_digits, is_ascii_float, is_us_zip
from openiop.directory import vocab
from openiop.directory.geo import Point
from openiop.directory.locator_mapping import map_services
from openiop.directory.places import zip_point

STATE_PATTERN = re.compile(r"^[A-Z]{2}$")
URL_PATTERN = re.compile(r"^https?://[^\s/?#.][^\s/?#]*\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
MAX_LENGTHS = {"name": 200, "name2": 200, "street1": 200, "street2": 200, "city": 100, "phone": 40, "website": 300}


class RowError(ValueError):
    """Why a row was refused, in words for the person who made the file."""


@dataclass
class FacilityData:
    key: str
    name: str
    name2: str = ""
    street1: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    phone: str = ""
    website: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    services: int = 0
    payment: int = 0
    ages: int = 0
    languages: int = int(vocab.Language.EN)
    evening_hours: bool = False
    weekend_hours: bool = False
    insurers: list[str] = field(default_factory=list)

    def model_fields(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in {"key", "insurers"}}
        values["insurers"] = "\n".join(self.insurers)
        return values


def _text(row: Mapping[str, Any], name: str, label: str | None = None) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RowError(f"{label or name} must be text")
    value = " ".join(value.split())
    limit = MAX_LENGTHS.get(label or name)
    if limit and len(value) > limit:
        raise RowError(f"{label or name} is longer than {limit} characters")
    return value


def _coordinate(value: Any, name: str, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowError(f"{name} must be a number")
    if isinstance(value, str) and not is_ascii_float(value):
        raise RowError(f"{name} {value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise RowError(f"{name} {value} is outside {low:g} to {high:g}")
    return number


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RowError(f"{name} must be yes or no, not {value!r}")


def _key(prefix: str, explicit: str, data: FacilityData) -> str:
    if explicit:
        if not KEY_PATTERN.match(explicit):
            raise RowError("the identifier may use only letters, digits and . _ : - (at most 100)")
        return f"{prefix}:{explicit}"
    basis = "|".join(part.lower() for part in (data.name, data.street1, data.zip_code[:5]))
    return f"{prefix}:h{hashlib.sha256(basis.encode()).hexdigest()[:24]}"


def _common(row: Mapping[str, Any], name_field: str) -> FacilityData:
    """The address block both shapes share, checked."""
    name = _text(row, name_field, "name")
    if not name:
        raise RowError(f"{name_field} (the facility's name) is missing")
    data = FacilityData(
        key="",
        name=name,
        name2=_text(row, "name2"),
        street1=_text(row, "street1"),
        street2=_text(row, "street2"),
        city=_text(row, "city"),
        state=_text(row, "state").upper(),
        zip_code=_text(row, "zip"),
        phone=_text(row, "phone"),
        website=_text(row, "website"),
    )
    if data.state and not STATE_PATTERN.match(data.state):
        raise RowError(f"state {data.state!r} is not a two-letter code")
    if data.zip_code and not is_us_zip(data.zip_code):
        raise RowError(f"zip {data.zip_code!r} is not a ZIP code (five digits, or ZIP+4)")
    if data.phone and has_foreign_digits(data.phone):
        raise RowError(f"phone {data.phone!r} has digits other than 0-9")
    if data.phone and len(digits_of(data.phone)) < 7:
        raise RowError(f"phone {data.phone!r} has too few digits")
    if data.website:
        if "://" not in data.website:
            data.website = f"https://{data.website}"
        if not URL_PATTERN.match(data.website):
            raise RowError(f"website {data.website!r} is not a web address")
    latitude = _coordinate(row.get("latitude"), "latitude", -90, 90)
    longitude = _coordinate(row.get("longitude"), "longitude", -180, 180)
    if (latitude is None) != (longitude is None):
        raise RowError("latitude and longitude must be given together")
    point = Point(latitude, longitude) if latitude is not None and longitude is not None else None
    if point is None and data.zip_code:
        point = zip_point(data.zip_code)
        if point is None:
            raise RowError(f"no coordinates, and ZIP {data.zip_code} is not a known ZIP code")
    if point is None:
        raise RowError("no coordinates and no ZIP code: the facility cannot be placed on the map")
    data.latitude, data.longitude = point.latitude, point.longitude
    return data


def clean_locator_row(row: Any) -> FacilityData:
    """Facility fields for one locator export row, or RowError."""
    if not isinstance(row, Mapping):
        raise RowError("the row is not an object")
    data = _common(row, "name1")
    services = row.get("services") or []
    if not isinstance(services, list) or not all(isinstance(entry, Mapping) for entry in services):
        raise RowError("services must be a list of {category code, value text}")
    try:
        mapped = map_services(services)
    except ValueError as exc:
        raise RowError(str(exc)) from None
    data.services, data.payment, data.ages, data.languages = (
        mapped.services,
        mapped.payment,
        mapped.ages,
        mapped.languages,
    )
    data.evening_hours, data.weekend_hours = mapped.evening_hours, mapped.weekend_hours
    insurers = row.get("insurers") or []
    if not isinstance(insurers, list) or not all(isinstance(name, str) for name in insurers):
        raise RowError("insurers must be a list of names")
    data.insurers = [" ".join(name.split()) for name in insurers if name.strip()]
    explicit = row.get("id", row.get("frid", ""))
    data.key = _key("locator", str(explicit).strip() if explicit is not None else "", data)
    return data


def _codes(row: Mapping[str, Any], column: str, family: type[enum.IntFlag]) -> int:
    raw = _text(row, column)
    try:
        return vocab.from_codes(family, raw.split(";"))
    except ValueError as exc:
        raise RowError(f"{column}: {exc}") from None


def clean_csv_row(row: Mapping[str, Any]) -> FacilityData:
    """Facility fields for one CSV row (a DictReader row), or RowError."""
    if None in row:
        raise RowError("the row has more cells than the header has columns")
    data = _common(row, "name")
    data.services = _codes(row, "services", vocab.Service)
    data.payment = _codes(row, "payment", vocab.Payment)
    data.ages = _codes(row, "ages", vocab.Age)
    data.languages = _codes(row, "languages", vocab.Language) or int(vocab.Language.EN)
    data.evening_hours = _flag(row.get("evening_hours"), "evening_hours")
    data.weekend_hours = _flag(row.get("weekend_hours"), "weekend_hours")
    data.insurers = [name.strip() for name in _text(row, "insurers").split(";") if name.strip()]
    data.key = _key("csv", _text(row, "external_id"), data)
    return data
