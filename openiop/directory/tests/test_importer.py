# SPDX-License-Identifier: AGPL-3.0-or-later
"""Importing outside facilities: good rows kept, bad rows reported, every row
all-or-nothing, the same file twice changes nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from openiop.audit.models import AuditEvent
from openiop.directory.importer import ImportFileError, import_facilities
from openiop.directory.models import Facility
from openiop.directory.vocab import Payment, Service

pytestmark = pytest.mark.django_db


def row(name: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name1": name,
        "name2": "",
        "street1": "1 Main Street",
        "street2": "",
        "city": "Boston",
        "state": "MA",
        "zip": "02108",
        "phone": "617-555-0100",
        "website": "https://example.org",
        "latitude": 42.36,
        "longitude": -71.06,
        "services": [
            {"f2": "SET", "f3": "Intensive outpatient treatment"},
            {"f2": "PAY", "f3": "Medicaid"},
        ],
    }
    values.update(overrides)
    return values


def export(*rows: dict[str, Any], wrapped: bool = True) -> bytes:
    document: Any = {"page": 1, "totalPages": 1, "rows": list(rows)} if wrapped else list(rows)
    return json.dumps(document).encode()


def test_good_rows_are_kept_and_bad_rows_are_reported_with_row_number_and_reason() -> None:
    content = export(row("Harbor House"), row("", street1="2 Main"), row("Lakeside", latitude="x"), row("Bayview"))

    report = import_facilities(content=content, fmt="json")

    assert report.summary() == {"rows": 4, "created": 2, "updated": 0, "unchanged": 0, "bad": 2}
    assert [(bad.row, bad.reason) for bad in report.bad] == [
        (2, "name1 (the facility's name) is missing"),
        (3, "latitude 'x' is not a number"),
    ]
    assert sorted(Facility.objects.values_list("name", flat=True)) == ["Bayview", "Harbor House"]
    harbor = Facility.objects.get(name="Harbor House")
    assert harbor.source == Facility.Source.LOCATOR
    assert harbor.services == int(Service.IOP)
    assert harbor.payment == int(Payment.MEDICAID)
    assert harbor.unit_z is not None


def test_importing_the_same_file_again_changes_nothing() -> None:
    content = export(row("Harbor House"), row("Bayview", id="FT-2"))
    import_facilities(content=content, fmt="json")
    before = list(Facility.objects.order_by("pk").values())

    report = import_facilities(content=content, fmt="json")

    assert report.summary() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "bad": 0}
    assert list(Facility.objects.order_by("pk").values()) == before


def test_a_corrected_row_updates_the_same_facility_in_place() -> None:
    import_facilities(content=export(row("Harbor House")), fmt="json")
    original = Facility.objects.get()

    report = import_facilities(
        content=export(row("Harbor House", phone="617-555-0199", latitude=42.4, longitude=-71.1)), fmt="json"
    )

    assert report.updated == 1
    facility = Facility.objects.get()
    assert facility.pk == original.pk
    assert facility.phone == "617-555-0199"
    assert (facility.latitude, facility.longitude) == (42.4, -71.1)
    assert facility.unit_z != original.unit_z


def test_a_bad_row_leaves_the_stored_facility_exactly_as_it_was() -> None:
    import_facilities(content=export(row("Harbor House", id="FT-1")), fmt="json")
    before = Facility.objects.values().get()

    # Same facility, good new phone, but a website that fails the model's
    # own check at save time: nothing of the row may land.
    report = import_facilities(
        content=export(row("Harbor House", id="FT-1", phone="617-555-0199", website="https://exa_mple.org")),
        fmt="json",
    )

    assert report.updated == 0
    assert len(report.bad) == 1
    assert "website" in report.bad[0].reason
    assert Facility.objects.values().get() == before


def test_the_same_facility_twice_in_one_file_is_reported() -> None:
    report = import_facilities(content=export(row("Harbor House"), row("Harbor House")), fmt="json")
    assert report.created == 1
    assert [(bad.row, bad.reason) for bad in report.bad] == [(2, "the same facility as row 1")]


def test_a_bare_list_of_rows_is_accepted() -> None:
    assert import_facilities(content=export(row("Harbor House"), wrapped=False), fmt="json").created == 1


def test_an_import_cannot_overwrite_one_of_our_own_sites(north: Any) -> None:
    own = Facility.objects.get(site=north)
    Facility.objects.filter(pk=own.pk).update(external_key="locator:FT-9")
    report = import_facilities(content=export(row("Taken Over", id="FT-9")), fmt="json")
    assert report.bad[0].reason == "an import cannot overwrite one of our own sites"
    assert Facility.objects.get(pk=own.pk).name == north.name


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "The file is not valid JSON: Expecting property name enclosed in double quotes at line 1"),
        (b'{"rows": 5}', 'Expected a list of facility rows, or an object with a "rows" list.'),
        (b"   ", "The file is empty."),
        (b'[{"name1": "Caf\xe9"}]', "The file is not UTF-8 text (byte 16 is not valid)."),
    ],
)
def test_a_malformed_json_file_is_refused_whole_with_a_clear_message(content: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        import_facilities(content=content, fmt="json")
    assert str(caught.value).startswith(message)
    assert not Facility.objects.filter(source=Facility.Source.LOCATOR).exists()


def test_an_oversized_file_is_refused_before_parsing(settings: Any) -> None:
    settings.OPENIOP_DIRECTORY_IMPORT_MAX_BYTES = 100
    content = export(row("Harbor House"), row("Bayview"))
    with pytest.raises(ImportFileError, match=f"The file is {len(content):,} bytes; the limit is 100 bytes"):
        import_facilities(content=content, fmt="json")
    assert not Facility.objects.exists()


CSV_HEADER = "external_id,name,street1,city,state,zip,latitude,longitude,services,payment,ages,languages,insurers,evening_hours,weekend_hours\n"  # noqa: E501


def test_csv_good_and_bad_rows_with_line_numbers() -> None:
    content = (
        CSV_HEADER
        + "A1,Lakeside Counseling,5 Lake St,Chicago,IL,60601,,,iop;moud,medicaid,adults,en;es,Aetna;Cigna,yes,no\n"
        + "A2,Broken Place,6 Lake St,Chicago,IL,60601,,,iop;spa,medicaid,adults,en,,no,no\n"
        + '"A3","Quoted, Name",7 Lake St,Chicago,IL,60601,41.9,-87.6,php,free,adolescents,,,,\n'
    ).encode()

    report = import_facilities(content=content, fmt="csv")

    assert report.summary() == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "bad": 1}
    assert report.bad[0].row == 3
    assert "services: unknown service code(s) spa" in report.bad[0].reason
    lakeside = Facility.objects.get(external_key="csv:A1")
    assert lakeside.insurer_list() == ["Aetna", "Cigna"]
    assert lakeside.evening_hours and not lakeside.weekend_hours
    assert Facility.objects.get(external_key="csv:A3").name == "Quoted, Name"
    assert import_facilities(content=content, fmt="csv").summary()["unchanged"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"title,city\nHarbor,Boston\n", "The CSV header has no name column (found: title, city)."),
        (b'name,city\n"Harbor,Boston\n', "The CSV file is malformed near line"),
    ],
)
def test_a_malformed_csv_file_is_refused_whole(content: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        import_facilities(content=content, fmt="csv")
    assert str(caught.value).startswith(message)


def test_each_import_is_audited_with_its_counts() -> None:
    import_facilities(content=export(row("Harbor House"), row("")), fmt="json")
    event = AuditEvent.objects.get(action="directory.import")
    assert event.data == {"format": "json", "rows": 2, "created": 1, "updated": 0, "unchanged": 0, "bad": 1}


def test_the_command_imports_reports_bad_rows_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "locator.json"
    path.write_bytes(export(row("Harbor House"), row("Lakeside", state="Illinois")))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_facilities", str(path), stdout=out, stderr=err)

    assert "2 rows: 1 new, 0 updated, 0 unchanged, 1 bad." in out.getvalue()
    assert "row 2: state 'ILLINOIS' is not a two-letter code" in err.getvalue()
    out = io.StringIO()
    call_command("import_facilities", str(path), "--format", "json", stdout=out, stderr=io.StringIO())
    assert "2 rows: 0 new, 0 updated, 1 unchanged, 1 bad." in out.getvalue()
    assert Facility.objects.filter(source=Facility.Source.LOCATOR).count() == 1


def test_the_command_refuses_a_malformed_or_oversized_file_clearly(tmp_path: Path, settings: Any) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("[{")
    with pytest.raises(CommandError, match=r"broken\.json: The file is not valid JSON"):
        call_command("import_facilities", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    settings.OPENIOP_DIRECTORY_IMPORT_MAX_BYTES = 10
    big = tmp_path / "big.csv"
    big.write_text("name\n" + "Harbor House\n" * 5)
    with pytest.raises(CommandError, match="the limit is 10 bytes"):
        call_command("import_facilities", str(big), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_facilities", str(tmp_path / "missing.csv"), stdout=io.StringIO())
