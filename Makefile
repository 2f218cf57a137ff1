# fieldscan: two commands on a fresh clone.
#   make run   - set up, migrate the embedded SQLite database, load the surveys, serve on :5000
#   make test  - set up and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup catalogs lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) catalogs

catalogs: $(STAMP)
	$(BIN)/fieldscan i18n compile

run: setup
	$(BIN)/fieldscan db upgrade
	$(BIN)/fieldscan surveys load
	$(BIN)/fieldscan run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check fieldscan analysis tests bench
	$(BIN)/ruff format --check fieldscan analysis tests bench

clean:
	rm -rf $(VENV) build *.egg-info translations/*/LC_MESSAGES/*.mo
