# SPDX-License-Identifier: AGPL-3.0-or-later
"""One import row checked and turned into fields (plain tests)."""

from __future__ import annotations

from typing import Any

import pytest

from openiop.directory.places import zip_point
from openiop.directory.rows import RowError, clean_csv_row, clean_locator_row
from openiop.directory.vocab import Age, Language, Payment, Service


def locator_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name1": "Harbor Recovery Center",
        "name2": "Outpatient clinic",
        "street1": "10 Water Street",
        "street2": "",
        "city": "Boston",
        "state": "MA",
        "zip": "02108",
        "phone": "617-555-0100",
        "website": "www.harbor.example.org",
        "latitude": "42.3601",
        "longitude": "-71.0589",
        "services": [
            {"f1": "Service Setting", "f2": "SET", "f3": "Intensive outpatient treatment"},
            {"f1": "Payment", "f2": "PAY", "f3": "Medicaid; Private health insurance"},
            {"f1": "Age Groups Accepted", "f2": "AGE", "f3": "Adults"},
        ],
    }
    row.update(overrides)
    return row


def test_a_good_locator_row_becomes_facility_fields() -> None:
    data = clean_locator_row(locator_row())
    assert data.name == "Harbor Recovery Center"
    assert (data.latitude, data.longitude) == (42.3601, -71.0589)
    assert data.website == "https://www.harbor.example.org"
    assert data.services == int(Service.IOP)
    assert data.payment == int(Payment.MEDICAID | Payment.PRIVATE)
    assert data.ages == int(Age.ADULTS)
    assert data.key.startswith("locator:h")


def test_the_key_is_stable_and_ignores_what_may_be_corrected() -> None:
    first = clean_locator_row(locator_row()).key
    assert clean_locator_row(locator_row(phone="617-555-0199", name1="harbor  recovery center")).key == first
    assert clean_locator_row(locator_row(name1="Another Place")).key != first
    assert clean_locator_row(locator_row(id="FT-1234")).key == "locator:FT-1234"


def test_a_row_without_coordinates_is_placed_at_its_zip_centroid() -> None:
    data = clean_locator_row(locator_row(latitude=None, longitude=""))
    point = zip_point("02108")
    assert point is not None
    assert (data.latitude, data.longitude) == (point.latitude, point.longitude)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"name1": " "}, "name1 \\(the facility's name\\) is missing"),
        ({"latitude": "north"}, "latitude 'north' is not a number"),
        ({"latitude": 95}, "latitude 95 is outside -90 to 90"),
        ({"longitude": None}, "latitude and longitude must be given together"),
        ({"latitude": None, "longitude": None, "zip": "00000"}, "ZIP 00000 is not a known ZIP code"),
        ({"latitude": None, "longitude": None, "zip": ""}, "cannot be placed on the map"),
        ({"state": "Mass"}, "not a two-letter code"),
        ({"zip": "2108"}, "is not a ZIP code"),
        ({"phone": "call us"}, "too few digits"),
        ({"website": "http://not a site"}, "not a web address"),
        ({"services": "IOP"}, "services must be a list"),
        ({"services": [{"f2": "SET"}]}, "value text"),
        ({"insurers": "Aetna"}, "insurers must be a list"),
        ({"name1": "x" * 201}, "longer than 200"),
        ({"id": "has spaces"}, "identifier may use only"),
    ],
)
def test_bad_locator_rows_say_why(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(RowError, match=reason):
        clean_locator_row(locator_row(**overrides))


def test_a_row_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(RowError, match="not an object"):
        clean_locator_row(["Harbor"])


def csv_row(**overrides: str) -> dict[str, str]:
    row = {
        "external_id": "P-7",
        "name": "Lakeside Counseling",
        "city": "Chicago",
        "state": "IL",
        "zip": "60601",
        "latitude": "",
        "longitude": "",
        "services": "iop;moud",
        "payment": "medicaid; sliding_fee",
        "ages": "adults;adolescents",
        "languages": "en;es",
        "insurers": "Aetna; Cigna",
        "evening_hours": "yes",
        "weekend_hours": "",
    }
    row.update(overrides)
    return row


def test_a_good_csv_row_becomes_facility_fields() -> None:
    data = clean_csv_row(csv_row())
    assert data.key == "csv:P-7"
    assert data.services == int(Service.IOP | Service.MOUD)
    assert data.payment == int(Payment.MEDICAID | Payment.SLIDING_FEE)
    assert data.ages == int(Age.ADULTS | Age.ADOLESCENTS)
    assert data.languages == int(Language.EN | Language.ES)
    assert data.insurers == ["Aetna", "Cigna"]
    assert (data.evening_hours, data.weekend_hours) == (True, False)
    assert data.model_fields()["insurers"] == "Aetna\nCigna"


def test_empty_languages_in_csv_mean_english() -> None:
    assert clean_csv_row(csv_row(languages="")).languages == int(Language.EN)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"services": "iop;rehab"}, "services: unknown service code\\(s\\) rehab"),
        ({"payment": "cash"}, "payment: unknown payment code\\(s\\) cash"),
        ({"evening_hours": "sometimes"}, "evening_hours must be yes or no"),
        ({"name": ""}, "name \\(the facility's name\\) is missing"),
    ],
)
def test_bad_csv_rows_say_why(overrides: dict[str, str], reason: str) -> None:
    with pytest.raises(RowError, match=reason):
        clean_csv_row(csv_row(**overrides))


def test_a_csv_row_with_extra_cells_is_refused() -> None:
    row: dict[Any, Any] = csv_row()
    row[None] = ["stray"]
    with pytest.raises(RowError, match="more cells than the header"):
        clean_csv_row(row)
