# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/copydesk scan examples
	$(BIN)/copydesk scan examples --format json -o demo-scan.json
	$(BIN)/copydesk scan examples --format html -o demo-report.html
	@echo "wrote demo-scan.json and demo-report.html"

lint: $(STAMP)
	$(BIN)/ruff check copydesk tests benchmarks
	$(BIN)/mypy copydesk

test: lint
	$(BIN)/python -m pytest -q

# Figures, not tests: each script prints what it measured (see benchmarks/*.py for options).
# text-dedup, a peer of bench_scale.py, gets its own environment: it pins urllib3 <= 2.0, which
# copydesk's HTML extraction (trafilatura) cannot use.
PEER_VENV := benchmarks/.cache/text-dedup-venv

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark,bench]'
	test -x $(PEER_VENV)/bin/python || $(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet 'text-dedup>=0.4,<0.5'
	$(BIN)/python benchmarks/bench_accuracy.py
	$(BIN)/python benchmarks/bench_paraphrase.py
	$(BIN)/python benchmarks/bench_spin.py
	$(BIN)/python benchmarks/bench_index.py
	$(BIN)/python benchmarks/bench_serve.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_hub.py
	$(BIN)/python benchmarks/bench_long.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache demo-scan.json demo-report.html
