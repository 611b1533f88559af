# casemgmt: `make run` starts the application locally, `make test` runs the test suite.
#
# Without DATABASE_URL / REDIS_URL in the environment, an embedded PostgreSQL and Redis
# run under var/ (python -m casemgmt.devservices, see `make services` / `make stop`);
# with them set, those servers are used and nothing is started.
#
# Variables: PYTHON (interpreter for the venv; default: first of python3, python3.13,
# python3.12, python3.11 that is 3.11-3.13), PORT (8000), DJANGO_SETTINGS_MODULE (for
# run/migrate/lint; default casemgmt.settings.dev), PYTEST_ARGS, SKIP_SYSTEM_DEPS=1.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

PYTHON ?=
VENV := .venv
VPY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.casemgmt-installed
NODE_STAMP := node_modules/.casemgmt-installed
PORT ?= 8000
DJANGO_SETTINGS_MODULE ?= casemgmt.settings.dev
TEST_SETTINGS := casemgmt.settings.test
PYTEST_ARGS ?=
LAYER_CHECK := ../shared/tools/check_layers.py

# WeasyPrint (PDF notices and receipts) and the browser tests (Debian's /usr/bin/chromium).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium

.PHONY: help
help:
	@echo "make run          start PostgreSQL/Redis (unless DATABASE_URL/REDIS_URL are set), migrate,"
	@echo "                  load the demo data, serve http://127.0.0.1:$(PORT)/ with worker and beat"
	@echo "make test         run the test suite (PYTEST_ARGS='-k name' to select)"
	@echo "make lint         ruff, migrations check, layer check"
	@echo "make services     start the embedded PostgreSQL and Redis;  make status / make stop"
	@echo "make migrate      apply migrations"
	@echo "make clean        stop services, remove caches (keeps var/);  make distclean: also var/,"
	@echo "                  node_modules/ and .venv/"

# ---------------------------------------------------------------- system packages

# Cheap when everything is there: one dpkg-query per package, no network.
.PHONY: system-deps
system-deps:
	@if [ -n "$${SKIP_SYSTEM_DEPS:-}" ]; then exit 0; fi; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "note: not a Debian-based system; install yourself: Pango (with pangoft2) and HarfBuzz-subset for WeasyPrint, DejaVu fonts, and Chromium for the browser tests" >&2; \
	  exit 0; \
	fi; \
	missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' "$$pkg" 2>/dev/null | grep -qx 'install ok installed' || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then \
	  echo "Installing system packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q; \
	  apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "error: missing system packages:$$missing" >&2; \
	  echo "Install them, then run make again:" >&2; \
	  echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing" >&2; \
	  echo "(or SKIP_SYSTEM_DEPS=1 to go on without them: PDF and browser tests will fail)" >&2; \
	  exit 1; \
	fi

# ------------------------------------------------------------- Python environment

.PHONY: venv .venv
venv .venv: $(VENV_STAMP)

# Re-installs whenever pyproject.toml changes.
$(VENV_STAMP): pyproject.toml
	@if [ ! -x $(VPY) ]; then \
	  py=""; \
	  for candidate in $(PYTHON) python3 python3.13 python3.12 python3.11; do \
	    if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' 2>/dev/null; then \
	      py="$$candidate"; break; \
	    fi; \
	  done; \
	  if [ -z "$$py" ]; then \
	    echo "error: casemgmt needs Python 3.11, 3.12 or 3.13; none found (set PYTHON=/path/to/python3.x)" >&2; \
	    exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $$("$$py" --version)"; \
	  "$$py" -m venv $(VENV) || { rm -rf $(VENV); echo "error: '$$py -m venv' failed (Debian/Ubuntu: sudo apt-get install python3-venv)" >&2; exit 1; }; \
	fi
	$(VPY) -m pip install --disable-pip-version-check --quiet --editable ".[dev]"
	@touch $@

# --------------------------------------------------------------- front-end assets

.PHONY: node_modules assets
node_modules assets: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "error: npm not found: install Node.js 20 or newer with npm (Debian: sudo apt-get install nodejs npm)" >&2; \
	  exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

# ------------------------------------------------------- PostgreSQL and Redis

.PHONY: services status stop
services: $(VENV_STAMP)
	$(VPY) -m casemgmt.devservices start

status: $(VENV_STAMP)
	$(VPY) -m casemgmt.devservices status

stop:
	@if [ -x $(VPY) ]; then \
	  $(VPY) -m casemgmt.devservices stop; \
	else \
	  echo "no $(VENV): nothing started by it to stop"; \
	fi

# -------------------------------------------------------------------- application

.PHONY: migrate
migrate: $(VENV_STAMP) services
	DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE) $(VPY) manage.py migrate --noinput

.PHONY: run
run: system-deps $(VENV_STAMP) $(NODE_STAMP) services migrate
	DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE) $(VPY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE) $(VPY) manage.py seed_demo
	@echo
	@echo "casemgmt: http://127.0.0.1:$(PORT)/   (Ctrl-C stops web, worker and beat; 'make stop' stops PostgreSQL and Redis)"
	@echo
	DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE) PORT=$(PORT) exec $(VENV)/bin/honcho start -f Procfile

.PHONY: test
test: system-deps $(VENV_STAMP) $(NODE_STAMP) services
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(VENV)/bin/pytest $(PYTEST_ARGS)

.PHONY: lint
lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE) $(VPY) manage.py makemigrations --check --dry-run
	@if [ -f $(LAYER_CHECK) ]; then \
	  echo "python3 $(LAYER_CHECK) ."; \
	  python3 $(LAYER_CHECK) .; \
	else \
	  echo "($(LAYER_CHECK) not found: layer check skipped)"; \
	fi

# -------------------------------------------------------------------- cleaning up

.PHONY: clean distclean
clean: stop
	rm -rf .pytest_cache .ruff_cache .hypothesis test-artifacts
	find . \( -path ./.venv -o -path ./node_modules -o -path ./var \) -prune -o \
	  -type d -name __pycache__ -prune -exec rm -rf {} +

# Deletes the local database and Redis data too.
distclean: clean
	@if [ -x $(VPY) ]; then $(VPY) -m casemgmt.devservices --var-dir var stop; fi
	rm -rf var node_modules $(VENV) *.egg-info
