"""Redaction speed on a megabyte of logs and a megabyte of pod YAML, the texts tools return.

Concatenates the recorded incidents' logs (and, separately, their pods.yaml files) up to the
size asked, runs `holmes.tools.redaction.redact` on each several times and prints the mean
time per call and per megabyte, and how many masks it wrote. Asserts nothing: the target lives
here, not in a timed test. Target: under 100 ms a megabyte for either on a 2-core machine (a
tool's text is bounded to a few KB, but a log is redacted before it is compacted).

    .venv/bin/python bench/redaction.py [--megabytes 1] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from holmes.tools.redaction import redact

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"


def corpus(pattern: str, size: int) -> str:
    """The files matching `pattern` under the incidents, repeated up to `size` characters."""
    text = "\n".join(path.read_text() for path in sorted(INCIDENTS.rglob(pattern)))
    while len(text) < size:
        text += "\n" + text
    return text[:size]


def main() -> None:
    """Time `redact` over each corpus and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    size = int(options.megabytes * 1_000_000)
    for name, pattern in (("logs", "*.log"), ("pod YAML", "pods.yaml")):
        text = corpus(pattern, size)
        times = []
        for _ in range(options.runs):
            started = time.perf_counter()
            redacted = redact(text)
            times.append(time.perf_counter() - started)
        mean = statistics.mean(times)
        print(
            f"{name}: {len(text) / 1e6:.2f} MB in {mean * 1000:.1f} ms "
            f"({mean * 1000 / (len(text) / 1e6):.1f} ms/MB), "
            f"{redacted.count('[REDACTED')} masks"
        )


if __name__ == "__main__":
    main()
