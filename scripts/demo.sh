#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and replays a recorded incident: a GPU that fell off the bus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/holmes replay evals/incidents/gpu-xid-79-node-3 --once "$@"
