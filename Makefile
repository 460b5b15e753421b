# One command runs the forum, one runs the tests. Everything installs into .venv from requirements*.txt.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FORUM_ADDRESS ?= 127.0.0.1:8000
FORUM_VAR_DIR ?= $(CURDIR)/var
export FORUM_ADDRESS FORUM_VAR_DIR

.PHONY: run cluster cluster-down test test-fast test-setup bench lint install install-dev messages clean icu-build-deps docs

# Two installs: `make run` needs only the runtime (requirements.txt); tests, lint, the bench and
# the translators' tools need the rest (requirements-dev.txt, which includes the runtime).
$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11).")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# PyICU (requirements.txt) builds against the system's ICU: Debian's libicu-dev and pkg-config.
ICU_PACKAGES := libicu-dev pkg-config
icu-build-deps:
	@pkg-config --exists icu-i18n 2>/dev/null || { \
	  echo "Installing $(ICU_PACKAGES) (Debian) to build PyICU ..."; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -q $(ICU_PACKAGES) >/dev/null 2>&1 || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q $(ICU_PACKAGES) >/dev/null; }; \
	  pkg-config --exists icu-i18n || { echo "ICU is missing: apt-get install -y $(ICU_PACKAGES)" >&2; exit 1; }; }

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python icu-build-deps
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python icu-build-deps
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

## run: web server (gunicorn), Celery worker and Celery beat under supervisord in the foreground;
## a process that dies is restarted, Ctrl-C stops all three
run: install
	@mkdir -p "$(FORUM_VAR_DIR)"  # supervisord's log, pid and socket (Django makes its own folders at start-up)
	@$(PY) manage.py migrate --noinput --verbosity=0
	@$(PY) manage.py load_demo
	@echo
	@echo "  The forum is at http://$(FORUM_ADDRESS)/ and moderation at http://$(FORUM_ADDRESS)/admin/"
	@set -o pipefail; $(PY) manage.py ensure_moderator | sed 's/^/  /'
	@echo "  Requests, warnings and errors follow; Ctrl-C stops everything."
	@echo
	exec $(VENV)/bin/supervisord --configuration supervisord.conf

## cluster: the production topology on this machine, in the background (deploy/, docs/operations.md "Deploy"):
## nginx on FORUM_ADDRESS, two gunicorn nodes, a Celery worker per queue, one beat, PgBouncer and
## two Redis servers under supervisord. nginx and PgBouncer come from Debian's packages if missing.
cluster: install
	bash deploy/cluster up

## cluster-down: stop everything make cluster started
cluster-down:
	bash deploy/cluster down

## test: the whole suite on PostgreSQL + Redis (started if stopped), then the SQLite smoke run
test: install-dev
	bash tests/setup_services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mkdocs build --strict --quiet
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/forum} \
	  CELERY_BROKER_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	  $(VENV)/bin/pytest
	env -u DATABASE_URL -u CELERY_BROKER_URL FORUM_VAR_DIR=$(CURDIR)/var/smoke \
	  $(VENV)/bin/pytest -m embedded -p no:cacheprovider

## test-fast: the daily loop, in under two minutes: ruff, then everything but the browser (e2e),
## fault and slow tests, on PostgreSQL + Redis like `make test` (which still runs them all)
FAST_TESTS := -m "not e2e and not slow and not screenshots" --ignore=tests/e2e --ignore=tests/faults
test-fast: install-dev
	bash tests/setup_services.sh --no-browser
	$(VENV)/bin/ruff check .
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/forum} \
	  CELERY_BROKER_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	  $(VENV)/bin/pytest $(FAST_TESTS) $(PYTEST_ARGS)

bench: install-dev
	bash bench/install-tools.sh
	$(PY) bench/run.py $(BENCH_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff format --check .

## messages: gather every marked string into locale/ja (django and djangojs), then compile the
## .mo files that are committed. Translate the new entries in the .po files, then run it again.
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=static/vendor
messages: install-dev
	$(PY) manage.py makemessages --locale=ja --domain=django --no-obsolete --add-location=file $(MAKEMESSAGES_IGNORE)
	$(PY) manage.py makemessages --locale=ja --domain=djangojs --no-obsolete --add-location=file $(MAKEMESSAGES_IGNORE)
	$(PY) manage.py compilemessages --locale=ja --ignore=.venv

clean:
	rm -rf $(VENV) var

.PHONY: screenshots  # the README's pictures into docs/; FORUM_SCREENSHOT_QUEUE_PATH=/... shoots that moderation page
screenshots: install-dev
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/forum} CELERY_BROKER_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} $(VENV)/bin/pytest -m screenshots tests/e2e/test_screenshots.py

## docs: the documentation (docs/, mkdocs.yml) as a site in var/site; `make test` builds it in
## strict mode, so a broken link, a missing anchor or a page left out of the navigation fails
docs: install-dev
	$(VENV)/bin/mkdocs build --strict
