"""What `holmes record` costs and writes, per incident of a suite replayed as the source.

For each incident: the seconds of the investigation plus the completion (whole logs, raw series)
and the writing, excluding the replay's start-up; what was recorded (objects, logs, series,
samples, flows); and the recorded bundle's size beside the original's. Prints the medians and
totals. Asserts nothing.

    .venv/bin/python bench/record.py [--suite DIR]

One incident at a time: the replay servers run in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.evals import load_bundle
from holmes.evals.record import record_investigation
from holmes.evals.replay import replay
from holmes.evals.runner import context_for, incident_folders, request_for

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def record_one(engine: RunbookEngine, incident: Path, out: Path) -> tuple[float, str]:
    """Record one incident from its replay: (seconds, a line of figures)."""
    bundle = load_bundle(incident)
    with replay(bundle) as endpoints:
        ctx = context_for(endpoints)

        async def run() -> tuple[float, object]:
            started = time.perf_counter()
            try:
                outcome = await record_investigation(
                    engine, request_for(bundle), ctx, out, since=timedelta(hours=1)
                )
            finally:
                await ctx.aclose()
            return time.perf_counter() - started, outcome

        seconds, outcome = asyncio.run(run())
    recorded = load_bundle(out)
    samples = sum(len(s.samples) for s in recorded.series)
    line = (
        f"{incident.name:48} {seconds:5.2f} s  {outcome.objects:3} obj {outcome.logs:2} logs "
        f"{outcome.series:4} series {samples:6} samples {outcome.flows:4} flows  "
        f"{folder_bytes(out) / 1024:7.1f} KiB (original {folder_bytes(incident) / 1024:7.1f} KiB)"
    )
    return seconds, line


def main() -> None:
    """Record every incident of the suite and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=INCIDENTS)
    args = parser.parse_args()
    engine = RunbookEngine()
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        for incident in incident_folders(args.suite):
            seconds, line = record_one(engine, incident, Path(scratch) / incident.name)
            times.append(seconds)
            print(line)
        recorded = folder_bytes(Path(scratch))
    original = sum(folder_bytes(p) for p in incident_folders(args.suite))
    print(
        f"{len(times)} incidents: record p50 {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s, total {sum(times):.1f} s; bundles {recorded / 1024:.0f} KiB "
        f"(originals {original / 1024:.0f} KiB)"
    )


if __name__ == "__main__":
    main()
