"""The eval suite's wall time and the per-incident investigation time, without replay start-up.

Runs `holmes eval`'s runner over a suite (default evals/incidents) and prints, for the runbook
engine: the suite's wall time, p50/p95/max of one investigation (triage + runbooks + answer,
excluding the replay servers' start-up), the replay start-up median, tool calls per
investigation, and the slowest incidents. Asserts nothing. Targets: p95 under 1 s per
investigation; the whole suite under 60 s on the 2-core machine.

    .venv/bin/python bench/eval_suite.py [--suite DIR] [--workers 1]

One incident at a time by default: the replay servers run in this process, so concurrent
incidents share its interpreter lock and each investigation's latency would include the others'.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.evals.runner import run_suite

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    """Run the suite once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=INCIDENTS)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    engine = RunbookEngine()
    started = time.perf_counter()
    results = run_suite(args.suite, engine, workers=args.workers)
    wall = time.perf_counter() - started
    ok = [r for r in results if r.error is None]
    times = [r.investigation_seconds for r in ok] or [0.0]
    replays = [r.replay_seconds for r in ok] or [0.0]
    calls = [r.tool_calls for r in ok] or [0]
    passed = sum(r.passed for r in results)
    print(f"suite: {args.suite} ({len(results)} incidents, {args.workers} at a time)")
    print(f"passed: {passed}/{len(results)}")
    print(f"suite wall time: {wall:.1f} s (target < 60 s)")
    print(
        f"investigation: p50 {statistics.median(times):.3f} s, p95 {percentile(times, 0.95):.3f} s,"
        f" max {max(times):.3f} s (target p95 < 0.3 s, issues 15 and 16)"
    )
    print(f"replay start-up: median {statistics.median(replays):.2f} s, max {max(replays):.2f} s")
    print(f"tool calls per investigation: median {statistics.median(calls):.0f}, max {max(calls)}")
    slowest = sorted(ok, key=lambda r: -r.investigation_seconds)[:3]
    print("slowest: " + ", ".join(f"{r.incident} {r.investigation_seconds:.2f} s" for r in slowest))


if __name__ == "__main__":
    main()
