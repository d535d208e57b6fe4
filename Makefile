# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo/north-west-demo.fieldwork

.PHONY: run test lint bench bench-compare demo screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Made again when the framework or the demo generator changes: a workspace made under
# another framework version is (rightly) refused.
$(DEMO): resources/frameworks/*.json fieldwork/demo.py | $(STAMP)
	mkdir -p demo
	rm -f $(DEMO) $(DEMO)-wal $(DEMO)-shm
	$(BIN)/fieldwork demo $(DEMO)

demo: $(DEMO)

run: $(STAMP) $(DEMO)
	$(BIN)/fieldwork open $(DEMO)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The core is typed strictly; the GUI is checked by plain mypy (Qt's stubs are looser).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy --strict -p fieldwork
	$(BIN)/mypy -p ui

# Every figure beside its target, saved to benchmarks/last.json (the run before becomes
# benchmarks/previous.json). BENCH=sheets runs one module; bench-compare compares the two
# runs figure by figure, or two saved runs: make bench-compare RUNS="old.json new.json".
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks $(BENCH)

bench-compare: $(STAMP)
	$(BIN)/python -m benchmarks --compare $(RUNS)

screenshots: $(STAMP) $(DEMO)
	$(BIN)/python tools/screenshots.py docs/images

clean:
	rm -rf $(VENV) demo build dist *.egg-info

# The installable desktop application (docs/packaging.md). PyInstaller comes with
# the `package` extra, installed only here: running and testing from source never need it.
PACKAGE_STAMP := $(VENV)/.installed-package

.PHONY: package package-test

$(PACKAGE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,package]"
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	$(BIN)/python packaging/build.py

package-test: package
	$(BIN)/python packaging/smoke_test.py
