# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from openiop.audit.context import acting_as
from openiop.core import demo


class Command(BaseCommand):
    help = "Load synthetic demo data (organization, sites, rooms, staff in every role). Safe to run again."

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
            counts = demo.seed(size=size, seed_value=options["seed"], progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['sites']} sites, {counts['staff']} staff, {counts['patients']} patients."
            )
        )
        if not options["quiet_logins"]:
            call_command("demo_logins", stdout=self.stdout)
