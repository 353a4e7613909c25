# Jiceng: `make run` sets everything up and serves the platform; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small
export DJANGO_SETTINGS_MODULE ?= jiceng.settings.local

help:
	@echo "make run    set up (venv, locked dependencies, assets, database, demo network) and serve"
	@echo "make test   run the whole suite (unit, integration, browser) on DATABASE_URL or SQLite"
	@echo "make lint   ruff and mypy"
	@echo "make bench  benchmarks at national scale"

# --- set-up ---------------------------------------------------------------------------------
$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@touch $@

# ECharts ships 51 MB of builds; only the one the pages load is put where collectstatic looks.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p node_modules/.served/echarts
	@cp node_modules/echarts/dist/echarts.min.js node_modules/.served/echarts/
	@touch $@

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(64))" > $@
	@chmod 600 $@

install: $(VENV)/.installed node_modules/.installed var/secret_key

# Debian packages the tests need: Chromium for the browser tests, gettext for the catalogue check.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

db: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --if-empty --scale $(SCALE)

# Collected again only when an asset changed (a second `make run` skips it).
STATIC_SOURCES := $(shell find jiceng -path '*/static/*' -type f 2>/dev/null) requirements.lock
var/.static-collected: $(STATIC_SOURCES) $(VENV)/.installed node_modules/.installed
	$(PY) manage.py collectstatic --noinput -v0
	@touch $@

static: install var/.static-collected

# The web server, and beside it one job worker (imports, exports, roll-ups) that stops with it.
run: install db static
	@echo "Serving Jiceng at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@$(PY) manage.py db_worker --queue-name '*' --interval 1 --no-startup-delay -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn jiceng.wsgi:application --bind $(HOST):$(PORT) --workers 2 --threads 4 \
	  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss' --graceful-timeout 5

# --- checks ---------------------------------------------------------------------------------
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test: install system-deps
	DJANGO_SETTINGS_MODULE=jiceng.settings.test $(VENV)/bin/pytest -n 2 -q $(PYTEST_ARGS)

# Benchmarks: the member import (1,000,000 rows) on SQLite and PostgreSQL against the raw floor
# and django-import-export; then pages and collection rates at national scale (100,000 units,
# 10 million members) in a scratch SQLite database unless DATABASE_URL is set; then the
# campaign's progress there (1.5 million task states) against the bare GROUP BY.
BENCH_DB ?= sqlite:///$(CURDIR)/var/bench.sqlite3
bench: install static
	$(PY) manage.py bench_members
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} $(PY) manage.py bench_tree
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} $(PY) manage.py bench_campaigns

.PHONY: help install system-deps db static run lint test bench
