# Governance Tracker: `make run` to try it, `make test` to check it.
# Both set everything up first (virtual environment, Python and front-end packages, CSS).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# make run: the log (and the emails it would send, with no MAIL_SERVER) goes here, and links
# in emails point at the address it serves on.
LOG_FILE ?= $(CURDIR)/instance/tracker.log
TRACKER_BASE_URL ?= http://$(HOST):$(PORT)
export FLASK_APP := wsgi

# A set-up step with its output kept back: shown only if the step fails.
quietly = out=$$(mktemp); if $(1) >"$$out" 2>&1; then rm -f "$$out"; \
	else status=$$?; cat "$$out"; rm -f "$$out"; echo "make: failed: $(strip $(1))" >&2; \
	exit $$status; fi

.PHONY: run test test-quick setup assets db demo lint format clean help screenshots browser bench

help:
	@echo "make run    set up, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make test-quick  the inner loop: pure and SQLite tests, no PostgreSQL, Redis or browser"
	@echo "make lint   ruff check, format check and the import contracts"
	@echo "make screenshots  retake the README's screenshots with the browser tests"
	@echo "make bench  time the key pages at 100 and 10,000 projects (docs/performance.md)"

$(BIN)/.installed: pyproject.toml
	@echo "Setting up the Python environment (first time only)..."
	@$(call quietly,$(PYTHON) -m venv $(VENV))
	@$(call quietly,$(BIN)/python -m pip install --quiet --upgrade pip)
	@$(call quietly,$(BIN)/python -m pip install --quiet -e '.[dev]')
	@touch $@

node_modules/.installed: package.json package-lock.json
	@echo "Installing the front-end packages (first time only)..."
	@$(call quietly,npm ci --no-audit --no-fund --loglevel=error)
	@touch $@

tracker/static/css/application.css: node_modules/.installed $(shell find assets -type f 2>/dev/null)
	@$(call quietly,npm run --silent build)

assets: tracker/static/css/application.css

setup: $(BIN)/.installed assets

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
# Installing it needs root; without it the browser tests are skipped, or fail when
# TRACKER_REQUIRE_BROWSER=1 (as in CI).
browser:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) \
	  || echo "Could not install Chromium (needs root): the browser tests will be skipped."

db: setup
	@$(call quietly,$(BIN)/flask db upgrade)

demo: db
	@$(call quietly,$(BIN)/flask demo load)

# The web server and the scheduler write to LOG_FILE; the terminal shows the address and
# the demo logins, last, once the server answers.
run: demo
	@mkdir -p "$(dir $(LOG_FILE))"
	@export TRACKER_LOG_FILE="$(LOG_FILE)" TRACKER_BASE_URL="$(TRACKER_BASE_URL)"; \
	$(BIN)/flask scheduler run >>"$(LOG_FILE)" 2>&1 & scheduler=$$!; \
	$(BIN)/flask run --host $(HOST) --port $(PORT) >>"$(LOG_FILE)" 2>&1 & server=$$!; \
	trap 'kill $$scheduler $$server 2>/dev/null; wait $$scheduler $$server 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask demo logins --url "http://$(HOST):$(PORT)" --wait 30 --log "$(LOG_FILE)" \
	  || { tail -n 20 "$(LOG_FILE)"; exit 1; }; \
	wait $$server

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
