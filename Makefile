# The two commands of the README: `make demo` and `make test`. Each does all set-up itself.
SHARED_SEEDS := $(wildcard ../shared/seeds)

.PHONY: setup setup-dev demo test lint bench train samples

setup:
	@scripts/setup.sh

setup-dev:
	@scripts/setup.sh dev

demo: setup
	.venv/bin/sohoa run data/samples $(SHARED_SEEDS) --db archive.sqlite

test: setup-dev
	.venv/bin/ruff check .
	.venv/bin/python -m pytest -q

lint: setup-dev
	.venv/bin/ruff check .

bench: setup-dev
	.venv/bin/python bench/restore.py
	.venv/bin/python bench/extract.py
	.venv/bin/python bench/ocr.py

train: setup
	.venv/bin/sohoa train --corpus ../shared/corpus --out data/models

samples: setup
	.venv/bin/python scripts/make_samples.py
