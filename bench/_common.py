# SPDX-License-Identifier: AGPL-3.0-or-later
"""What every benchmark needs: a scratch environment that never touches the
developer's database or var/, the re-run inside a throwaway PostgreSQL
cluster, percentiles and a free loopback port.

A benchmark's ``main`` parses its arguments and then calls::

    return run_benchmark("bench.pages", argv, args.database, lambda: run(args), ok=lambda result: ...)

which, for PostgreSQL, re-runs the same module inside ``scripts/with_postgres.py``
(the result comes back in a file, so the cluster's messages stay off stdout)
and otherwise sets up the scratch environment, calls the measuring function
and prints its result as one JSON object.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSIDE_FLAG = "OPENIOP_BENCH_OUTPUT"


def logger(name: str) -> Callable[[str], None]:
    def log(message: str) -> None:
        print(f"{name}: {message}", file=sys.stderr, flush=True)

    return log


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))  # ceil
    return ordered[rank - 1]


def process_tree_cpu_ms(pid: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError, ValueError):
        return total
    return total + sum(process_tree_cpu_ms(int(child)) for child in children)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    env: dict[str, str], *, workers: int, ready_path: str = "/help/"
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn on a free loopback port, as scripts/serve.sh runs it (sync
    workers); returns the process and its base URL once READY_PATH answers."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed command
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "openiop.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}{ready_path}", timeout=2):  # noqa: S310 - loopback
                return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def session_cookie(user: Any) -> str:
    """A signed-in session for USER, as the login view would leave it (the
    Cookie header's value): scripted users skip the login form and MFA."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def scratch_environment(workdir: Path, database: str) -> None:
    """Point settings at WORKDIR (var/, static files) and the chosen database;
    production-like: DEBUG off, MFA off for the scripted logins, the audit
    key generated under the scratch var/."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="openiop.config.settings",
        OPENIOP_VAR_DIR=str(workdir / "var"),
        STATIC_ROOT=str(workdir / "static"),
        DEBUG="false",
        OPENIOP_HTTPS="false",
        OPENIOP_REQUIRE_MFA="false",
        LOG_LEVEL="WARNING",
    )
    for name in ("OPENIOP_AUDIT_KEY", "OPENIOP_AUDIT_KEY_FILE", "OPENIOP_AUDIT_CHECKPOINT_DIR"):
        os.environ.pop(name, None)
    if database == "sqlite":
        # The settings' default SQLite file, under the scratch var/ directory.
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise RuntimeError("expected DATABASE_URL from scripts/with_postgres.py")


def run_benchmark(
    module: str,
    argv: Sequence[str],
    database: str,
    measure: Callable[[], dict[str, Any]],
    *,
    ok: Callable[[dict[str, Any]], bool] = lambda result: True,
) -> int:
    """Run MEASURE in a scratch environment on DATABASE and print its result.
    Exit status 0, or 2 when OK says a check failed (the figures are printed
    either way: they say which)."""
    log = logger(module)
    inside_output = os.environ.get(INSIDE_FLAG)
    if database == "postgres" and not inside_output:
        with tempfile.TemporaryDirectory(prefix="openiop-bench-") as scratch:
            output = Path(scratch) / "result.json"
            command = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--", sys.executable, "-m"]
            completed = subprocess.run(  # noqa: S603 - fixed command
                [*command, module, *argv],
                cwd=ROOT,
                env=dict(os.environ, **{INSIDE_FLAG: str(output)}),
                stdout=sys.stderr,
                check=False,
            )
            if not output.exists():
                log(f"the PostgreSQL run failed (exit {completed.returncode})")
                return completed.returncode or 1
            print(output.read_text(encoding="utf-8"))
        return completed.returncode

    workdir = Path(tempfile.mkdtemp(prefix="openiop-bench-"))
    try:
        scratch_environment(workdir, database)
        result = measure()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = json.dumps(result)
    if inside_output:
        Path(inside_output).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0 if ok(result) else 2
