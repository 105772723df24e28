# electadmin: the two commands of the README (`make run`, `make test`) and a few helpers.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# One test process per core (pytest-xdist); `make test PYTEST_ARGS=tests/registry` runs a part in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test lint format worker beat messages compilemessages bench bench-demo check-deploy mutation

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.deps-run: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.deps-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	touch $@ $(VENV)/.deps-run

# A local, git-ignored .env with a random secret key for development.
.env: | $(PY)
	$(PY) -c 'import secrets; print("SECRET_KEY=" + secrets.token_urlsafe(50))' > .env

# The kk and ru catalogues (locale/) and the Kazakh overrides of Django's, DRF's, django-filter's and
# axes' strings (locale_vendor/) are compiled here with polib, without GNU gettext, and only when a .po
# is newer than its .mo; the .mo files are not committed.
MAKEMESSAGES := DEBUG=1 $(PY) manage.py makemessages -l kk -l ru --no-obsolete --add-location=file --ignore=.venv --ignore=tests --ignore=staticfiles
compilemessages: $(VENV)/.deps-run
	$(PY) scripts/compile_translations.py

## messages: update locale/kk and locale/ru from the code (needs GNU gettext's xgettext), then count
## untranslated, fuzzy and broken entries there and in locale_vendor/ (scripts/check_translations.py)
messages: $(VENV)/.deps-dev
	@command -v xgettext >/dev/null || { echo "xgettext not found: install GNU gettext (Debian: sudo apt-get install gettext)" >&2; exit 1; }
	$(MAKEMESSAGES)
	$(PY) scripts/check_translations.py

# DEVTOOLS=1 installs the development tooling (devtools/: load_demo, bench, loadtest); production leaves it out.
## run: set up, migrate, load the demo election and serve on http://$(HOST):$(PORT)
run: $(VENV)/.deps-run .env compilemessages
	DEBUG=1 DEVTOOLS=1 $(PY) manage.py migrate --noinput
	DEBUG=1 DEVTOOLS=1 $(PY) manage.py load_demo --base-url http://$(HOST):$(PORT)
	# CONN_MAX_AGE=0: the development server runs a thread per request; persistent connections would pile up.
	DEBUG=1 DEVTOOLS=1 CONN_MAX_AGE=0 $(PY) manage.py runserver $(HOST):$(PORT)

## test: install the test tools and run the whole suite (SQLite unless DATABASE_URL is set)
test: $(VENV)/.deps-dev compilemessages
	DEBUG=1 DEVTOOLS=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.deps-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.deps-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## worker / beat: need CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and usually DATABASE_URL
worker: $(VENV)/.deps-run
	$(VENV)/bin/celery -A electadmin worker --loglevel=INFO

beat: $(VENV)/.deps-run
	$(VENV)/bin/celery -A electadmin beat --loglevel=INFO

## bench: the performance benchmark (issue 9) on the configured database, e.g.
## `DATABASE_URL=postgres://... make bench PRESET=kz`; writes its section of docs/PERFORMANCE.md.
PRESET ?= kz
BENCH_ARGS ?=
bench: $(VENV)/.deps-run .env
	DEBUG=0 DEVTOOLS=1 $(PY) manage.py bench --preset $(PRESET) $(BENCH_ARGS)

## bench-demo: how long `make run` spends in load_demo on SQLite (median of 3 fresh runs against the
## Django start-up); writes its section of docs/PERFORMANCE.md. No service needed.
bench-demo: $(VENV)/.deps-run .env compilemessages
	DEBUG=1 DEVTOOLS=1 $(PY) manage.py bench_demo $(BENCH_ARGS)

## mutation: mutation testing of the rule modules with mutmut (issue 24), one module after the other,
## printing killed/total per module; fails below 90%. Not part of `make test`: it takes minutes to an hour.
## `make mutation MUTATION_ARGS=registry/iin.py` runs one module; `MUTATION_ARGS=--report` prints the last figures.
MUTATION_ARGS ?=
mutation: $(VENV)/.deps-dev
	$(PY) scripts/mutation.py --max-children 2 $(MUTATION_ARGS)
