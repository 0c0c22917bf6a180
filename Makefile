# Every target sets itself up: it creates .venv if missing and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench lessons clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,oracle]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tracegrad demo --out demo-output

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --doctest-modules tests autograd nn

# The inner loop: ruff, then every test but the slow ones (notebooks, long training, the oracle).
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow" --doctest-modules tests autograd nn

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_nn.py
	$(BIN)/python benchmarks/bench_stepper.py
	$(BIN)/python benchmarks/bench_replay.py

lessons: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) demo-output .pytest_cache .hypothesis
