# qruntime: `make run` starts the server on the embedded default; `make test` sets
# everything up and runs the whole suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

STOCK_027 := .venvs/stock-0.27.1
STOCK_051 := .venvs/stock-0.51.0

.PHONY: run test bench venv stock-venvs clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV): qruntime and its dependencies (first run only, a few minutes)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

# The stock clients, each in its own virtual environment, for the compatibility tests.
$(STOCK_027)/.installed:
	$(PYTHON) -m venv $(STOCK_027)
	$(STOCK_027)/bin/pip install --quiet --upgrade pip
	$(STOCK_027)/bin/pip install --quiet "qiskit-ibm-runtime==0.27.1" "qiskit-ibm-provider==0.11.0" "qiskit<2"
	touch $@

$(STOCK_051)/.installed:
	$(PYTHON) -m venv $(STOCK_051)
	$(STOCK_051)/bin/pip install --quiet --upgrade pip
	$(STOCK_051)/bin/pip install --quiet "qiskit-ibm-runtime==0.51.0"
	touch $@

stock-venvs: $(STOCK_027)/.installed $(STOCK_051)/.installed

run: $(STAMP)
	@echo "Starting qruntime serve; how to connect follows in a moment. Ctrl-C stops it."
	$(BIN)/qruntime serve

test: $(STAMP) stock-venvs
	QRUNTIME_TEST_PG_URL="$${QRUNTIME_TEST_PG_URL:-$(PG_URL)}" $(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .venvs build *.egg-info
