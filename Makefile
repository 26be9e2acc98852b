# Every target sets itself up: a fresh machine needs only Python 3.11, pip and gcc.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch lies on disk on our machines; point pip at it when present.
WHEELS := $(wildcard /opt/wheels)
PIP_FLAGS := $(if $(WHEELS),--find-links $(WHEELS),)
EXTRAS := test,embed,static
STAMP := $(VENV)/.installed-$(EXTRAS)

.PHONY: install test demo bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet $(PIP_FLAGS) "torch==2.13.0"
	$(BIN)/python -m pip install --quiet $(PIP_FLAGS) -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

test: install
	$(BIN)/python -m pytest -q

demo: install
	$(BIN)/accord --store demo-output/accord.db run src/accord/data/demo --out demo-output
	$(BIN)/accord --store demo-output/accord.db search "capacity building" --family "UN system" --limit 3
	@echo
	@echo "Explore the demo store in your browser (read-only; add --review to check and correct labels):"
	@echo "    $(BIN)/accord --store demo-output/accord.db serve"
	@echo "and open http://127.0.0.1:8000/ (docs/explorer.md explains the pages)."

bench: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) demo-output .pytest_cache
