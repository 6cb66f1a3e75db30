# Everyday commands; the environment comes from ./scripts/setup.sh --tests.
.PHONY: setup lint mypy-baseline test-unit test-fast test

setup:
	./scripts/setup.sh --tests

lint:
	./scripts/lint.sh

# after fixing type errors: record the smaller baseline (it may never grow)
mypy-baseline:
	.venv/bin/mypy | .venv/bin/mypy-baseline sync

# no network service (Redis, database, HTTP)
test-unit:
	.venv/bin/python -m pytest tests/unit

# unit + one real component at a time (Redis, PostgreSQL, tantivy, tesseract…): a few minutes
test-fast:
	.venv/bin/python -m pytest tests/unit tests/integration

test:
	.venv/bin/python -m pytest
