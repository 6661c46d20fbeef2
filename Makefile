# brochure: print-ready IOP handouts. `make` sets everything up and builds; `make test` tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := all
.PHONY: all help install system-deps test-deps build test lint format bench update-references press-colours clean

all: build ## Set up (first time) and build every document into build/

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

system-deps: ## Install the Debian libraries WeasyPrint needs (when run as root)
	@OPTIONAL="libharfbuzz-subset0 libgs-common" ./scripts/system-deps.sh

test-deps: ## Also install what the tests use when present: poppler-utils, ghostscript, chromium, the XLIFF schema
	@OPTIONAL="libharfbuzz-subset0 libgs-common poppler-utils ghostscript chromium" ./scripts/system-deps.sh
	@./scripts/xliff-schema.sh $(VENV)/share/xliff

install: system-deps $(STAMP) ## Create .venv and install the package with its pinned dependencies

build: install ## Build every document into build/
	$(BIN)/brochure build

test: install test-deps ## Lint, then run the test suite
	$(BIN)/ruff check brochure tests scripts
	$(BIN)/ruff format --check brochure tests scripts
	$(BIN)/pytest

lint: install ## Check style with ruff
	$(BIN)/ruff check brochure tests scripts
	$(BIN)/ruff format --check brochure tests scripts

format: install ## Reformat the code with ruff
	$(BIN)/ruff format brochure tests scripts
	$(BIN)/ruff check --fix brochure tests scripts

bench: install ## Time the build: cold, no-op, one change, per document, against bare WeasyPrint
	$(BIN)/python scripts/bench.py

update-references: install ## After an intended design change: re-render the reference images
	$(BIN)/pytest -q tests/test_visual.py --update-references

press-colours: install ## After changing a colour in tokens.css: convert the press palette again
	$(BIN)/python scripts/press_colours.py

clean: ## Remove build output (keeps .venv)
	rm -rf build tests/output
