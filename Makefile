# Governance Tracker: `make run` to try it, `make test` to check it.
# Both set everything up first (virtual environment, Python and front-end packages, CSS).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
export FLASK_APP := wsgi

.PHONY: run test setup assets db demo lint format clean help screenshots

help:
	@echo "make run    set up, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint   ruff check and format check"

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

db: setup
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load

run: demo
	@$(BIN)/flask scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules tracker/static/css tracker/static/vendor .pytest_cache

screenshots: demo
	$(BIN)/python -m pip install --quiet 'playwright>=1.45'
	@$(BIN)/flask run --port 5099 > /dev/null 2>&1 & echo $$! > .screenshots.pid; sleep 3; \
	$(BIN)/python scripts/screenshots.py http://127.0.0.1:5099 "$${TRACKER_DEMO_PASSWORD:-$$(cat instance/demo_password)}"; \
	status=$$?; kill $$(cat .screenshots.pid); rm -f .screenshots.pid; exit $$status
