# The experiment, step by step. `make train` and `make test` work from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MODEL := model/artifacts/sensational.joblib

.PHONY: setup data labels train eval test fuzz bench clean

## setup: create .venv and install the project (editable) with its test, report, service, distributed and bench extras
setup: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml model/_shapes.c
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,report,service,distributed,bench]'
	touch $@

## data: load and validate the shipped corpora, print counts per corpus and split
data: setup
	$(BIN)/sensational data

## labels: rebuild the GoodNewsEveryone sensationalism labels and kappa from the annotation passes
labels: setup
	$(BIN)/python data/annotation/build_labels.py

## train: fit the model from train/config.toml, then score the example headlines with it
train: setup
	$(BIN)/sensational train
	$(BIN)/sensational predict --input data/examples/headlines.txt --format table --top-phrases 3

$(MODEL):
	$(MAKE) train

## eval: score every test split; writes evaluate/report.md, evaluate/metrics.json and the model card
eval: setup $(MODEL)
	$(BIN)/sensational evaluate

## test: the test suite (trains the shipped model first if it is missing)
test: setup
	$(BIN)/pytest -q

## fuzz: the input property test with many more random corruptions of real files than `make test` tries
fuzz: setup
	SENSATIONAL_FUZZ_EXAMPLES=1000 $(BIN)/pytest -q tests/test_fuzz.py

## bench: speed and memory against a plain scikit-learn pipeline, printed as one table
bench: setup $(MODEL)
	$(BIN)/python -m sensational.evaluate.bench

clean:
	rm -rf $(VENV) model/artifacts .pytest_cache
