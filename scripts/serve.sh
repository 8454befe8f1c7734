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

# The worker's output is passed through as it comes. From its "Starting worker"
# line on, each line also touches a mark, so the banner below can wait until
# the worker has said its start-up lines (and run the jobs already queued).
"$BIN/python" manage.py worker > >(
  started=
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case $line in *"Starting worker"*) started=1 ;; esac
    if [[ -n $started ]]; then : >"$ready"; fi
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

logins=
if [[ ${DEMO_LOGINS:-} == 1 ]]; then
  logins=$("$BIN/python" manage.py demo_logins | sed 's/^/  /')
fi

# Up to 60 s for the web server to answer and the worker to fall quiet (started,
# then two seconds without a line).
quiet() { [[ -e $ready ]] && (($(date +%s) - $(stat -c %Y "$ready") >= 2)); }
answers() {
  "$BIN/python" -c "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()" \
    "$HOST" "$PORT" 2>/dev/null
}
for _ in $(seq 1 120); do
  if quiet && answers; then break; fi
  sleep 0.5
done

printf '\n  OpenIOP is running at http://%s:%s/\n' "$HOST" "$PORT"
if [[ -n $logins ]]; then printf '%s\n' "$logins"; fi
printf '  Health: http://%s:%s/healthz   Stop: Ctrl-C\n\n' "$HOST" "$PORT"

wait "$web"
