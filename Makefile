# fieldscan: two commands on a fresh clone.
#   make run   - set up, migrate the embedded SQLite database, load the surveys, serve on :5000
#   make test  - set up and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

CHROMIUM ?= /usr/bin/chromium

.PHONY: run test setup catalogs browser lint bench clean

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
	$(BIN)/fieldscan demo load
	$(BIN)/fieldscan analysis run --if-missing
	$(BIN)/fieldscan run --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (with fonts for all 12 scripts, so screenshots
# show the text); install them when missing (as root; otherwise the browser tests skip).
BROWSER_PACKAGES := chromium fonts-noto-core fonts-noto-cjk
browser:
	@{ test -x $(CHROMIUM) && test -d /usr/share/fonts/opentype/noto; } || \
	  { echo "installing $(BROWSER_PACKAGES) for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $(BROWSER_PACKAGES)) \
	    || echo "could not install them: browser tests will be skipped (fail in CI)"; }

test: setup browser
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check fieldscan analysis tests bench
	$(BIN)/ruff format --check fieldscan analysis tests bench

clean:
	rm -rf $(VENV) build *.egg-info translations/*/LC_MESSAGES/*.mo
