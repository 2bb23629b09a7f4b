# Guildbook: `make run` serves the app with demo data on SQLite; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Links in e-mail and the sign-in details use the address served (unless SITE_URL is set).
RUN_ENV = DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

run: install
	$(RUN_ENV) $(BIN)/guildbook migrate --no-input
	$(RUN_ENV) $(BIN)/guildbook demo --if-empty
# The background worker sends due e-mail (to var/mail and the console in development); it
# stops with the server.
	$(RUN_ENV) $(BIN)/guildbook worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/guildbook runserver $(HOST):$(PORT)

# The suite runs in one process per core (pytest-xdist); TEST_WORKERS=0 runs it in this one.
TEST_WORKERS ?= auto
test: install
	GUILDBOOK_TESTING=true $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	GUILDBOOK_TESTING=true DATABASE_URL=sqlite:////tmp/guildbook-lint.sqlite3 $(BIN)/guildbook makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
