# Two commands get a newcomer going: `make run` and `make test` (see README.md).
# Only Python 3.11+ is needed beforehand; everything else comes from requirements.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed
WEB_BIND ?= 0.0.0.0:8000
export WEB_BIND
URL := http://127.0.0.1:$(lastword $(subst :, ,$(WEB_BIND)))/
LANGS := fr ru zh_Hans
CHROMIUM := /usr/bin/chromium

.PHONY: help install lock lint run migrate static demo test test-future messages bench deploy-check load

help:
	@echo "make run       set up .venv, migrate, load the demo data, start web + Celery worker + beat"
	@echo "make test      the whole test suite, browser journeys included"
	@echo "make lint      ruff check and ruff format --check (CI runs it)"
	@echo "make test-future  the unit tests with the system clock 450 days and 3 years ahead (faketime)"
	@echo "make lock      recompile requirements.txt (every pinned version) from requirements.in"
	@echo "make migrate   apply database migrations"
	@echo "make demo      load the demo dealer group (idempotent)"
	@echo "make messages  refresh and compile the fr, ru and zh_Hans catalogues"
	@echo "make bench     run the benchmark commands"
	@echo "make deploy-check  Django's deployment checklist on the production settings (fails on any warning)"

$(PY):
	$(PYTHON) -m venv $(VENV)

# requirements.txt is the whole resolved set, compiled from requirements.in by `make lock`.
# Reinstall only when requirements.txt is newer than the stamp.
$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# After changing requirements.in: pin the whole resolved set again (pip-tools in a throw-away venv).
lock:
	$(PYTHON) -m venv $(VENV)/piptools && $(VENV)/piptools/bin/pip install -q pip-tools==7.7.0
	$(VENV)/piptools/bin/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  --no-emit-trusted-host -o requirements.txt requirements.in

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrate: install
	$(MANAGE) migrate --noinput

# With DEBUG on (the default), WhiteNoise serves straight from the finders,
# so collecting is only needed when DEBUG is off.
static: install
	@case "$${DEBUG:-true}" in \
	  0|false|False|FALSE|no|off) $(MANAGE) collectstatic --noinput -v 0 ;; \
	  *) echo "DEBUG is on: static files are served from the source folders, no collectstatic needed." ;; \
	esac

demo: migrate
	$(MANAGE) load_demo_data

run: migrate static demo
	@echo
	@echo "  Open $(URL)  (demo logins above; stop with Ctrl+C)"
	@echo "  Database: $${DATABASE_URL:-SQLite under var/}   Broker: $${REDIS_URL:-kombu file-system broker under var/broker}"
	@echo
	PATH="$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: install
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = "0" ]; then \
	  echo "Installing Debian's chromium (and CJK fonts) for the browser tests..."; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
	fi
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "##########################################################################"; \
	  echo "## $(CHROMIUM) IS MISSING: BROWSER TESTS WILL BE SKIPPED.               ##"; \
	  echo "## Install it as root:  apt-get install -y chromium fonts-noto-cjk      ##"; \
	  echo "##########################################################################"; \
	fi
	@status=0; $(PY) -m pytest -q -rs $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests."; status=0; fi; \
	exit $$status

# No test may depend on the real date: the unit tests (SQLite, no browser, worker or PostgreSQL)
# with the system clock moved ahead by Debian's faketime. Run it after adding tests that use dates.
FUTURE_OFFSETS ?= +450d +3y
UNIT_TESTS := not e2e and not integration and not postgres
test-future: install
	@if ! command -v faketime >/dev/null && [ "$$(id -u)" = "0" ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y faketime; \
	fi
	@for offset in $(FUTURE_OFFSETS); do \
	  echo "== unit tests with the clock at $$offset"; \
	  env -u DATABASE_URL -u REDIS_URL faketime -f "$$offset" $(PY) -m pytest -q -m "$(UNIT_TESTS)" $(PYTEST_ARGS) || exit 1; \
	done

# Catalogues live in aftersales/locale (LOCALE_PATHS); needs GNU gettext.
messages: install
	$(MANAGE) makemessages $(addprefix --locale ,$(LANGS)) --extension html,txt,py \
	  --ignore ".venv/*" --ignore "var/*" --ignore "static/*" --no-obsolete
	$(MANAGE) compilemessages $(addprefix --locale ,$(LANGS)) --ignore ".venv/*"

# Meant for PostgreSQL (DATABASE_URL): search on 500,000 customers, booking proposals on full diaries.
bench: migrate
	$(MANAGE) bench_search
	$(MANAGE) bench_proposals
	$(MANAGE) bench_kpis
	$(MANAGE) bench_jobs
	$(MANAGE) bench_pages

# The production settings (DJANGO_ENV=production) must pass Django's deployment
# checklist with no warning; a throw-away key stands in for the real secret.
deploy-check: install
	DJANGO_ENV=production SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
	  ALLOWED_HOSTS=aftersales.example.com DATA_DIR="$$(mktemp -d)" \
	  $(MANAGE) check --deploy --fail-level WARNING

# Not part of `make test`: 50 users booking, checking in and invoicing for 2 minutes against gunicorn
# on 127.0.0.1 and a fresh PostgreSQL database (LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432),
# then no HTTP error, no double booking and no gap in invoice numbers (aftersales/tests/load/, README).
load: install
	aftersales/tests/load/run.sh
