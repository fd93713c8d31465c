# make run   install and start the API on http://127.0.0.1:8000 (SQLite file, nothing else needed)
# make test  install and run the whole test suite (lint included)
# make client  regenerate the Python client from the API (clients/python, docs/clients.md)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format client bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "corebank needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/corebank serve

test: $(STAMP)
	$(BIN)/ruff check src tests scripts clients/python
	$(BIN)/python -m pytest -n auto --maxprocesses=4

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts clients/python
	$(BIN)/ruff format --check src tests bench scripts clients/python
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench scripts clients/python
	$(BIN)/ruff check --fix src tests bench scripts clients/python

client: $(STAMP)
	$(BIN)/python scripts/generate_client.py

clean:
	rm -rf $(VENV) corebank.db corebank.db-wal corebank.db-shm
