# SPDX-License-Identifier: AGPL-3.0-or-later
"""Locator benchmark: radius-plus-filter searches over N synthetic facilities.

    python -m bench.locator --facilities 20000 --json [--database sqlite|postgres] [--queries 200] [--seed K]

Builds a fresh database (SQLite: a file in a temporary directory; PostgreSQL:
a throwaway cluster, by re-running this module through
``scripts/with_postgres.py``), places the facilities at real ZIP centroids,
then runs the same queries three ways:

* in-process: the search selector the page uses (``search_facilities``);
* over HTTP: ``GET /help/find/?zip=...`` against gunicorn (one sync worker,
  DEBUG off, manifest static files) started in a subprocess on a free port;
* naive: every listed facility read and every distance computed in Python
  (``search_by_full_scan``).

Queries: an origin at a random real ZIP code, a radius from the locator's
usual menu (5-500 miles, weighted towards 10-50), and 0-3 random filters.
Prints one JSON object (progress goes to stderr). The developer's database
is never touched: OPENIOP_VAR_DIR and DATABASE_URL point at the temporary one.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from bench._common import logger, percentile, process_tree_cpu_ms, run_benchmark, start_gunicorn

RADII = [(5, 1), (10, 3), (25, 5), (50, 4), (100, 2), (250, 1), (500, 1)]  # (miles, weight)


log = logger("bench.locator")


@dataclass
class Query:
    zip_code: str
    radius: int
    services: list[str] = field(default_factory=list)
    payment: list[str] = field(default_factory=list)
    language: str = ""
    evening: bool = False

    def params(self) -> list[tuple[str, str]]:
        pairs = [("zip", self.zip_code), ("radius", str(self.radius))]
        pairs += [("services", code) for code in self.services]
        pairs += [("payment", code) for code in self.payment]
        if self.language:
            pairs.append(("language", self.language))
        if self.evening:
            pairs.append(("evening", "on"))
        return pairs


def make_queries(count: int, rng: random.Random) -> list[Query]:
    from openiop.directory.places import standard_zip_entries

    entries = standard_zip_entries()
    radii, weights = zip(*RADII, strict=True)
    queries = []
    for _ in range(count):
        query = Query(zip_code=str(rng.choice(entries)["zip_code"]), radius=rng.choices(radii, weights)[0])
        for _filter in range(rng.randint(0, 3)):
            kind = rng.choice(["services", "payment", "language", "evening"])
            if kind == "services":
                query.services.append(rng.choice(["iop", "php", "detox", "moud", "maud", "matrix"]))
            elif kind == "payment":
                query.payment.append(rng.choice(["private", "medicare", "medicaid", "tricare", "sliding_fee", "free"]))
            elif kind == "language":
                query.language = "es"
            else:
                query.evening = True
        queries.append(query)
    return queries


def run(args: argparse.Namespace, database: str) -> dict[str, Any]:
    """Inside the prepared environment: build, measure, return the results."""
    import django

    django.setup()
    from urllib.parse import urlencode

    from django.core.management import call_command
    from django.db import connection

    from openiop.directory.demo import place_synthetic_facilities
    from openiop.directory.forms import SearchForm
    from openiop.directory.selectors import COUNT_CAP, search_by_full_scan, search_facilities

    log(f"migrating a fresh {connection.vendor} database")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    if connection.vendor == "postgresql":
        # The throwaway cluster runs with synchronous_commit off for the test
        # suite's sake. Production keeps it on, and only then can VACUUM mark
        # freshly loaded pages all-visible (it will not trust commits whose WAL
        # is not yet flushed). Without that, every index-only scan reads the
        # table as well, which production would not do.
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO on")
    log(f"placing {args.facilities} facilities")
    place_synthetic_facilities(args.facilities, rng)
    if connection.vendor == "postgresql":
        # What autovacuum would have done by now: statistics and the
        # visibility map (which lets the count read the index alone).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE directory_facility")
            cursor.execute("SELECT relallvisible, relpages FROM pg_class WHERE relname = 'directory_facility'")
            visible, pages = cursor.fetchone()
        log(f"visibility map: {visible} of {pages} pages all-visible")
    queries = make_queries(args.queries, rng)
    searches = []
    for query in queries:
        form = SearchForm(_querydict(query.params()))
        if not form.is_valid() or form.origin is None:
            raise RuntimeError(f"benchmark query refused: {query} {form.errors}")
        searches.append({"origin": form.origin, "radius_miles": form.cleaned_data["radius"], "filters": form.filters()})

    def timed(function: Any, search: dict[str, Any]) -> tuple[float, float, Any]:
        start, cpu = time.perf_counter(), time.process_time()
        result = function(**search)
        return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000, result

    for search in searches[:10]:  # warm caches and connections
        search_facilities(**search)
    log(f"{len(searches)} in-process and naive searches")
    inprocess, inprocess_cpu, naive, mismatches, totals = [], [], [], 0, []
    by_radius: dict[int, list[float]] = {}
    for query, search in zip(queries, searches, strict=True):
        fast_ms, fast_cpu_ms, fast = timed(search_facilities, search)
        slow_ms, _slow_cpu_ms, slow = timed(search_by_full_scan, search)
        inprocess.append(fast_ms)
        inprocess_cpu.append(fast_cpu_ms)
        naive.append(slow_ms)
        by_radius.setdefault(query.radius, []).append(fast_ms)
        totals.append(fast.total)
        same = fast.total == min(slow.total, COUNT_CAP + 1) and [h.facility.pk for h in fast.hits] == [
            h.facility.pk for h in slow.hits
        ]
        mismatches += not same

    connection.close()
    log("starting gunicorn")
    server, base = start_gunicorn(dict(os.environ), workers=1, ready_path="/help/find/")
    http: list[float] = []
    try:
        for query in queries[:10]:
            urllib.request.urlopen(f"{base}/help/find/?{urlencode(query.params())}").read()  # noqa: S310
        log(f"{len(queries)} HTTP searches")
        server_cpu_before = process_tree_cpu_ms(server.pid)
        for query, total in zip(queries, totals, strict=True):
            url = f"{base}/help/find/?{urlencode(query.params())}"
            start = time.perf_counter()
            with urllib.request.urlopen(url) as response:  # noqa: S310 - loopback
                body = response.read()
            http.append((time.perf_counter() - start) * 1000)
            if response.status != 200 or f'data-total="{total}"'.encode() not in body:
                mismatches += 1
        server_cpu_ms = process_tree_cpu_ms(server.pid) - server_cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)

    return {
        "facilities": args.facilities,
        "queries": len(queries),
        "database": database,
        "inprocess_p50_ms": round(percentile(inprocess, 0.50), 3),
        "inprocess_p95_ms": round(percentile(inprocess, 0.95), 3),
        "http_p50_ms": round(percentile(http, 0.50), 3),
        "http_p95_ms": round(percentile(http, 0.95), 3),
        # This process's CPU time per search: on SQLite that is nearly all the
        # work, so it shows the cost when other jobs share the cores.
        "inprocess_cpu_p95_ms": round(percentile(inprocess_cpu, 0.95), 3),
        # The server's CPU time per request (gunicorn on /proc; 10 ms ticks).
        "http_server_cpu_mean_ms": round(server_cpu_ms / len(queries), 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "naive_p50_ms": round(percentile(naive, 0.50), 3),
        "naive_p95_ms": round(percentile(naive, 0.95), 3),
        "inprocess_p95_ms_by_radius": {
            str(radius): round(percentile(times, 0.95), 3) for radius, times in sorted(by_radius.items())
        },
        "results_per_query_median": statistics.median(totals),
        "results_match": mismatches == 0,
        "seed": args.seed,
        "server": "gunicorn, 1 sync worker, DEBUG off",
    }


def _querydict(pairs: list[tuple[str, str]]) -> Any:
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for name, value in pairs:
        data.appendlist(name, value)
    return data


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.locator", description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object (the default)")
    args = parser.parse_args(argv)
    if args.facilities < 1 or args.queries < 1:
        parser.error("--facilities and --queries must be at least 1")

    return run_benchmark(
        "bench.locator",
        argv,
        args.database,
        lambda: run(args, args.database),
        ok=lambda result: result["results_match"],
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
