#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs what CI runs: ruff, the import layers, the pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/python -m pytest "$@"
