# SPDX-License-Identifier: AGPL-3.0-or-later
"""A bounded load test: staff at work on gunicorn, as ``make demo`` serves it.

    python -m bench.load --json [--database postgres|sqlite] [--users 20] [--seconds 45] [--size small]

On a fresh scratch database (PostgreSQL by default: a throwaway cluster) seeded
with ``manage.py seed --size SIZE``, gunicorn runs on 127.0.0.1 only, with the
sync workers scripts/serve.sh starts (WEB_WORKERS, default 2) and the
background worker's sealing pass every 20 s, and locust (headless, in its own
process: bench/locustfile.py) plays USERS signed-in staff for SECONDS (at most
60): clinicians, nurses and a prescriber reading dashboards, lists, charts and
calendars, front desk and navigators on their boards, and front desk,
navigators and directors saving the same patient's contact details at once.

Prints one JSON object: requests per second, p50/p95/p99 in ms, failures (the
target is 0), the saves accepted and refused, and ``lost_updates``: accepted
saves the record does not show (its version must have moved by exactly the
number accepted, and the audit log must hold one change per accepted save),
which must be 0 - the optimistic lock refuses a stale save instead of
overwriting.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._common import ROOT, logger, run_benchmark, session_cookie, start_gunicorn

log = logger("bench.load")
# Who the simulated users are, in the proportions of a program's day shift.
ROLE_MIX = [
    "clinician",
    "clinician",
    "nurse",
    "frontdesk",
    "clinician",
    "admissionsnavigator",
    "clinicaldirector",
    "clinician",
    "nurse",
    "frontdesk",
    "prescriber",
    "clinician",
    "billingspecialist",
    "admissionsnavigator",
    "clinician",
    "nurse",
    "frontdesk",
    "clinicaldirector",
    "clinician",
    "clinician",
]
EDITING_ROLES = {"frontdesk", "admissionsnavigator", "clinicaldirector"}
PAGES_BY_ROLE = {
    "clinician": [
        "core:dashboard",
        "patients:list",
        "assessments:alerts",
        "scheduling:calendar",
        "treatment:group_list",
    ],
    "nurse": ["core:dashboard", "patients:list", "assessments:alerts", "scheduling:calendar"],
    "prescriber": ["core:dashboard", "patients:list", "assessments:alerts"],
    "clinicaldirector": ["core:dashboard", "patients:list", "scheduling:hours", "scheduling:calendar"],
    "frontdesk": ["core:dashboard", "patients:list", "scheduling:calendar"],
    "admissionsnavigator": ["core:dashboard", "admissions:board", "patients:list"],
    "billingspecialist": ["core:dashboard", "patients:list", "billing:workspace"],
}


def write_plan(path: Path, users: int) -> dict[str, Any]:
    """Sessions, pages and reachable patients for each simulated user, from
    the staff of the first named site."""
    from django.urls import NoReverseMatch, reverse

    from openiop.accounts.models import User
    from openiop.core.access import allowed_actions
    from openiop.patients import chart
    from openiop.patients.models import Patient
    from openiop.patients.permissions import PATIENT_VIEW
    from openiop.sites.models import Site

    site = Site.objects.order_by("pk").first()
    if site is None:
        raise RuntimeError("no site: was the database seeded?")
    contested = Patient.objects.filter(site=site).order_by("pk").first()
    if contested is None:
        raise RuntimeError(f"no patient at {site}")
    entries = []
    for index in range(users):
        role = ROLE_MIX[index % len(ROLE_MIX)]
        staff = User.objects.filter(username__startswith=f"{site.code}-{role}-", is_active=True).order_by("username")
        user = staff[index % max(1, staff.count())]
        pages = []
        for name in PAGES_BY_ROLE[role]:
            try:
                pages.append(reverse(name))
            except NoReverseMatch:
                continue  # a page this version does not have yet
        actions = allowed_actions(user)
        tabs = [*chart.BUILT_IN_TABS, *(tab.key for tab in chart.tabs_for(actions))]
        patients = list(Patient.objects.restrict(user, PATIENT_VIEW).order_by("pk").values_list("pk", flat=True)[:300])
        entries.append(
            {
                "username": user.username,
                "role": role,
                "cookie": session_cookie(user),
                "pages": pages,
                "tabs": tabs,
                "patients": patients,
                "edits": role in EDITING_ROLES,
            }
        )
    plan = {"contested_patient": contested.pk, "users": entries}
    path.write_text(json.dumps(plan), encoding="utf-8")
    return plan


def aggregated(stats_csv: Path) -> dict[str, str]:
    with stats_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                return row
    raise RuntimeError(f"no aggregated row in {stats_csv}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from openiop.audit.models import AuditEvent
    from openiop.patients.models import Patient

    log(f"migrating a fresh {connection.vendor} database and seeding --size {args.size}")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("seed", size=args.size, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    scratch = Path(tempfile.mkdtemp(prefix="openiop-load-"))
    plan = write_plan(scratch / "plan.json", args.users)
    contested = Patient.objects.get(pk=plan["contested_patient"])
    version_before = contested.version
    changes = AuditEvent.objects.filter(
        action="record.update", object_type="patients.patient", object_id=str(contested.pk)
    )
    changes_before = changes.count()
    connection.close()

    env = dict(os.environ, OPENIOP_LOAD_PLAN=str(scratch / "plan.json"), OPENIOP_LOAD_OUTCOMES=str(scratch / "out"))
    server, base = start_gunicorn(dict(os.environ), workers=args.web_workers)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"], cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL
    )
    try:
        log(f"{args.users} users for {args.seconds} s against {base}")
        completed = subprocess.run(  # noqa: S603 - fixed command
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(scratch / "stats"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=sys.stderr,
            check=False,
            timeout=args.seconds + 60,
        )
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        worker.wait(timeout=30)
    row = aggregated(scratch / "stats_stats.csv")
    failures_file = scratch / "stats_failures.csv"
    failures = list(csv.DictReader(failures_file.open(encoding="utf-8"))) if failures_file.exists() else []
    outcomes_file = scratch / "out"
    outcomes = [json.loads(line) for line in outcomes_file.read_text().splitlines()] if outcomes_file.exists() else []
    accepted = sum(1 for outcome in outcomes if outcome["outcome"] == "saved")
    refused = sum(1 for outcome in outcomes if outcome["outcome"] == "refused")
    contested.refresh_from_db()
    changed = changes.count() - changes_before
    lost = abs((contested.version - version_before) - accepted) + abs(changed - accepted)
    requests = int(row["Request Count"])
    return {
        "database": connection.vendor,
        "size": args.size,
        "users": args.users,
        "seconds": args.seconds,
        "server": f"gunicorn, {args.web_workers} sync workers, DEBUG off, 127.0.0.1",
        "requests": requests,
        "requests_per_second": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "errors": int(row["Failure Count"]),
        "error_samples": [f"{failure['Name']}: {failure['Error']}" for failure in failures[:3]],
        "saves_accepted": accepted,
        "saves_refused_stale": refused,
        "lost_updates": lost,
        "locust_exit": completed.returncode,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--size", choices=["tiny", "small", "medium"], default="small")
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object (the default)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 50 or not 5 <= args.seconds <= 60 or args.web_workers < 1:
        parser.error("--users 1-50, --seconds 5-60 (the test stays bounded), --web-workers at least 1")
    return run_benchmark(
        "bench.load",
        argv,
        args.database,
        lambda: run(args),
        ok=lambda result: result["errors"] == 0 and result["lost_updates"] == 0,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
