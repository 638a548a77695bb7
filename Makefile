# Verbatim: `make run` starts the chat, `make test` runs the whole suite. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INTERVIEWS := $(wildcard data/interviews/*.txt)

.PHONY: run test ingest eval bench calibrate reliability venv clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m ingest --if-empty $(INTERVIEWS)
	$(BIN)/python -m streamlit run app.py

test: $(STAMP)
	$(BIN)/python -m pytest

ingest: $(STAMP)
	$(BIN)/python -m ingest $(INTERVIEWS)

eval: $(STAMP)
	$(BIN)/python scripts/eval_all.py --heldout

# 1, 100 and 1,000 synthetic interviews into benchmarks/results/; `make bench BENCH_ARGS=--large` adds 10,000
bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

calibrate: $(STAMP)
	$(BIN)/python scripts/calibrate.py

reliability: $(STAMP)
	$(BIN)/python scripts/reliability.py

clean:
	rm -rf $(VENV) store .pytest_cache
