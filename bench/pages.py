# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages at the size of a real program: server time and queries per page.

    python -m bench.pages --patients 10000 --json [--database sqlite|postgres] [--repeat 15]

For each size (the baseline of 1,000 patients, then ``--patients``) a fresh
scratch database (SQLite, or a throwaway PostgreSQL cluster) is migrated and
filled with ``manage.py seed`` (medium = 1,000 patients over 10 sites, large
= 10,000 over 100 sites, each with a program's history), and then every staff
page that lists or shows patients is requested in process through Django's
test client, signed in as each demo role that uses it: REPEAT timed requests
after two warm-up ones. Server time is the whole request through the
middleware (sessions, audit of the read, templates), without a network.

Prints one JSON object: per page and role ``p50_ms``, ``p95_ms``, ``cpu_p50_ms``
(this process's CPU per request: on a busy machine the figure to compare
between runs), ``queries`` and the same at the baseline (``base_*``), then
``worst_p95_ms`` (at the larger size) and ``max_queries_growth`` (queries at the larger size minus at
the baseline, the largest over all pages: 0 means no page's query count
grows with the data). Targets: every page p95 <= 100 ms at 10,000 patients on
PostgreSQL, and ``max_queries_growth`` 0. Seeding the large size takes 5-8
minutes; the measuring itself a minute or two.

A seeded size is kept under ``var/bench-seeds/<database>-<size>/`` (the
scratch var/ directory with its keys, and for PostgreSQL a ``pg_dump`` of the
database) and reused by the next run, which only applies newer migrations:
pass ``--fresh`` to seed again (after the demo seeding itself changed).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._common import ROOT, logger, percentile, run_benchmark

log = logger("bench.pages")
SIZE_FOR_PATIENTS = {300: "small", 1000: "medium", 10000: "large"}
BASELINE_PATIENTS = 1000
TARGET_P95_MS = 100.0
SEED_CACHE = ROOT / "var" / "bench-seeds"
SEED_COMPLETE = "seeded"  # written last: a cache without it is ignored


@dataclass(frozen=True)
class PageSpec:
    """A page, how to build its URL from the sample records, and who opens it."""

    name: str
    url: Callable[[dict[str, Any]], str | None]
    roles: tuple[str, ...]


def _reverse(name: str, *sample_keys: str, query: str = "") -> Callable[[dict[str, Any]], str | None]:
    """The URL of NAME with the sample records named by SAMPLE_KEYS as its
    arguments, or None when this version has no such page or no such record."""

    def build(sample: dict[str, Any]) -> str | None:
        from django.urls import NoReverseMatch, reverse

        values = [sample.get(key) for key in sample_keys]
        if any(value is None for value in values):
            return None
        try:
            return reverse(name, args=values) + query.format(**sample)
        except NoReverseMatch:
            return None  # a page not (yet) in this version

    return build


def page_specs() -> list[PageSpec]:
    from openiop.patients import chart

    everyone = ("admin", "director", "clinician", "nurse", "prescriber", "navigator", "billing", "frontdesk", "privacy")
    specs = [
        PageSpec("dashboard", _reverse("core:dashboard"), everyone),
        PageSpec("patient list", _reverse("patients:list"), ("director", "clinician", "frontdesk", "billing")),
        PageSpec("patient search", _reverse("patients:list", query="?q={search}"), ("director", "frontdesk")),
        PageSpec("admissions board", _reverse("admissions:board"), ("navigator", "director")),
        PageSpec("safety alerts", _reverse("assessments:alerts"), ("clinician", "director", "nurse")),
        PageSpec("schedule calendar", _reverse("scheduling:calendar"), ("frontdesk", "director", "clinician")),
        PageSpec("attendance", _reverse("scheduling:attendance", "session"), ("clinician",)),
        PageSpec("hours dashboard", _reverse("scheduling:hours"), ("director", "clinician")),
        PageSpec("group notes", _reverse("treatment:group_list"), ("clinician", "director")),
        PageSpec("audit log", _reverse("audit:events"), ("admin",)),
        PageSpec("privacy dashboard", _reverse("privacy:overview"), ("privacy",)),
        PageSpec("billing workspace", _reverse("billing:workspace"), ("billing",)),
    ]
    for tab in (*chart.BUILT_IN_TABS, *(extra.key for extra in chart.CHART_TABS)):
        specs.append(
            PageSpec(f"chart tab {tab}", _reverse("patients:chart", "patient", query=f"?tab={tab}"), ("clinician",))
        )
    return specs


def sample_records() -> dict[str, Any]:
    """A patient on the demo clinician's care team, a session of theirs that
    has happened, and a name to search for."""
    from django.utils import timezone

    from openiop.accounts.models import User
    from openiop.patients.models import Episode
    from openiop.scheduling.models import Session

    clinician = User.objects.get(username="clinician")
    episode = (
        Episode.objects.filter(status=Episode.Status.ACTIVE, care_team_members__user=clinician)
        .select_related("patient")
        .order_by("pk")
        .first()
    )
    if episode is None:
        raise RuntimeError("the demo clinician has no patient in treatment; was the database seeded?")
    session = (
        Session.objects.filter(site__in=clinician.site_ids(), start__lte=timezone.now(), enrolments__isnull=False)
        .order_by("-start")
        .first()
    )
    return {
        "patient": episode.patient_id,
        "session": session.pk if session else None,
        "search": episode.patient.legal_last_name[:4],
    }


def _pg_command(tool: str) -> list[str]:
    """A PostgreSQL client TOOL (Debian's, beside the server scripts/with_postgres.py started)."""
    bin_dirs = [os.environ["PG_BIN"]] if os.environ.get("PG_BIN") else sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return [str(Path(bin_dirs[-1]) / tool), "--no-owner", f"--dbname={os.environ['DATABASE_URL']}"]


def restore_seed(cache: Path, var_dir: Path, vendor: str) -> bool:
    """Put a kept seed (var/ and, for PostgreSQL, the database) in place; False when there is none."""
    if not (cache / SEED_COMPLETE).exists():
        return False
    shutil.copytree(cache / "var", var_dir, dirs_exist_ok=True)
    if vendor == "postgresql":
        subprocess.run([*_pg_command("pg_restore"), "--single-transaction", str(cache / "db.dump")], check=True)  # noqa: S603
    return True


def keep_seed(cache: Path, var_dir: Path, vendor: str) -> None:
    """Keep the freshly seeded var/ (and database) for the next run."""
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    shutil.copytree(var_dir, cache / "var", ignore=shutil.ignore_patterns("static", "media"))
    if vendor == "postgresql":
        subprocess.run([*_pg_command("pg_dump"), "--format=custom", f"--file={cache / 'db.dump'}"], check=True)  # noqa: S603
    (cache / SEED_COMPLETE).write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), encoding="utf-8")


def measure_size(size: str, repeat: int, *, fresh: bool = False, only: str = "") -> dict[str, Any]:
    """Inside a scratch environment: seed SIZE (or reuse a kept seed), then time every page."""
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    var_dir = Path(os.environ["OPENIOP_VAR_DIR"])
    cache = SEED_CACHE / f"{vendor}-{size}"
    # Before django.setup(): the settings read the secret and audit keys from var/.
    reused = not fresh and restore_seed(cache, var_dir, vendor)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openiop.accounts.models import User

    log(f"migrating {'the kept' if reused else 'a fresh'} {connection.vendor} database")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    if reused:
        log(f"reusing the seed kept in {cache} (--fresh seeds again)")
    else:
        log(f"seeding --size {size}")
        call_command("seed", size=size, verbosity=0)
        connection.close()  # the SQLite file complete on disk before it is copied
        keep_seed(cache, var_dir, vendor)
    seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would have done by now
    sample = sample_records()
    clients: dict[str, Client] = {}
    pages: dict[str, dict[str, Any]] = {}
    for spec in page_specs():
        if only and not any(part.strip() in spec.name for part in only.split(",")):
            continue
        url = spec.url(sample)
        if url is None:
            continue
        for role in spec.roles:
            client = clients.get(role)
            if client is None:
                client = clients[role] = Client()
                client.force_login(User.objects.get(username=role))
            key = f"{spec.name} ({role})"
            for _ in range(2):
                client.get(url)
            times: list[float] = []
            cpu_times: list[float] = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    start, cpu_start = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu_times.append((time.process_time() - cpu_start) * 1000)
            if response.status_code != 200:
                pages[key] = {"url": url, "status": response.status_code}
                continue
            pages[key] = {
                "url": url,
                "p50_ms": round(percentile(times, 0.50), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                # This process's CPU per request (SQLite's work included, not
                # PostgreSQL's): comparable between runs on a busy machine.
                "cpu_p50_ms": round(percentile(cpu_times, 0.50), 1),
                "queries": len(queries.captured_queries),
            }
    return {
        "size": size,
        "database": connection.vendor,
        "seed_seconds": round(seed_seconds, 1),
        "seed_reused": reused,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "pages": pages,
    }


def one_size(size: str, database: str, repeat: int, *, fresh: bool = False, only: str = "") -> dict[str, Any]:
    """Run this module for one size in its own process and scratch database."""
    command = [sys.executable, "-m", "bench.pages", "--one-size", size, "--database", database, "--repeat", str(repeat)]
    if fresh:
        command.append("--fresh")
    if only:
        command.append(f"--only={only}")
    completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=False, text=True)  # noqa: S603
    if completed.returncode not in (0, 2):  # 2: measured, but some page did not answer 200 (listed)
        raise RuntimeError(f"measuring --size {size} failed (exit {completed.returncode})")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def combine(base: dict[str, Any], large: dict[str, Any], patients: int) -> dict[str, Any]:
    pages: dict[str, dict[str, Any]] = {}
    growth = 0
    worst = 0.0
    failed = []
    for key, figures in large["pages"].items():
        before = base["pages"].get(key, {})
        entry = dict(figures)
        if "p95_ms" not in figures:
            failed.append(key)
        else:
            worst = max(worst, figures["p95_ms"])
            if "queries" in before:
                entry.update(base_p50_ms=before["p50_ms"], base_p95_ms=before["p95_ms"], base_queries=before["queries"])
                if "cpu_p50_ms" in before:
                    entry.update(base_cpu_p50_ms=before["cpu_p50_ms"])
                growth = max(growth, figures["queries"] - before["queries"])
        pages[key] = entry
    slow = sorted(key for key, entry in pages.items() if entry.get("p95_ms", 0) > TARGET_P95_MS)
    return {
        "database": large["database"],
        "patients": patients,
        "base_patients": BASELINE_PATIENTS,
        "seed_seconds": large["seed_seconds"],
        "base_seed_seconds": base["seed_seconds"],
        "load_average_1min": large["load_average_1min"],
        "worst_p95_ms": worst,
        "max_queries_growth": growth,
        "pages_over_target": slow,
        "pages_failed": failed,
        "pages": pages,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, choices=sorted(SIZE_FOR_PATIENTS), default=10000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page and role")
    parser.add_argument("--one-size", choices=sorted(SIZE_FOR_PATIENTS.values()), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object (the default)")
    parser.add_argument("--fresh", action="store_true", help=f"seed again instead of reusing {SEED_CACHE}")
    parser.add_argument(
        "--only", default="", help="measure only the pages whose name contains one of these (comma-separated)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= 200:
        parser.error("--repeat must be 1 to 200")
    if args.one_size:
        return run_benchmark(
            "bench.pages",
            argv,
            args.database,
            lambda: measure_size(args.one_size, args.repeat, fresh=args.fresh, only=args.only),
            ok=lambda result: all("p95_ms" in page for page in result["pages"].values()),
        )
    base = one_size(SIZE_FOR_PATIENTS[BASELINE_PATIENTS], args.database, args.repeat, fresh=args.fresh, only=args.only)
    large = (
        base
        if args.patients == BASELINE_PATIENTS
        else one_size(SIZE_FOR_PATIENTS[args.patients], args.database, args.repeat, fresh=args.fresh, only=args.only)
    )
    result = combine(base, large, args.patients)
    print(json.dumps(result))
    return 0 if not result["pages_failed"] else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
