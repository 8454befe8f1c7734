# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read files from the clearinghouse by hand: ``clearinghouse_import FILE...``
(271 eligibility answers today; the reader is chosen by each file's
transaction set), or ``--inbox`` for everything waiting in the inbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.insurance.services_eligibility import clearinghouse_file_import, eligibility_inbox_import


class Command(BaseCommand):
    help = "Read X12 answers from the clearinghouse (271 today) into OpenIOP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path)
        parser.add_argument("--inbox", action="store_true", help="Read every file waiting in the inbox.")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"]
        if not files and not options["inbox"]:
            raise CommandError("Name the files to read, or pass --inbox.")
        outcomes = eligibility_inbox_import() if options["inbox"] else []
        for path in files:
            try:
                text = path.read_text(encoding="latin-1")
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from None
            outcomes.append(clearinghouse_file_import(path.name, text))
        refused = 0
        for outcome in outcomes:
            style = self.style.SUCCESS if outcome.accepted else self.style.ERROR
            refused += not outcome.accepted
            self.stdout.write(style(f"{outcome.kind or '?'} {outcome.message}"))
        if refused:
            raise CommandError(f"{refused} file(s) not read.")
