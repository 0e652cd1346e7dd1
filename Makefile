# Two commands set up everything on a fresh machine with Python 3.11+ and make:
#   make run    install, migrate, load the demo data and serve the site
#   make test   install what the tests need and run the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
# Links in emails and calendar files point at the server make run starts, unless told otherwise.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

.PHONY: run test install lint messages bench bench-event-page bench-event-page-production \
	bench-registration bench-registration-production bench-checkin bench-checkin-production \
	bench-growth bench-calendar bench-print bench-report bench-all clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on SQLite, then on PostgreSQL when TEST_DATABASE_URL names one (browser tests,
# which do not depend on the database, only in the first run).
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=sqlite://:memory: $(PY) -m pytest -m "not postgres"
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		DATABASE_URL="$$TEST_DATABASE_URL" $(PY) -m pytest -m "not browser"; \
	elif [ "$$REQUIRE_SERVICES" = "1" ]; then \
		echo "REQUIRE_SERVICES=1 but TEST_DATABASE_URL is not set: PostgreSQL was not tested."; \
		exit 1; \
	else \
		echo "== TEST_DATABASE_URL is not set: the PostgreSQL run was skipped."; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Compile the interface translations after editing locale/*/LC_MESSAGES/django.po.
messages: install
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=var --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

# Benchmarks (not part of make test): they need PostgreSQL, Redis and wrk; see docs/benchmarks.md.
# make bench: the production stack (gunicorn.conf.py, Redis, the Celery worker and beat running):
# event page, registration rush, check-in storm and growth, one after the other (about 10 minutes).
bench: install
	$(PY) bench/suite.py

bench-event-page: install
	$(PY) bench/event_page.py

bench-event-page-production: install
	$(PY) bench/event_page.py --stack production

bench-registration: install
	$(PY) bench/registration_rush.py

bench-registration-production: install
	$(PY) bench/registration_rush.py --stack production

bench-checkin: install
	$(PY) bench/checkin.py

bench-checkin-production: install
	$(PY) bench/checkin.py --stack production

bench-growth: install
	$(PY) bench/growth.py

bench-calendar: install
	$(PY) bench/calendar_feeds.py

bench-print: install
	$(PY) bench/print_run.py

bench-report: install
	$(PY) bench/report.py

bench-all: bench bench-event-page bench-registration bench-checkin bench-calendar bench-print \
	bench-report

clean:
	rm -rf $(VENV) var
