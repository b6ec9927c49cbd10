# Two commands for a newcomer: `make demo` and `make test`. Needs only python3 and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
DEMO   ?= demo-out

.PHONY: demo test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m cpcase.demo --out $(DEMO)

lint: $(TSTAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(TSTAMP)
	$(BIN)/mypy --strict src

pytest: $(TSTAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: $(TSTAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO) .mypy_cache .pytest_cache .ruff_cache .hypothesis
