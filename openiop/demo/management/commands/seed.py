# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from openiop.audit import bulk as demo_bulk
from openiop.audit.context import acting_as
from openiop.demo import program as demo


class Command(BaseCommand):
    help = (
        "Load synthetic demo data: an organization, its sites and staff, and a running program's patients, plans, "
        "schedule, attendance, notes, instruments, drug tests and inquiries. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="small", help="How much data to make.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins (make demo prints them last)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["size"]
        with (
            acting_as(actor_username="seed"),
            tqdm(total=demo.progress_total(size), desc=f"Seeding ({size})", unit="step", disable=None) as bar,
        ):
            started, rows_before = time.monotonic(), demo_bulk.ROWS_WRITTEN["rows"]

            def advance(steps: int) -> None:
                # tqdm shows steps per second (about one patient's worth of
                # work each); the postfix adds the rows the bulk phases write.
                rows = demo_bulk.ROWS_WRITTEN["rows"] - rows_before
                rate = rows / max(time.monotonic() - started, 1e-6)
                bar.set_postfix_str(f"{rows:,} rows, {rate:,.0f} rows/s", refresh=False)
                bar.update(steps)

            counts = demo.seed(size=size, seed_value=options["seed"], progress=advance)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['sites']} sites, {counts['staff']} staff, {counts['patients']} patients."
            )
        )
        if not options["quiet_logins"]:
            call_command("demo_logins", stdout=self.stdout)
