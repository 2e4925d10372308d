# xxgk-warehouse: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEEDS ?= ../shared/seeds
GOLD ?= ../shared/gold
CORPUS ?= ../shared/corpus
N ?= 1000

.PHONY: setup run test lint eval dev docs bench-data bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)  ## materialize every asset on XXGK_RAW_DIR into XXGK_WAREHOUSE, print a summary
	$(BIN)/xxgk run

test: $(STAMP)  ## lint, format check, Definitions check, unit + end-to-end tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/dg check defs
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: $(STAMP)  ## extraction accuracy against gold: seeds and the development corpus
	$(BIN)/python -m bench.evaluate $(SEEDS) $(GOLD) $(CORPUS)/raw $(CORPUS)/gold

docs: $(STAMP)  ## regenerate docs/data_dictionary.md from the warehouse schema and dim_metric
	$(BIN)/python -m pipeline.warehouse > docs/data_dictionary.md

dev: $(STAMP)  ## Dagster UI on http://127.0.0.1:3000 over the project instance (.dagster_home, or DAGSTER_HOME) with the limits in dagster_instance.yaml
	$(BIN)/python -m assets.dev -h 127.0.0.1 -p 3000

bench-data: $(STAMP)  ## N synthetic reports with ground truth under bench/
	$(BIN)/python -m bench.synth --n $(N) --out bench/corpus-$(N)

bench: $(STAMP)  ## benchmark the real pipeline on N synthetic reports
	$(BIN)/python -m bench.benchmark --n $(N)

clean:
	rm -rf $(VENV) .dagster_home data/warehouse/*.duckdb* data/warehouse/*.data_docs data/warehouse/*.staging \
		data/warehouse/*.parquet data/warehouse/*.csv data/warehouse/*.overview.html
