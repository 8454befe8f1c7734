# SPDX-License-Identifier: AGPL-3.0-or-later
"""Audit benchmark: how fast events are appended, and what logging reads costs
a chart under load.

    python -m bench.audit --json [--database postgres|sqlite] [--writers 8] [--users 20] [--seconds 4]

On a fresh database (PostgreSQL by default: a throwaway cluster, by re-running
this module through ``scripts/with_postgres.py``):

* appends: WRITERS threads, one connection each, call ``log_action`` for
  SECONDS, each event its own transaction as in a request, while a sealer
  seals every second as the worker would; then every event must be sealed
  into one chain that ``audit_verify`` accepts;
* chart reads: ``GET /patients/<id>/`` (which logs a read) against gunicorn
  run as scripts/serve.sh runs it (WEB_WORKERS sync workers, default 2) on
  127.0.0.1: first one user alone, then USERS signed-in users at once, each
  opening a chart, reading it for 2-6 s, and opening the next.

Prints one JSON object (progress goes to stderr). The developer's database and
var/ are never touched: OPENIOP_VAR_DIR and DATABASE_URL point at scratch ones.
Bounded: under a minute of measuring, after migrating.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

from bench._common import ROOT, logger, percentile, process_tree_cpu_ms, run_benchmark, session_cookie, start_gunicorn

# A clinician opens a chart, reads it, opens the next: every 2-6 s. (With no
# pause at all, 20 users measure how many pages two workers can render, not
# whether one user's audit event holds up another's.)
THINK_SECONDS = (2.0, 6.0)


log = logger("bench.audit")


def prepare(patients: int) -> tuple[list[int], list[str]]:
    """A site, its clinicians and patients; (patient ids, one session cookie per clinician)."""
    from openiop.accounts.services import staff_create
    from openiop.audit.context import acting_as
    from openiop.core.roles import RoleCode
    from openiop.patients.demo import seed_patients
    from openiop.sites.models import Organization, Room, Site

    with acting_as(actor_username="bench"):
        organization = Organization.objects.create(name="Bench Recovery", mrn_prefix="BR")
        site = Site.objects.create(
            organization=organization,
            code="bench",
            name="Bench Site",
            street="1 Main Street",
            city="Boston",
            state="MA",
            zip_code="02108",
            time_zone="America/New_York",
        )
        Room.objects.create(site=site, name="Group room", capacity=12)
        users = [
            staff_create(
                username=f"bench-clinician-{number}",
                password=None,
                first_name="Bench",
                last_name=f"Clinician {number}",
                role_codes=[RoleCode.CLINICAL_DIRECTOR],
                sites=[site],
            )
            for number in range(25)
        ]
        for number in range(2):  # the demo patients' counsellors
            staff_create(
                username=f"bench-counsellor-{number}",
                password=None,
                first_name="Bench",
                last_name=f"Counsellor {number}",
                role_codes=[RoleCode.CLINICIAN],
                sites=[site],
            )
        seed_patients(count=patients, sites=[site], rng=random.Random(2026), tick=lambda _n: None)
    from openiop.patients.models import Patient

    cookies = [session_cookie(user) for user in users]
    return list(Patient.objects.values_list("pk", flat=True)), cookies


def measure_appends(writers: int, seconds: float) -> dict[str, Any]:
    from django.db import connection

    from openiop.audit.models import AuditEvent, AuditSeal
    from openiop.audit.sealing import seal_pending
    from openiop.audit.services import log_action
    from openiop.sites.models import Site

    site = Site.objects.get(code="bench")
    seal_pending()
    before = AuditEvent.objects.count()
    counts = [0] * writers
    errors: list[str] = []
    start_line = threading.Barrier(writers + 1)
    finish = time.monotonic() + seconds + 1_000_000  # set for real once all are ready

    def write(index: int) -> None:
        try:
            start_line.wait()
            while time.monotonic() < finish:
                log_action("record.read", obj=site, data={"writer": index, "n": counts[index]})
                counts[index] += 1
        except Exception as error:  # reported in the result
            errors.append(repr(error))
        finally:
            connection.close()

    stop_sealing = threading.Event()

    def seal() -> None:
        try:
            while not stop_sealing.wait(1.0):
                seal_pending(wait=False)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(index,)) for index in range(writers)]
    for thread in threads:
        thread.start()
    sealer = threading.Thread(target=seal)
    sealer.start()
    finish = time.monotonic() + seconds
    started = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    stop_sealing.set()
    sealer.join()
    seal_started = time.perf_counter()
    seal_pending()
    final_seal_seconds = time.perf_counter() - seal_started
    appended = AuditEvent.objects.count() - before
    return {
        "audit_appends_per_second": round(appended / elapsed, 1),
        "audit_writers": writers,
        "audit_appends": appended,
        "audit_appends_lost": sum(counts) - appended,
        "audit_writer_errors": errors[:3],
        "audit_unsealed_after_final_pass": AuditEvent.objects.filter(seal__isnull=True).count(),
        "audit_final_seal_pass_s": round(final_seal_seconds, 3),
        "audit_seals": AuditSeal.objects.count(),
    }


def fetch_chart(base: str, cookie: str, patient: int) -> float:
    request = urllib.request.Request(f"{base}/patients/{patient}/", headers={"Cookie": cookie})  # noqa: S310
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        response.read()
        if response.status != 200 or response.geturl().rstrip("/") != f"{base}/patients/{patient}":
            raise RuntimeError(f"chart {patient} answered {response.status} at {response.geturl()}")
    return (time.perf_counter() - start) * 1000


def measure_chart_reads(
    base: str, server_pid: int, patients: list[int], cookies: list[str], users: int, seconds: float, rng: random.Random
) -> dict[str, Any]:
    for patient in patients[:5]:  # warm both workers' caches and connections
        fetch_chart(base, cookies[0], patient)
        fetch_chart(base, cookies[1], patient)
    alone = [fetch_chart(base, cookies[0], rng.choice(patients)) for _ in range(60)]

    timings: list[list[float]] = [[] for _ in range(users)]
    errors: list[str] = []
    finish = time.monotonic() + seconds

    def user(index: int) -> None:
        own = random.Random(index)
        time.sleep(own.uniform(0, THINK_SECONDS[1]))  # users do not arrive in step
        try:
            while time.monotonic() < finish:
                timings[index].append(fetch_chart(base, cookies[index], own.choice(patients)))
                time.sleep(own.uniform(*THINK_SECONDS))
        except Exception as error:  # reported in the result
            errors.append(repr(error))

    threads = [threading.Thread(target=user, args=(index,)) for index in range(users)]
    cpu_before = process_tree_cpu_ms(server_pid)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = [value for values in timings for value in values]
    server_cpu_ms = process_tree_cpu_ms(server_pid) - cpu_before
    single_p95 = percentile(alone, 0.95)
    loaded_p95 = percentile(loaded, 0.95) if loaded else float("nan")
    return {
        "chart_read_single_user_p50_ms": round(percentile(alone, 0.50), 2),
        "chart_read_single_user_p95_ms": round(single_p95, 2),
        "chart_read_users": users,
        "chart_reads_under_load": len(loaded),
        "chart_read_under_load_p50_ms": round(percentile(loaded, 0.50), 2) if loaded else None,
        "chart_read_under_load_p95_ms": round(loaded_p95, 2),
        "chart_read_p95_ratio": round(loaded_p95 / single_p95, 2),
        # The server's CPU time per chart under load (gunicorn on /proc), and
        # what share of the machine the users asked for.
        "chart_read_server_cpu_mean_ms": round(server_cpu_ms / len(loaded), 1) if loaded else None,
        "chart_read_cpu_cores_used": round(server_cpu_ms / 1000 / seconds, 2),
        "chart_read_errors": errors[:3],
    }


def run(args: argparse.Namespace, database: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    log(f"migrating a fresh {connection.vendor} database")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    patients, cookies = prepare(args.patients)
    log(f"{args.writers} writers appending for {args.seconds} s")
    result: dict[str, Any] = {"database": database, **measure_appends(args.writers, args.seconds)}
    connection.close()
    log("starting gunicorn")
    server, base = start_gunicorn(dict(os.environ), workers=args.web_workers)
    try:
        log(f"chart reads: one user, then {args.users} users for {args.load_seconds} s")
        result.update(
            measure_chart_reads(
                base, server.pid, patients, cookies, args.users, args.load_seconds, random.Random(args.seed)
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = subprocess.run(
        [sys.executable, "manage.py", "audit_verify"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    result.update(
        {
            "audit_verify": (out.stdout or out.stderr).strip().splitlines()[-1:],
            "server": f"gunicorn, {args.web_workers} sync workers, DEBUG off",
            "user_think_time_s": list(THINK_SECONDS),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "ok": out.returncode == 0 and result["audit_appends_lost"] == 0 and not result["chart_read_errors"],
        }
    )
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=4.0, help="how long the writers append")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=30.0, help="how long the users read charts")
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object (the default)")
    args = parser.parse_args(argv)
    if min(args.writers, args.users, args.web_workers, args.patients) < 1 or args.users > 25:
        parser.error("--writers, --web-workers and --patients must be at least 1, --users 1 to 25")
    if not 0 < args.seconds <= 30 or not 0 < args.load_seconds <= 40:
        parser.error("--seconds must be 0-30 and --load-seconds 0-40 (the benchmark stays bounded)")

    return run_benchmark(
        "bench.audit", argv, args.database, lambda: run(args, args.database), ok=lambda result: result["ok"]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
