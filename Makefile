# Every target sets itself up: it creates .venv if missing and installs into it what it needs:
# `demo` the runtime dependencies only (numpy, matplotlib, graphviz, tqdm: about 210 MB);
# `test`, `lint` and `bench` the test and oracle extras too (pytest, hypothesis, ruff, micrograd,
# playwright, torch: about 1.6 GB). Each set has its own stamp, so `make test` after
# `make demo` still installs the extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: demo test test-fast fuzz lint bench lessons clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e ".[dev,oracle]"
	touch $(DEV)

demo: $(RUNTIME)
	$(BIN)/tracegrad demo --out demo-output

test: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest --doctest-modules tests autograd nn

# The inner loop: ruff and mypy, then every test but the slow ones (notebooks, long training, the oracle).
test-fast: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not slow" --doctest-modules tests autograd nn

# Open-ended fuzzing against PyTorch, beyond the fixed programs `make test` replays: every op at
# once, a fresh seed each run (FUZZ_SEED=n to repeat one), for FUZZ_SECONDS; each new kind of
# mismatch is printed as an entry for tests/oracle/fuzz_corpus.json. Fails if it found one.
FUZZ_SECONDS ?= 60
fuzz: $(DEV)
	$(BIN)/python tests/oracle/fuzz_search.py --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(DEV)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_nn.py
	$(BIN)/python benchmarks/bench_stepper.py
	$(BIN)/python benchmarks/bench_replay.py

lessons: $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) demo-output .pytest_cache .hypothesis
