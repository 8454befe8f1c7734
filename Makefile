# OpenIOP: `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2
PYTEST_WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

# The demo runs like production (DEBUG off, Argon2, lockout, idle logoff) except
# plain HTTP on loopback and MFA switched off, which the login page says.
DEMO_ENV := OPENIOP_REQUIRE_MFA=false OPENIOP_HTTPS=false DEBUG=false OPENIOP_BASE_URL=http://$(HOST):$(PORT)

.PHONY: demo test install install-dev assets system-deps lint typecheck checks test-sqlite test-postgres bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed assets
install-dev: $(VENV)/.installed-dev assets
assets: node_modules/.installed

# Debian's PostgreSQL server binaries (for the throwaway test cluster) and
# Chromium (for Playwright), only where missing.
system-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then echo "Installing PostgreSQL server binaries"; $(APT_INSTALL) postgresql; fi
	@if [ ! -x /usr/bin/chromium ]; then echo "Installing Chromium for browser tests"; $(APT_INSTALL) chromium fonts-dejavu-core; fi

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py seed --size small --quiet-logins
	$(DEMO_ENV) HOST=$(HOST) PORT=$(PORT) WEB_WORKERS=$(WEB_WORKERS) DEMO_LOGINS=1 scripts/serve.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy openiop bench

checks: install-dev
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

# Browser tests drive the app once, in the PostgreSQL run (the production database); pure tests
# run once, here. Everything that touches the database runs on both.
test-sqlite: install-dev system-deps
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q -m "not browser"

test-postgres: install-dev system-deps
	OPENIOP_DB_TESTS_ONLY=1 $(BIN)/python scripts/with_postgres.py -- $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

# The type check runs beside the SQLite tests (it fills the cores they leave idle: collection, the last
# worker's tail); its output is printed whole when it ends.
test: lint checks
	$(MAKE) --no-print-directory -j2 --output-sync=target typecheck test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Speed is measured here, never in timed tests. Each script prints one JSON object.
BENCH_SEEDS ?= 1 2 3
bench: install-dev system-deps
	@for seed in $(BENCH_SEEDS); do $(BIN)/python -m bench.schedule --patients 1000 --sites 10 --seed $$seed --json; done
	$(BIN)/python -m bench.schedule --patients 10000 --sites 100 --seed 1 --json
	$(BIN)/python -m bench.locator --facilities 20000 --json
	$(BIN)/python -m bench.locator --facilities 20000 --json --database postgres
	$(BIN)/python -m bench.audit --json
	$(BIN)/python -m bench.codes --json
	$(BIN)/python -m bench.load --json
	$(BIN)/python -m bench.pages --patients 10000 --json
	$(BIN)/python -m bench.pages --patients 10000 --json --database postgres
	$(BIN)/python -m bench.billing --patients 1000 --weeks 4 --json
	$(BIN)/python -m bench.billing --patients 1000 --weeks 4 --json --database postgres

# Re-pin constraints.txt from what the dev install resolves today.
lock: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) node_modules staticfiles
