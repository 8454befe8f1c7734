#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run a command against a throwaway PostgreSQL cluster.

    python scripts/with_postgres.py -- pytest -q

Starts a private cluster (Debian's binaries, /usr/lib/postgresql/<v>/bin) in a
temporary directory on a free loopback port, sets DATABASE_URL for the
command, and removes the cluster afterwards whatever happens. PostgreSQL
refuses to run as root, so as root the cluster runs as the 'postgres' user
that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote


def find_bin_dir() -> Path:
    configured = os.environ.get("PG_BIN")
    candidates = [configured] if configured else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    sys.exit(
        "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin; set PG_BIN). "
        "`make test` installs Debian's postgresql package."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        sys.exit("usage: with_postgres.py -- COMMAND [ARGS...]")
    bin_dir = find_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="openiop-pg-"))
    data, sockets, log = root / "data", root / "sock", root / "server.log"
    sockets.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    server_options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    try:
        subprocess.run(
            [
                *run_as,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", server_options, "-w", "start"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "openiop"], check=True
        )
        # The Unix socket, not TCP on loopback: a round trip costs less, and
        # the suite makes hundreds of thousands of them.
        socket_host = quote(str(sockets), safe="")
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@{socket_host}:{port}/openiop")
        print(f"with_postgres: throwaway PostgreSQL cluster on 127.0.0.1:{port}", flush=True)
        return subprocess.run(argv, env=env).returncode
    except subprocess.CalledProcessError as exc:
        if log.exists():
            sys.stderr.write(log.read_text(errors="replace"))
        print(f"with_postgres: could not start PostgreSQL ({exc})", file=sys.stderr)
        return 1
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
