#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and replays a recorded incident, a fine-tune job that stalled after
# a GPU fell off the bus: what each source serves, then the evidence two tools gather from it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
incident=evals/incidents/gpu-xid-79-node-3
.venv/bin/holmes replay "$incident" --once
echo
.venv/bin/holmes tools run prometheus_gpu_health --incident "$incident"
echo
.venv/bin/holmes tools run kubernetes_describe --incident "$incident" \
  kind=Pod namespace=ml name=llama-finetune-1-m9x4f
