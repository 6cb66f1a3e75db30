# Everyday commands; the environment comes from ./scripts/setup.sh --tests.
.PHONY: setup lint mypy-baseline test-fast test

setup:
	./scripts/setup.sh --tests

lint:
	./scripts/lint.sh

# after fixing type errors: record the smaller baseline (it may never grow)
mypy-baseline:
	.venv/bin/mypy | .venv/bin/mypy-baseline sync

test-fast:
	.venv/bin/python -m pytest -m "not slow"

test:
	.venv/bin/python -m pytest
