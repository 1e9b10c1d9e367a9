"""Time to judge a pending DRA claim against clusters of growing size (dra_diagnose).

Builds clusters of N nodes with 8 GPUs each (the v1beta2 DRA incident's devices repeated),
most of them held by other claims, and times `dra_diagnose` on a two-alternative
`firstAvailable` claim with NVIDIA-style selectors (lowerAscii().matches, quantity compare).
Prints the median over several runs; asserts nothing. Target: under 200 ms for 1,024 GPUs
(each DRA runbook finding calls it once; the runbook reads at most 20 slices).

    .venv/bin/python bench/dra_diagnose.py [--runs 5]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from holmes.agent.engine.rules.gpu.dra import dra_diagnose

INCIDENT = (
    Path(__file__).resolve().parents[1]
    / "evals/incidents/dra-claim-firstavailable-fallback-taken-v1beta2/kubernetes/dra.yaml"
)


def cluster(nodes: int) -> tuple[dict[str, Any], list, list, list]:
    """The incident's pending claim, classes, `nodes` slices and one holder claim per node."""
    items = yaml.safe_load(INCIDENT.read_text())["items"]
    classes = [o for o in items if o["kind"] == "DeviceClass"]
    template = next(o for o in items if o["kind"] == "ResourceSlice")
    pending = next(o for o in items if o["kind"] == "ResourceClaim" and not o.get("status"))
    slices, claims = [], []
    for index in range(nodes):
        name = f"node-{index:04d}"
        resource_slice = copy.deepcopy(template)
        resource_slice["spec"].update({"nodeName": name, "pool": {"name": name, "generation": 1}})
        slices.append(resource_slice)
        results = [
            {"request": "gpu", "driver": "gpu.nvidia.com", "pool": name, "device": f"gpu-{gpu}"}
            for gpu in range(7)
        ]
        claims.append(
            {
                "metadata": {"name": f"holder-{index}", "namespace": "ml"},
                "status": {"allocation": {"devices": {"results": results}}},
            }
        )
    return pending, classes, slices, claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for nodes in (2, 16, 128):
        pending, classes, slices, claims = cluster(nodes)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            result = dra_diagnose(pending, classes, slices, claims)
            timings.append(time.perf_counter() - started)
        print(
            f"{nodes:4d} nodes, {nodes * 8:5d} GPUs: {statistics.median(timings) * 1000:7.1f} ms "
            f"median over {args.runs} runs (verdict {result['verdict']})"
        )


if __name__ == "__main__":
    main()
