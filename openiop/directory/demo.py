# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo directory: our own sites, plus synthetic outside facilities placed at
real ZIP code centroids (the same generator fills the benchmark's 20,000).
Invented names, phone numbers in the 555-01xx fiction range, example.org
websites."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from openiop.directory.models import Facility
from openiop.directory.places import entry_point, standard_zip_entries
from openiop.directory.services import facility_sync_all_sites
from openiop.directory.vocab import Age, Language, Payment, Service
from openiop.sites.models import Site

SYNTHETIC_COUNTS = {"tiny": 50, "small": 500, "medium": 2000, "large": 20000}
PER_TICK = 100

# (flag, share of facilities offering it)
SERVICE_ODDS = [
    (Service.IOP, 0.45), (Service.PHP, 0.15), (Service.OUTPATIENT, 0.8), (Service.DETOX, 0.2),
    (Service.MOUD, 0.45), (Service.MAUD, 0.35), (Service.MATRIX, 0.15),
]  # fmt: skip
PAYMENT_ODDS = [
    (Payment.PRIVATE, 0.75), (Payment.MEDICARE, 0.5), (Payment.MEDICAID, 0.7), (Payment.TRICARE, 0.3),
    (Payment.SLIDING_FEE, 0.45), (Payment.FREE, 0.2),
]  # fmt: skip
OTHER_LANGUAGES = [member for member in Language if member not in (Language.EN, Language.ES)]
INSURERS = ["Aetna", "Anthem", "Blue Cross Blue Shield", "Cigna", "Humana", "Kaiser Permanente", "UnitedHealthcare"]
NAME_ENDINGS = [
    "Recovery Center", "Treatment Services", "Counseling Center", "Behavioral Health", "Outpatient Program",
    "Addiction Services", "Wellness Clinic", "Health Partners",
]  # fmt: skip


def _flags(odds: list[tuple[Any, float]], rng: random.Random) -> int:
    value = 0
    for flag, share in odds:
        if rng.random() < share:
            value |= int(flag)
    return value


def synthetic_facility(number: int, entry: dict[str, Any], rng: random.Random) -> Facility:
    point = entry_point(entry)
    services = _flags(SERVICE_ODDS, rng) or int(Service.OUTPATIENT)
    payment = _flags(PAYMENT_ODDS, rng) or int(Payment.PRIVATE)
    ages = int(Age.ADULTS) if rng.random() < 0.95 else 0
    if rng.random() < 0.25 or not ages:
        ages |= int(Age.ADOLESCENTS)
    languages = int(Language.EN) | (int(Language.ES) if rng.random() < 0.45 else 0)
    for language in OTHER_LANGUAGES:
        if rng.random() < 0.03:
            languages |= int(language)
    area = (entry.get("area_codes") or ["555"])[0]
    city = str(entry.get("city", "")).title()
    facility = Facility(
        external_key=f"synthetic:{number}",
        source=Facility.Source.SYNTHETIC,
        name=f"{city} {rng.choice(NAME_ENDINGS)}",
        street1=f"{rng.randint(1, 9999)} {rng.choice(['Main', 'Oak', 'Elm', 'Park', 'Lake', 'Hill'])} Street",
        city=city,
        state=str(entry.get("state", "")),
        zip_code=str(entry["zip_code"]),
        phone=f"({area}) 555-01{rng.randint(0, 99):02d}",
        website=f"https://example.org/facility/{number}" if rng.random() < 0.6 else "",
        latitude=point.latitude,
        longitude=point.longitude,
        services=services,
        payment=payment,
        ages=ages,
        languages=languages,
        evening_hours=rng.random() < 0.5,
        weekend_hours=rng.random() < 0.25,
        insurers="\n".join(sorted(rng.sample(INSURERS, rng.randint(1, 4)))) if payment & Payment.PRIVATE else "",
    )
    facility.set_unit_vector()  # bulk_create skips save()
    return facility


def place_synthetic_facilities(
    count: int, rng: random.Random, *, progress: Callable[[int], None] | None = None, batch_size: int = 1000
) -> int:
    """Add COUNT synthetic facilities, each at a random real ZIP centroid.
    Bulk inserts (no per-row audit events: invented reference data). Returns
    how many were added."""
    entries = standard_zip_entries()
    start = Facility.objects.filter(source=Facility.Source.SYNTHETIC).count()
    added = 0
    while added < count:
        size = min(batch_size, count - added)
        batch = [synthetic_facility(start + added + index, rng.choice(entries), rng) for index in range(size)]
        Facility.objects.bulk_create(batch, ignore_conflicts=True)
        added += size
        if progress is not None:
            progress(size)
    return added


def progress_steps(size: str) -> int:
    return math.ceil(SYNTHETIC_COUNTS.get(size, SYNTHETIC_COUNTS["small"]) / PER_TICK)


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Directory entries for every site, and synthetic facilities up to the
    size's count (none added when already there)."""
    facility_sync_all_sites()
    wanted = SYNTHETIC_COUNTS.get(size, SYNTHETIC_COUNTS["small"])
    missing = wanted - Facility.objects.filter(source=Facility.Source.SYNTHETIC).count()
    done = {"rows": 0, "ticks": 0}

    def advance(rows: int) -> None:
        done["rows"] += rows
        ticks = done["rows"] // PER_TICK - done["ticks"]
        if ticks > 0:
            done["ticks"] += ticks
            tick(ticks)

    if missing > 0:
        place_synthetic_facilities(missing, rng, progress=advance)
    tick(max(0, progress_steps(size) - done["ticks"]))
