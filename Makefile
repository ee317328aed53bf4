# Rapporteringsbyrdeindeksen — `make run` (whole pipeline, offline, embedded snapshot) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
OUTPUT_DIR := $(or $(RBI_OUTPUT_DIR),$(CURDIR)/output)
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/seeds dbt_project/macros -type f 2>/dev/null) \
	dbt_project/dbt_project.yml dbt_project/profiles.yml

# Offline hygiene: no telemetry from Dagster, dbt or GX; imports find the project's packages.
export DAGSTER_HOME ?= $(OUTPUT_DIR)/dagster_home
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := False
# the warehouse path as the Dagster dbt asset passes it (sources/paths.py: Paths.dbt_vars), so
# that dbt's partial parsing stays valid between `dbt parse` here and `dbt build` under Dagster
DBT_VARS := {"warehouse_path": "$(OUTPUT_DIR)/warehouse/warehouse.duckdb"}
export PYTHONPATH := $(CURDIR)
export PATH := $(BIN):$(PATH)

.PHONY: help setup run test dev lint manifest lock clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock | $(VENV)/bin/python
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/python -m uv pip sync --quiet --python $(BIN)/python --compile-bytecode requirements.lock
	@touch $(STAMP)

$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	cd dbt_project && $(BIN)/dbt parse --quiet --profiles-dir . --vars '$(DBT_VARS)'

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

setup: $(STAMP) $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml  ## create the virtualenv, install the lock, prepare dbt

run: setup  ## run the whole pipeline on the embedded snapshot (offline) and print where the outputs are
	$(BIN)/python -m orchestration.run publish_all -c orchestration/run_config.yaml
	@$(BIN)/python -m orchestration.summary

test: setup  ## run the test suite
	$(BIN)/pytest

dev: setup  ## start the Dagster UI on http://127.0.0.1:3000
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

lint:  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock:  ## recompile requirements.lock from requirements.in (needs the package index)
	$(BIN)/python -m uv pip compile --quiet requirements.in -o requirements.lock --python-version 3.11

clean:  ## remove run output ($$RBI_OUTPUT_DIR, default output/) and dbt artefacts (keeps the virtualenv)
	rm -rf "$(OUTPUT_DIR)" dbt_project/target dbt_project/logs
