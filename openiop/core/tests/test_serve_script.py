# SPDX-License-Identifier: AGPL-3.0-or-later
"""scripts/serve.sh (what `make demo` ends with), run against stand-ins for
the worker and gunicorn: the demo logins come last, once the worker has said
its start-up lines and fallen quiet, and gunicorn gets its request limits."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "serve.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stand_ins(bin_dir: Path, gunicorn_args: Path) -> None:
    real_python = shlex.quote(sys.executable)
    (bin_dir / "python").write_text(
        f"""#!/usr/bin/env bash
case "$1 ${{2:-}}" in
  "manage.py worker")
    echo "worker: loading"; sleep 0.5
    echo "Starting worker worker_id=stand-in queues=default" >&2
    for job in 1 2 3; do sleep 0.4; echo "Task $job state=SUCCESSFUL"; done
    exec sleep 60 ;;
  "manage.py demo_logins") echo "Demo logins (password for each: openiop-demo-2026):"; echo "  Administrator   admin" ;;
  *) exec {real_python} "$@" ;;
esac
"""
    )
    # Listens a second late, as gunicorn does while it loads the application.
    (bin_dir / "gunicorn").write_text(
        f"""#!/usr/bin/env bash
printf '%s\\n' "$@" > {shlex.quote(str(gunicorn_args))}
while [[ $1 != --bind ]]; do shift; done
sleep 1
exec {real_python} -m http.server --bind 127.0.0.1 "${{2##*:}}" 2>/dev/null
"""
    )
    for name in ("python", "gunicorn"):
        (bin_dir / name).chmod(0o755)


def test_make_demo_prints_the_logins_last_and_gunicorn_gets_its_request_limits(tmp_path: Path) -> None:
    gunicorn_args = tmp_path / "gunicorn-args"
    stand_ins(tmp_path, gunicorn_args)
    environment = {**os.environ, "OPENIOP_BIN": str(tmp_path), "HOST": "127.0.0.1", "PORT": str(free_port())}
    environment["DEMO_LOGINS"] = "1"
    process = subprocess.Popen(  # noqa: S603 - our own script
        [shutil.which("bash") or "/bin/bash", str(SCRIPT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Stop: Ctrl-C" in line:
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)

    output = "\n".join(lines)
    started = next(i for i, line in enumerate(lines) if "Starting worker" in line)
    last_job = next(i for i, line in enumerate(lines) if "Task 3" in line)
    logins = next(i for i, line in enumerate(lines) if "Demo logins" in line)
    assert started < last_job < logins, output  # after the jobs queued before start-up, too
    assert lines[logins + 1].split() == ["Administrator", "admin"]
    assert lines[-1].strip().startswith("Health:"), output
    arguments = gunicorn_args.read_text().split()
    for flag, value in (
        ("--limit-request-line", 4094),
        ("--limit-request-fields", 50),
        ("--limit-request-field_size", 8190),
    ):
        assert int(arguments[arguments.index(flag) + 1]) == value
