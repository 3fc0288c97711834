# Waypoint: `make demo` runs the app with demo data, `make test` runs the suite, `make bench` the benchmarks.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint install check lock

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall when the locked dependencies change. requirements.lock pins the whole tree that
# pyproject.toml's direct pins resolve to; `make lock` regenerates it.
$(STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(STAMP)

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet ".[dev]"
	.venv-lock/bin/pip freeze --exclude-editable | grep -v "^waypoint" > requirements.lock
	rm -rf .venv-lock build *.egg-info

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_methodology
	$(PY) manage.py seed_demo --companies 1000 --days 365 --seed 42 --if-empty --live-days 3
	$(PY) manage.py run_daily
	$(PY) manage.py backfill_snapshots --days 120
	@echo ""
	@echo "Waypoint runs on http://127.0.0.1:8000"
	@echo "  log in as csm1 (a CSM), manager, or admin; password: waypoint-demo"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

# Both cores (pytest-xdist); the slowest tests are listed at the end, to keep an eye on them.
test: install
	$(PY) -m pytest -n 2 --durations=15

# Benchmarks need PostgreSQL (BENCH_DATABASE_URL: a server URL whose user may create databases).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench: install
	$(PY) benchmarks/bench_seed.py --server $(BENCH_DATABASE_URL) --companies 1000
	$(PY) benchmarks/bench_ingest.py --database-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench_ingest)
	$(PY) benchmarks/bench_assessment.py --database-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench)
	$(PY) benchmarks/bench_scoring.py --database-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench_scoring)
	$(PY) benchmarks/bench_ctas.py --database-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench_ctas)
	$(PY) benchmarks/bench_pages.py --database-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench_pages) \
		--small-database-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench_pages10k)
	$(PY) benchmarks/bench_analytics.py --database-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench) \
		--small-url $(BENCH_DATABASE_URL:/postgres=/waypoint_bench_10k)

# Style, the layers contract (pyproject.toml, [tool.importlinter]) and types (pyproject.toml, [tool.mypy]).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
