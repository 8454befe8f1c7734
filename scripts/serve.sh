#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Serve OpenIOP: gunicorn in the foreground plus the background worker,
# both stopped together on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

"$BIN/python" manage.py worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  OpenIOP is running at http://$HOST:$PORT/
  Sign in with one of the demo logins printed above (password: openiop-demo-2026).
  Health: http://$HOST:$PORT/healthz   Stop: Ctrl-C

MSG
"$BIN/gunicorn" openiop.config.wsgi:application --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" \
  --access-logfile - --log-level warning
