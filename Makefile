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
# the warehouse path as the Dagster dbt asset passes it (storage/paths.py: Paths.dbt_vars), so
# that dbt's partial parsing stays valid between `dbt parse` here and `dbt build` under Dagster
WAREHOUSE := $(OUTPUT_DIR)/warehouse/warehouse.duckdb
DBT_VARS := {"warehouse_path": "$(WAREHOUSE)"}
export PYTHONPATH := $(CURDIR)
export PATH := $(BIN):$(PATH)

.PHONY: help setup run test test-quick docs dev lint manifest lock clean old-readers site health status launch

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/bin/python:
	@echo "[setup] creating the virtualenv $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock | $(VENV)/bin/python
	@echo "[setup] installing uv into $(VENV)"
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	@echo "[setup] installing the pinned packages of requirements.lock (measured: 1-4 min on a fresh .venv, most of it compiling bytecode)"
	$(BIN)/python -m uv pip sync --python $(BIN)/python --compile-bytecode requirements.lock
	@touch $(STAMP)

$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	@echo "[setup] dbt parse: writing the manifest the Dagster definitions load"
	cd dbt_project && $(BIN)/dbt parse --quiet --profiles-dir . --vars '$(DBT_VARS)'

# the local instance config is placed once; an existing one that differs (a deployment's PostgreSQL
# instance, deploy/dagster.yaml placed by deploy/install.sh) is never overwritten
$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@if [ ! -e $@ ]; then cp orchestration/dagster.yaml $@ && echo "[setup] placed $@"; \
	elif ! cmp -s orchestration/dagster.yaml $@; then \
		echo "[setup] $@ differs from orchestration/dagster.yaml: left as it is (the instance's own config)"; fi

# the `rbi` command: the checkout installed editable, no dependencies, no download (setuptools is in the lock);
# after every sync of the lock (a sync removes what the lock does not list)
RBI_STAMP := $(VENV)/.rbi-installed
$(RBI_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python --offline --no-deps --no-build-isolation -e .
	@touch $(RBI_STAMP)

setup: $(STAMP) $(RBI_STAMP) $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml  ## create the virtualenv, install the lock, prepare dbt

run: setup  ## run the whole pipeline on the embedded snapshot (offline) and print where the outputs are
	$(BIN)/python -m orchestration.run publish_all -c orchestration/run_config.yaml
	@$(BIN)/python -m orchestration.summary

site: setup  ## build the public site from the releases into output/site/ (docs/site.md; publish: python -m publication.publish)
	$(BIN)/python -m publication.site

# pytest-xdist with --dist loadfile (the tests of one file on one worker, so that a module's shared
# pipeline run is made once), handed out in the order tests/conftest.py collects them (longest first;
# without --no-loadscope-reorder pytest-xdist hands out the files with the most tests first). `make test` runs 3 workers on the project's 2 cores: its end-to-end runs
# spend much of their time waiting (for dbt's subprocess, the daemon's ticks, PostgreSQL), and a third
# worker fills it (measured: 717 s, 1,233 s of CPU); the quick suite is all CPU and takes longer on 3
# than on 2 (237 s against 202 s). `make test PYTEST_WORKERS=N` to change either.
PYTEST_WORKERS ?=
# the tests' temporary folders (each e2e run's output directory: DuckDB files, Dagster's SQLite event
# log, releases) on the RAM disk when there is one, one folder per checkout: their fsyncs then cost
# nothing (docs/testing.md). `make test PYTEST_BASETEMP=` keeps pytest's default under /tmp
PYTEST_BASETEMP ?= $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm/rbi-pytest-$$(echo "$(CURDIR)" | cksum | cut -d' ' -f1))
PYTEST_PARALLEL = -n $(or $(PYTEST_WORKERS),$(1)) --dist loadfile --no-loadscope-reorder $(if $(PYTEST_BASETEMP),--basetemp=$(PYTEST_BASETEMP))

test: setup  ## run the test suite (all of it, with the end-to-end runs), on 3 pytest-xdist workers
	$(BIN)/pytest $(call PYTEST_PARALLEL,3) --durations=15

test-quick: setup  ## the quick loop: no end-to-end pipeline run, no deployment, no Chromium, no LibreOffice
	$(BIN)/pytest $(call PYTEST_PARALLEL,2) -m "not e2e and not chromium and not libreoffice" -q --durations=10

old-readers: setup  ## install the older readers the analysts' files are tested with (DuckDB 1.1 and 1.5, pyarrow 14; needs the package index once)
	$(BIN)/python -m tests.publication.older_readers

docs: setup  ## dbt docs as one offline HTML file: output/docs/dbt/index.html (column types after a `make run`)
	@mkdir -p $(OUTPUT_DIR)/docs/dbt
	cd dbt_project && if [ -f "$(WAREHOUSE)" ]; then \
		$(BIN)/dbt docs generate --static --quiet --profiles-dir . --vars '$(DBT_VARS)' ; \
	else echo "[docs] no warehouse yet (make run): docs without column types"; \
		$(BIN)/dbt docs generate --static --empty-catalog --quiet --profiles-dir . --vars '$(DBT_VARS)' ; fi
	cp dbt_project/target/static_index.html $(OUTPUT_DIR)/docs/dbt/index.html
	@echo "[docs] open $(OUTPUT_DIR)/docs/dbt/index.html"

dev: setup  ## start the Dagster UI on http://127.0.0.1:3000 (dg dev: webserver + daemon, project from pyproject [tool.dg])
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg dev --use-active-venv -h 127.0.0.1 -p 3000

# a deployment (docs/operations.md), with its environment loaded: set -a; . /etc/rbi/rbi.env; set +a
health:  ## a deployment's instance, code server, webserver and daemon: one line each; exit 1 when one is down
	$(BIN)/python -m orchestration.operate health

status:  ## a deployment's last runs and releases
	$(BIN)/python -m orchestration.operate status

launch:  ## queue a publish_all run on a deployment's code location (the daemon starts it); prints its id and link
	$(BIN)/python -m orchestration.operate launch

lint:  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock:  ## recompile requirements.lock from requirements.in (needs the package index)
	$(BIN)/python -m uv pip compile --quiet requirements.in -o requirements.lock --python-version 3.11

clean:  ## remove run output ($$RBI_OUTPUT_DIR, default output/) and dbt artefacts (keeps the virtualenv)
	rm -rf "$(OUTPUT_DIR)" dbt_project/target dbt_project/logs
