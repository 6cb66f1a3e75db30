#!/usr/bin/env bash
# The gates that run before the tests (CI, `make lint`, pre-commit): ruff, mypy against the committed
# baseline (mypy-baseline.txt may only shrink: fix an error, then `make mypy-baseline`), import rules.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check services workers schemas bench tests
report=$(mktemp); trap 'rm -f "$report"' EXIT
.venv/bin/mypy > "$report" || [ $? -eq 1 ]  # 1: type errors, judged against the baseline; 2: mypy failed
.venv/bin/mypy-baseline filter --hide-stats --no-colors < "$report"
.venv/bin/lint-imports --no-cache
