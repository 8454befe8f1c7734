# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from openiop.audit.context import acting_as
from openiop.directory.importer import FORMATS, ImportFileError, guess_format, import_facilities, max_bytes


class Command(BaseCommand):
    help = (
        "Import outside facilities from the national treatment locator's JSON export or a CSV file "
        "(columns in openiop/directory/rows.py). Good rows are kept, bad rows reported; safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=FORMATS, help="json or csv (default: from the file name)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        fmt = options["format"] or guess_format(path.name)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        size = path.stat().st_size
        if size > max_bytes():
            # Refused before reading it into memory.
            raise CommandError(f"{path}: the file is {size:,} bytes; the limit is {max_bytes():,} bytes.")
        content = path.read_bytes()
        try:
            with (
                acting_as(actor_username="import_facilities"),
                tqdm(desc=f"Importing {path.name}", unit="row", disable=None) as bar,
            ):
                report = import_facilities(content=content, fmt=fmt, progress=bar.update)
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        for bad in report.bad:
            self.stderr.write(f"row {bad.row}: {bad.reason}")
        message = (
            f"{report.rows} rows: {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.bad)} bad."
        )
        self.stdout.write(self.style.SUCCESS(message) if not report.bad else self.style.WARNING(message))
