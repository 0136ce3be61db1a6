# Two commands set everything up: `make run` (the app) and `make test` (the suite, with a real Neo4j).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Caches live outside the checkout so fresh clones (and CI) reuse them.
export AUTOSCOPE_CACHE_DIR ?= $(HOME)/.cache/autoscope
export UV_CACHE_DIR ?= $(HOME)/.cache/uv

.PHONY: run test lint install dev neo4j bench eval clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## the app only
dev: $(VENV)/.installed-dev  ## the app plus test and lint tools

run: install  ## build the graph (bundled sample offline) and serve the API on 127.0.0.1:8000
	$(BIN)/autoscope up

neo4j: dev  ## download the Neo4j 5.26 jars for the tests into $(AUTOSCOPE_CACHE_DIR)
	$(BIN)/python -m tests.support.neo4j_server provision

test: dev neo4j  ## the whole suite, against a real Neo4j server started for the run
	$(BIN)/python -m pytest

lint: dev
	$(BIN)/ruff check graph ingest api tests bench
	$(BIN)/mypy graph ingest api

bench: dev  ## print write throughput of both stores
	$(BIN)/python -m bench.store_write

eval: dev  ## extraction quality on the labelled set
	$(BIN)/python -m bench.eval_extraction

clean:
	rm -rf $(VENV) .autoscope .pytest_cache .mypy_cache .ruff_cache
