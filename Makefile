# `make demo` and `make test` are the two entry points (see README.md).
# Both build .venv on first use and reuse it afterwards; DATABASE_URL, when
# set, points them at PostgreSQL instead of the SQLite file.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_PORT ?= 8000

# Development mode for every target that runs manage.py or pytest (tests run with
# DEBUG off anyway): manage.py itself is in production mode unless DEBUG=1, as on a
# server. `make serve` and `make bench-load` run the production setup instead, which
# needs SECRET_KEY (see .env.example and README "Running in production"); bench-load's
# own process is a development-mode client of production servers it starts.
demo test test-fast lint check bench bench-excel bench-review bench-matrix bench-public bench-navigation bench-downloads bench-dispatch bench-quality bench-scale bench-smoke bench-load: export DEBUG ?= 1

# The variables of `make serve`, KEY=value lines as in systemd's EnvironmentFile.
ENV_FILE ?= .env

.PHONY: install demo test test-fast lint check serve bench bench-excel bench-review bench-matrix bench-public bench-navigation bench-downloads bench-dispatch bench-quality bench-scale bench-smoke bench-load

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --url http://127.0.0.1:$(DEMO_PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(DEMO_PORT)

# The site in production mode as a server runs it: migrate, then deploy/run-web
# (collectstatic, migration check, gunicorn with several workers). Settings from
# $(ENV_FILE) when present, else from the environment.
serve: install
	set -a; [ ! -f "$(ENV_FILE)" ] || . "$(abspath $(ENV_FILE))"; set +a; \
	$(BIN)/python manage.py migrate --noinput && exec deploy/run-web

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The suite without the tests marked browser or slow (see [tool.pytest.ini_options] markers):
# the loop while editing. `make test` and CI run everything.
test-fast: install
	$(BIN)/pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Server time of the list editor for a 400-item list (see docs/performance.md).
bench: install
	$(BIN)/python benchmarks/editor_page.py

# Excel import, export and county export (see docs/performance.md).
bench-excel: install
	$(BIN)/python benchmarks/excel.py

# Server time of a department's queue (13 townships × 340 items) and of a comparison of two submissions.
bench-review: install
	$(BIN)/python benchmarks/review.py

# 交叉比对 over a county of 31 townships × 400 items: drafts, editions in force, the workbook.
bench-matrix: install
	$(BIN)/python benchmarks/matrix.py

# The public site: a 340-item township page, search over 500,000 published items, a cached page's throughput.
bench-public: install
	$(BIN)/python benchmarks/publication.py

# The public site's levels (index, province, city, county) with 38,000 townships in force.
bench-navigation: install
	$(BIN)/python benchmarks/navigation.py

# County downloads (CSV, JSON, xlsx zip), the drafts' zip and the department queue at 150 townships.
bench-downloads: install
	$(BIN)/python benchmarks/downloads.py

# The 12345 lookup (GET /api/v1/route/), township-scoped and county-wide, over 500,000 published items.
bench-dispatch: install
	$(BIN)/python benchmarks/dispatch.py

bench-quality: install
	$(BIN)/python benchmarks/quality.py

# Province and national scale: township page, scoped search, 12345 lookup, boards and county download
# over a generated sample; BENCH_SCALE_ITEMS=500000,2000000 measures two sizes and their growth.
bench-scale: install
	$(BIN)/python benchmarks/scale.py

# Every benchmark but bench-load at a small size, so that none can rot: CI runs it on SQLite. The first
# one to fail stops it with a failing status. (bench-load needs wrk and the production server.)
bench-smoke: export BENCH_RUNS ?= 2
bench-smoke: export BENCH_PASSES ?= 1
bench-smoke: export BENCH_SEARCH_ITEMS ?= 3000
bench-smoke: export BENCH_THROUGHPUT_REQUESTS ?= 40
bench-smoke: export BENCH_SCALE_ITEMS ?= 2000,4000
bench-smoke: export BENCH_TOWNSHIPS ?= 13
bench-smoke: install
	$(BIN)/python benchmarks/editor_page.py
	$(BIN)/python benchmarks/excel.py
	$(BIN)/python benchmarks/review.py
	$(BIN)/python benchmarks/matrix.py
	$(BIN)/python benchmarks/publication.py
	$(BIN)/python benchmarks/navigation.py
	$(BIN)/python benchmarks/downloads.py
	$(BIN)/python benchmarks/dispatch.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/scale.py

# Load and fault runs against gunicorn + PostgreSQL + Redis (see docs/performance.md);
# wrk comes from Debian. DATABASE_URL must name PostgreSQL.
bench-load: install
	command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python benchmarks/load.py
