# One command runs the forum, one runs the tests. Everything installs into .venv from requirements*.txt.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FORUM_ADDRESS ?= 127.0.0.1:8000
FORUM_VAR_DIR ?= $(CURDIR)/var
export FORUM_ADDRESS FORUM_VAR_DIR

.PHONY: run test test-setup bench lint install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11).")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: web server (gunicorn), Celery worker and Celery beat under supervisord in the foreground;
## a process that dies is restarted, Ctrl-C stops all three
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_moderator
	@echo "The forum is at http://$(FORUM_ADDRESS)/ and moderation at http://$(FORUM_ADDRESS)/admin/"
	exec $(VENV)/bin/supervisord --configuration supervisord.conf

## test: the whole suite on PostgreSQL + Redis (started if stopped), then the SQLite smoke run
test: install
	bash tests/setup_services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/forum} \
	  CELERY_BROKER_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	  $(VENV)/bin/pytest
	env -u DATABASE_URL -u CELERY_BROKER_URL FORUM_VAR_DIR=$(CURDIR)/var/smoke \
	  $(VENV)/bin/pytest -m embedded -p no:cacheprovider

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) var

.PHONY: screenshots  # the README's pictures into docs/; FORUM_SCREENSHOT_QUEUE_PATH=/... shoots that moderation page
screenshots: install
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/forum} CELERY_BROKER_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} $(VENV)/bin/pytest -m screenshots tests/e2e/test_screenshots.py
