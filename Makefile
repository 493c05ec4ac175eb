# Relais — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
HOST ?= 127.0.0.1
PYTHON ?= python3
# uv from PATH when it runs, else the copy installed for $(PYTHON) (see the `uv` target).
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo "$(PYTHON) -m uv")
PY := .venv/bin/python
CHROMIUM := /usr/bin/chromium

.PHONY: help uv system-deps venv run migrate demo worker test test-pg browser lint format messages check-deploy bench bench-quick prod-check clean

help:
	@echo "make run     start Relais with the demo network on http://$(HOST):$(PORT) (PORT=…)"
	@echo "make test    run the whole test suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)"
	@echo "make lint    ruff, ruff format --check, mypy, makemigrations --check, check --deploy"

uv:
	@uv --version >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || { \
	  echo "Installing uv with pip…"; \
	  $(PYTHON) -m pip install --quiet --user uv 2>/dev/null \
	  || $(PYTHON) -m pip install --quiet --user --break-system-packages uv; }

# WeasyPrint (PDF) needs Pango and fonts from the system; install them when missing and we may.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Pango and fonts for PDF output…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else echo "WARNING: Pango is missing: PDF documents cannot be produced (apt-get install libpangoft2-1.0-0)."; fi; \
	fi

venv: uv system-deps
	@$(UV) sync --frozen --all-extras --quiet

migrate: venv
	@$(PY) manage.py migrate --no-input -v0

demo: migrate
	@$(PY) manage.py seed_demo --size small --if-empty
	@$(PY) manage.py start_schedules -v0

# The web server and the task worker run together; Ctrl-C stops both.
run: demo
	@echo
	@echo "  Relais: http://$(HOST):$(PORT)/   (partner login links are printed below, in the mail log)"
	@echo
	@trap 'kill 0' EXIT INT TERM; \
	  export SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"; \
	  $(PY) manage.py db_worker --queue-name default & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "WARNING: $(CHROMIUM) is missing and cannot be installed here: browser tests will be skipped."; fi; \
	fi

test: venv browser
	@$(PY) -m pytest

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy relais bench
	$(PY) manage.py makemigrations --check --dry-run
	@$(MAKE) --no-print-directory check-deploy

# `check --deploy` with the environment production runs with.
check-deploy: venv
	RELAIS_ENV=production SECRET_KEY=$$(printf 'x%.0s' {1..64})-lint-only ALLOWED_HOSTS=relais.example.fr \
	  SITE_URL=https://relais.example.fr \
	  $(PY) manage.py check --deploy --fail-level WARNING

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

messages: venv
	$(PY) manage.py makemessages -l fr -l en --no-location --ignore '.venv/*' --ignore 'data/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# The README's production block, run as written on a throwaway PostgreSQL database and Redis db 5:
# one lead from the API to its SEPA file, and a task worker killed mid-import (see the script).
prod-check: venv
	$(PY) tests/production/prod_check.py

# The benchmark suite: the large network on PostgreSQL and on SQLite (built once, then reused),
# each workload against a floor measured in the same run → bench/results.json, bench/RESULTS.md.
bench: venv
	$(PY) -m bench

# The same in under 3 minutes on small data, while working.
bench-quick: venv
	$(PY) -m bench --quick

clean:
	rm -rf .venv data .pytest_cache .mypy_cache .ruff_cache
