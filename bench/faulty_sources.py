"""Wall time of an investigation with a faulty source, per source and fault, and all three hung.

Replays public incidents and swaps one source's endpoint for a faulty server on loopback
(`tests/faults/servers.py`: refused, hung, HTML, truncated JSON, HTTP 500/401/403 for Kubernetes
and Prometheus; UNAVAILABLE, INTERNAL, undecodable bytes, hung for Hubble), then prints for each
the seconds the runbook engine took, the fault it recorded and the answer's headline. Asserts
nothing (targets live here, not in timed tests). Target: every case within the tool timeout
plus a second or two; all three hung within one timeout (it was 37 s at a 10 s timeout: one
wait per stage, and the hung API asked again).

    .venv/bin/python bench/faulty_sources.py [--timeout 2] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the faulty servers live with the tests
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # the faulty Relay's GOAWAY notes are noise

from holmes.agent.engine.diagnosis import Diagnosis  # noqa: E402
from holmes.agent.engine.runbook_engine import RunbookEngine  # noqa: E402
from holmes.evals import load_bundle  # noqa: E402
from holmes.evals.replay import ReplayEndpoints, replay  # noqa: E402
from holmes.evals.runner import request_for  # noqa: E402
from holmes.tools import Limits, ToolContext  # noqa: E402
from tests.faults.servers import HTTP_FAULTS, HUBBLE_FAULTS, swapped  # noqa: E402

INCIDENTS = REPO / "evals" / "incidents"
# Which incident shows each source's faults best: one whose answer needs that source.
CASES = [
    *(("gpu-xid-79-node-3", {"prometheus": fault}) for fault in HTTP_FAULTS),
    *(("abstain-healthy-text-embeddings", {"kubernetes": fault}) for fault in HTTP_FAULTS),
    *(("abstain-healthy-text-embeddings", {"hubble": fault}) for fault in HUBBLE_FAULTS),
    ("gpu-xid-79-node-3", {"kubernetes": "hang", "prometheus": "hang", "hubble": "hang"}),
]


async def _investigate(
    engine: RunbookEngine, incident: str, endpoints: ReplayEndpoints, faults: dict[str, str],
    timeout: float, folder: Path,
) -> tuple[Diagnosis, float]:  # fmt: skip
    request = request_for(load_bundle(INCIDENTS / incident))
    with swapped(endpoints, faults, folder) as sources:
        ctx = ToolContext(sources, now=endpoints.time, limits=Limits(timeout_seconds=timeout))
        started = time.perf_counter()
        try:
            diagnosis = await engine.diagnose(request, ctx)
        finally:
            await ctx.aclose()
        return diagnosis, time.perf_counter() - started


def main() -> None:
    """Run every case and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=2.0, help="tool timeout, seconds")
    parser.add_argument("--runs", type=int, default=1, help="runs per case (median printed)")
    options = parser.parse_args()
    engine = RunbookEngine()
    replays: dict[str, ReplayEndpoints] = {}
    print(f"tool timeout {options.timeout:g} s; seconds are the median of {options.runs} run(s)")
    print(f"{'incident':34} {'faults':40} {'seconds':>7}  recorded  headline")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="holmes-bench-")))
        for incident in dict.fromkeys(case[0] for case in CASES):
            replays[incident] = stack.enter_context(replay(load_bundle(INCIDENTS / incident)))
        worst = 0.0
        for incident, faults in CASES:
            seconds = []
            for _ in range(options.runs):
                diagnosis, elapsed = asyncio.run(
                    _investigate(
                        engine, incident, replays[incident], faults, options.timeout, folder
                    )
                )
                seconds.append(elapsed)
            median = statistics.median(seconds)
            worst = max(worst, median)
            recorded = ",".join(
                f"{s.source}:{s.fault}"
                for s in diagnosis.sources_unavailable
                if s.fault != "not_configured"
            )
            named = ",".join(f"{k}={v}" for k, v in faults.items())
            print(f"{incident:34} {named:40} {median:7.2f}  {recorded}  {diagnosis.summary[:60]}")
        print(f"worst case {worst:.2f} s, the tool timeout being {options.timeout:g} s")


if __name__ == "__main__":
    main()
