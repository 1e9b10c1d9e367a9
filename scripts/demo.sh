#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and investigates a recorded incident end to end with no LLM: a
# fine-tune job stalls after GPU 2 of gpu-node-3 falls off the bus (XID 79). The incident is
# replayed over the real protocols (a Kubernetes API server, a real Prometheus with the DCGM
# series) and `holmes ask` answers with the root cause, the evidence and the remediation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
incident=evals/incidents/gpu-xid-79-node-3
.venv/bin/holmes ask --no-llm --incident "$incident" \
  "Why did the llama-finetune job in namespace ml stop making progress?"
