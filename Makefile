.DEFAULT_GOAL := run
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app eventsvc

.PHONY: run test lint bench translations extract clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.installed

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d eventsvc/translations

# `make run PORT=5050` when 5000 is taken; links in mail follow unless PUBLIC_BASE_URL is set.
PORT ?= 5000
RUN_BASE_URL := $(or $(EVENTSVC_PUBLIC_BASE_URL),http://127.0.0.1:$(PORT))

run: $(VENV)/.installed translations
	$(FLASK) init-db
	$(FLASK) demo-data --once
	EVENTSVC_PUBLIC_BASE_URL=$(RUN_BASE_URL) $(FLASK) where --port $(PORT)
	EVENTSVC_PUBLIC_BASE_URL=$(RUN_BASE_URL) $(FLASK) run --host 127.0.0.1 --port $(PORT)

# One pytest worker per core (pytest-xdist; each has its own databases, ports and Chromium),
# tests of one module kept on one worker. `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto

test: $(VENV)/.installed-test translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# lint-imports: the layers and the no-cycle rule of pyproject.toml's [tool.importlinter].
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

bench: $(VENV)/.installed-test translations
	$(BIN)/python -m bench

extract: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --sort-output -o eventsvc/translations/messages.pot .
	$(BIN)/pybabel update -i eventsvc/translations/messages.pot -d eventsvc/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV)
	find eventsvc/translations -name '*.mo' -delete
