# orders-pipeline: the one entry point. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: help setup test lock

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(VENV)/.installed ## Create .venv with the app (editable) and the pinned dev tools

$(VENV)/.installed: requirements/dev.txt app/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e app
	@touch $@

test: setup ## Run the whole test suite (unit, handler, CLI, terraform, live contract, end to end)
	$(BIN)/pytest

lock: setup ## Re-resolve requirements/dev.txt and app/requirements.lock from their .in files
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile --quiet requirements/dev.in --python-version 3.11 -o requirements/dev.txt
	$(BIN)/uv pip compile --quiet app/requirements.in --python-version 3.12 \
	  --python-platform aarch64-manylinux_2_28 --generate-hashes -o app/requirements.lock
