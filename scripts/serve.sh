#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Serve OpenIOP: gunicorn plus the background worker, both stopped together on
# Ctrl-C. The address (and, with DEMO_LOGINS=1, the demo logins) is printed
# last, once both have said their start-up lines, so it is what stays on screen.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${OPENIOP_BIN:-.venv/bin}  # overridable for the script's own test
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

pids=()
ready=$(mktemp -u "${TMPDIR:-/tmp}/openiop-worker-ready.XXXXXX")
cleanup() {
  rm -f "$ready"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# The worker's output is passed through as it comes; its "Starting worker" line
# also leaves a mark, so the banner below can wait for it.
"$BIN/python" manage.py worker > >(
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case $line in *"Starting worker"*) : >"$ready" ;; esac
  done
) 2>&1 &
pids+=($!)

# Request limits, refused by gunicorn before Django sees the request: the request
# line (method, path and query), the number of header fields and each one's size.
# Bodies are limited by RequestBodyLimitMiddleware (OPENIOP_MAX_REQUEST_BYTES).
"$BIN/gunicorn" openiop.config.wsgi:application --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" \
  --limit-request-line 4094 --limit-request-fields 50 --limit-request-field_size 8190 \
  --access-logfile - --log-level warning &
web=$!
pids+=("$web")

# Up to 30 s for both: the worker's start-up line and the web server answering.
for _ in $(seq 1 60); do
  if [[ -e $ready ]] && "$BIN/python" -c "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()" \
    "$HOST" "$PORT" 2>/dev/null; then
    break
  fi
  sleep 0.5
done

echo
echo "  OpenIOP is running at http://$HOST:$PORT/"
if [[ ${DEMO_LOGINS:-} == 1 ]]; then
  "$BIN/python" manage.py demo_logins | sed 's/^/  /'
fi
echo "  Health: http://$HOST:$PORT/healthz   Stop: Ctrl-C"
echo

wait "$web"
