# SPDX-License-Identifier: AGPL-3.0-or-later
"""Import outside facilities from a locator JSON export or a CSV file.

Whole-file problems (too big, not UTF-8, not JSON, no ``name`` column) stop
the import before anything is written, with ``ImportFileError``. Row problems
are collected in the report (row number and reason) while every good row is
kept; each row is saved all-or-nothing. Importing the same file again updates
in place (see ``rows.py`` for the stable key). The row number is the row's
position in the JSON list (from 1), or the CSV line it ends on (the header is
line 1).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from openiop.audit.services import log_action
from openiop.directory.models import Facility
from openiop.directory.rows import FacilityData, RowError, clean_csv_row, clean_locator_row
from openiop.directory.services import facility_upsert

FORMATS = ("json", "csv")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str


@dataclass
class ImportReport:
    format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[BadRow] = field(default_factory=list)

    @property
    def good(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad": len(self.bad),
        }


def max_bytes() -> int:
    return int(getattr(settings, "OPENIOP_DIRECTORY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def guess_format(filename: str) -> str:
    return "csv" if filename.lower().endswith(".csv") else "json"


def _text(content: bytes) -> str:
    limit = max_bytes()
    if len(content) > limit:
        raise ImportFileError(
            f"The file is {len(content):,} bytes; the limit is {limit:,} bytes. Split it into smaller files."
        )
    if not content.strip():
        raise ImportFileError("The file is empty.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"The file is not UTF-8 text (byte {exc.start + 1} is not valid).") from None


def json_rows(content: bytes) -> list[tuple[int, Any]]:
    try:
        document = json.loads(_text(content))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ImportFileError(f"The file is not valid JSON: {exc.msg} at {where}.") from None
    rows = document.get("rows") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        raise ImportFileError('Expected a list of facility rows, or an object with a "rows" list.')
    return list(enumerate(rows, start=1))


CSV_REQUIRED = {"name"}


def csv_rows(content: bytes) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(_text(content), newline=""), strict=True)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
        missing = CSV_REQUIRED - set(header)
        if missing:
            raise ImportFileError(
                f"The CSV header has no {', '.join(sorted(missing))} column (found: {', '.join(header) or 'nothing'})."
            )
        reader.fieldnames = header
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file is malformed near line {reader.line_num}: {exc}.") from None


CLEANERS: dict[str, Callable[[Any], FacilityData]] = {"json": clean_locator_row, "csv": clean_csv_row}
SOURCES = {"json": Facility.Source.LOCATOR, "csv": Facility.Source.CSV}


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return str(exc) or exc.__class__.__name__


def import_facilities(
    *, content: bytes, fmt: str, actor: Any = None, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Import every good row of CONTENT (``fmt`` "json" or "csv") and report
    the bad ones. Raises ImportFileError, writing nothing, for a bad file."""
    if fmt not in FORMATS:
        raise ImportFileError(f"Unknown format {fmt!r}; use json or csv.")
    rows = json_rows(content) if fmt == "json" else csv_rows(content)
    report = ImportReport(format=fmt, rows=len(rows))
    for _row_number, outcome in _import_rows(rows, fmt, progress):
        if isinstance(outcome, BadRow):
            report.bad.append(outcome)
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
    log_action("directory.import", actor=actor, data={"format": fmt, **report.summary()})
    return report


def _import_rows(
    rows: list[tuple[int, Any]], fmt: str, progress: Callable[[int], None] | None
) -> Iterator[tuple[int, BadRow | str]]:
    clean, source = CLEANERS[fmt], SOURCES[fmt]
    seen: dict[str, int] = {}
    for row_number, raw in rows:
        try:
            data = clean(raw)
            if data.key in seen:
                raise RowError(f"the same facility as row {seen[data.key]}")
            seen[data.key] = row_number
            _facility, outcome = facility_upsert(data=data, source=source)
            yield row_number, outcome
        except (RowError, ValidationError, DatabaseError, ValueError) as exc:
            yield row_number, BadRow(row_number, _reason(exc))
        if progress is not None:
            progress(1)
