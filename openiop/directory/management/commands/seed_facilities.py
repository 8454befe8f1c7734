# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from openiop.directory.demo import place_synthetic_facilities


class Command(BaseCommand):
    help = "Add synthetic outside facilities at real ZIP centroids (for the demo and the locator benchmark)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=20000, help="How many facilities to add.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1")
        rng = random.Random(options["seed"])  # noqa: S311 - synthetic demo data, not secrets
        with tqdm(total=count, desc="Placing facilities", unit="facility", disable=None) as bar:
            added = place_synthetic_facilities(count, rng, progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"Added {added} synthetic facilities."))
