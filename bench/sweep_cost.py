"""What the evidence sweep costs: investigation time of the incidents where no runbook holds,
with the sweep and without it, interleaved so both see the same machine load.

Prints, per incident, the median investigation seconds and tool calls with and without the
sweep, then the medians over all. Asserts nothing.

    .venv/bin/python bench/sweep_cost.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from holmes.agent.engine import runbook_engine as engine_module
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.evals.runner import run_incident

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"
PREFIXES = ("sweep-", "abstain-")


def _run(folder: Path, engine: RunbookEngine, sweep: bool) -> tuple[float, int]:
    original = engine_module.should_sweep
    if not sweep:
        engine_module.should_sweep = lambda triaged: False  # type: ignore[assignment]
    try:
        result = run_incident(folder, engine.diagnose)
    finally:
        engine_module.should_sweep = original
    calls = result.diagnosis.cost.tool_calls if result.diagnosis else 0
    return result.investigation_seconds, calls


def main() -> None:
    """Run each incident `--rounds` times with and without the sweep; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = RunbookEngine()
    folders = sorted(f for f in INCIDENTS.iterdir() if f.name.startswith(PREFIXES))
    with_all, without_all = [], []
    for folder in folders:
        runs = {True: [], False: []}
        calls = {True: 0, False: 0}
        for _ in range(args.rounds):
            for sweep in (True, False):
                seconds, calls[sweep] = _run(folder, engine, sweep)
                runs[sweep].append(seconds)
        with_s, without_s = statistics.median(runs[True]), statistics.median(runs[False])
        with_all.append(with_s)
        without_all.append(without_s)
        print(
            f"{folder.name}: with the sweep {with_s:.3f} s ({calls[True]} calls), "
            f"without {without_s:.3f} s ({calls[False]} calls)"
        )
    print(
        f"median over {len(folders)} incidents: with {statistics.median(with_all):.3f} s, "
        f"without {statistics.median(without_all):.3f} s"
    )


if __name__ == "__main__":
    main()
