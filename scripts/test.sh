#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs what CI runs: ruff, the import layers, the pytest suite,
# the runbook check and the eval suite (every recorded incident must pass with no LLM).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/holmes runbooks check --strict
.venv/bin/holmes eval --suite evals/incidents
# Last, so that pytest's summary closes the output.
.venv/bin/python -m pytest "$@"
