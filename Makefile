# Governance Tracker: `make run` to try it, `make test` to check it.
# Both set everything up first (virtual environment, Python and front-end packages, CSS).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
export FLASK_APP := wsgi

.PHONY: run test test-quick setup assets db demo lint format clean help screenshots browser bench

help:
	@echo "make run    set up, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make test-quick  the inner loop: pure and SQLite tests, no PostgreSQL, Redis or browser"
	@echo "make lint   ruff check, format check and the import contracts"
	@echo "make screenshots  retake the README's screenshots with the browser tests"
	@echo "make bench  time the key pages at 100 and 10,000 projects (docs/performance.md)"

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tracker/static/css/application.css: node_modules/.installed $(shell find assets -type f 2>/dev/null)
	npm run --silent build

assets: tracker/static/css/application.css

setup: $(BIN)/.installed assets

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
# Installing it needs root; without it the browser tests are skipped, or fail when
# TRACKER_REQUIRE_BROWSER=1 (as in CI).
browser:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) \
	  || echo "Could not install Chromium (needs root): the browser tests will be skipped."

db: setup
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

run: demo
	@$(BIN)/flask scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2

# The inner loop: everything that needs neither PostgreSQL, Redis nor the browser. It is not
# what CI runs; make test is.
test-quick: setup
	$(BIN)/python -m pytest -n 2 -q -m "not browser and not postgres" -k "not postgresql"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules tracker/static/css tracker/static/vendor .pytest_cache

# Not part of make test: it builds four databases, the national ones with 10,000 projects.
bench: setup
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

screenshots: setup browser
	TRACKER_SCREENSHOTS=1 TRACKER_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -m browser -k screenshots -q
