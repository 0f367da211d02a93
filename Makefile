# RareLens: two commands for a fresh clone.
#   make demo  — set up, build the knowledge base if missing, show the example case
#   make test  — set up with dev extras, run ruff, mypy on the core, pytest
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Use the shared reference data beside the checkout when it exists (CI and developers).
ifneq ($(wildcard ../shared/data),)
export RARELENS_DATA ?= $(abspath ../shared/data)
endif
# Keep built knowledge bases inside the checkout unless the user chose a home.
export RARELENS_HOME ?= $(abspath .rarelens)

.PHONY: demo test lint venv clean

$(BIN)/rarelens: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/rarelens

demo: venv
	$(BIN)/rarelens kb build --if-missing
	$(BIN)/rarelens diagnose --phenopacket examples/marfan-like.phenopacket.json --top 5
	$(BIN)/rarelens disease OMIM:154700 --limit 8
	$(BIN)/rarelens term search 癫痫 --limit 5
	$(BIN)/rarelens explain OMIM:154700 HP:0001166
	$(BIN)/rarelens extract "患儿3岁，无明显诱因出现抽搐，伴发育落后、肌张力低下，无发热。母亲有癫痫病史。"
	$(BIN)/rarelens diagnose --text "Tall stature, arachnodactyly, ectopia lentis and aortic root dilatation; no intellectual disability." --top 5

lint: venv
	$(BIN)/ruff check src tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .rarelens .pytest_cache .mypy_cache .ruff_cache
