# Two commands on a fresh machine: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
MO := locale/zh_Hans/LC_MESSAGES/django.mo
PORT ?= 8000
# `make test` runs the suite on this many pytest-xdist processes, one per core (the contract:
# under 15 minutes on 2 cores under CI); TEST_PROCESSES=0 runs it in one process. A file at a
# time goes to whichever process is free, in the order tests/conftest.py gives them: the few files
# that take minutes first, then files of many tests first (--no-loadscope-reorder keeps that
# order; xdist's own reorder would put a long file of few tests last, where one process runs it
# alone). A file's module fixtures are built once (the 50,000 entries of
# tests/test_exports_large.py). Not --dist loadgroup: on pytest 9.2 pytest-xdist no longer
# honours xdist_group (pytest-xdist issue 1386).
TEST_PROCESSES ?= 2

.PHONY: run test lint format messages bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# Compiled with polib so that neither `make run` nor `make test` needs GNU gettext.
$(MO): locale/zh_Hans/LC_MESSAGES/django.po $(STAMP)
	$(PY) -c "import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])" $< $@

# The site on http://127.0.0.1:$(PORT)/ with a Celery worker and its beat; Ctrl-C stops all.
run: $(STAMP) $(MO)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py run_all 127.0.0.1:$(PORT)

test: $(STAMP) $(MO)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-deploy-$$(date +%s)-aR7qZ0vLm3xT9bY2cW5nK8pD1fG4hJ6s ALLOWED_HOSTS=qingdan.example.gov.cn $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-extract the catalogue (needs GNU gettext); translations are then filled in django.po.
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'

# The benchmark of issue 11 §2 (bench/): the site served by gunicorn as in production, driven by
# wrk, each figure beside the limits measured in the same run. PRESET=city (a few minutes) or
# province (up to 30 minutes, writes bench/RESULTS.md); KEEP=1 reuses the registers generated
# earlier by the same preset, seed and code; BENCH_ARGS for more (python -m bench --help).
PRESET ?= city
bench: $(STAMP) $(MO)
	$(PY) -m bench --preset=$(PRESET) $(if $(filter 1 yes true,$(KEEP)),--reuse) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
