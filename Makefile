# Quick start: `make run` plans the built-in scenario, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/nato-2024
SIZES ?= S M L

.PHONY: run test test-quick bench lint docs clean pdf-libs

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $@

# The web app's browser assets (htmx, Chart.js, DataTables) and the accessibility checker
# (axe-core) come from the npm registry at build time; scripts/vendor.mjs copies the served ones into
# src/materiel/web/static/vendor/ (committed, so the server runs without npm).
# Without npm the committed copies serve; the browser tests then skip (fail when CI=true).
node_modules/.installed: package.json package-lock.json scripts/vendor.mjs
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && node scripts/vendor.mjs && touch $@; \
	else echo "npm not found: the web app uses its committed assets; browser tests need npm"; fi

# WeasyPrint (the national plan's PDF) needs Pango and HarfBuzz from the system: Debian's
# packages, installed here when missing (as root, with apt-get; .ci/run installs the same).
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@if dpkg -s $(PDF_LIBS) >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $(PDF_LIBS) >/dev/null; \
	else echo "the national plan's PDF needs $(PDF_LIBS) (Debian's names): install them"; fi

run: $(BIN)/.installed node_modules/.installed pdf-libs
	$(BIN)/materiel plan nato-2024 --out $(OUT)

# The tests, then the package's doctests as a step of their own (so that `pytest` and
# `pytest tests/FOLDER ...` collect tests only). Two worker processes (pytest-xdist), a
# file's tests in one of them (their module fixtures are made once): on this 2-core
# machine the suite took 35 min 22 s in one process and 24 min 13 s in two (2026-12-07).
test: $(BIN)/.installed node_modules/.installed pdf-libs
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15
	$(BIN)/python -m pytest -q --doctest-modules src/materiel --ignore=src/materiel/store/migrations

# The quick loop while working (under two minutes on two cores): all but the slow tests.
test-quick: $(BIN)/.installed node_modules/.installed pdf-libs
	$(BIN)/python -m pytest -q -m "not slow"

# The planner benchmark (bench/README.md): minutes at S and M, much longer at L.
$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	touch $@

bench: $(BIN)/.bench-installed
	$(BIN)/python bench/run.py $(SIZES)

# The documentation site (mkdocs.yml, docs/): its reference pages are generated at build
# time from the code (docs/hooks.py), so a warning (a broken link, a page left out) fails.
$(BIN)/.docs-installed: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $@

docs: $(BIN)/.docs-installed
	$(BIN)/mkdocs build --strict -d site

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports  # which package may import which: [tool.importlinter] in pyproject.toml

clean:
	rm -rf $(VENV) node_modules out site .pytest_cache .mypy_cache .ruff_cache
