"""Log compaction on a million-line log: time, sizes, and whether the decisive line survived.

Builds a log of 1,000,000 lines (access-log noise, heartbeats and cache misses whose numbers and
ids vary on every line, a warning that repeats, and one decisive error line with its Python
traceback somewhere in the middle), compacts it with `holmes.tools.shaping.logs.compact_log`
under an 8 KB bound, and prints the figures. Asserts nothing: the target lives here, not in a
timed test. Target: under 3 s on a 2-core machine, output under ~8 KB, decisive line kept.

    .venv/bin/python bench/log_compaction.py [--lines 1000000] [--max-chars 8000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from holmes.tools.shaping.logs import compact_log

DECISIVE = (
    "2026-03-18T14:22:02.000Z ERROR trainer: [rank6] RuntimeError: CUDA error: unspecified "
    "launch failure (Xid 79 on GPU 2)"
)
TRACE = [
    "Traceback (most recent call last):",
    '  File "/app/train.py", line 812, in train_step',
    "    loss.backward()",
    "RuntimeError: CUDA error: unspecified launch failure",
]


def build_log(lines: int, seed: int = 7) -> str:
    """The synthetic log: varied noise, a repeating warning, the decisive error in the middle."""
    rng = random.Random(seed)
    out = []
    middle = lines // 2 + rng.randrange(-lines // 10, lines // 10)
    for i in range(lines - len(TRACE) - 1):
        clock = f"{10 + i // 360000 % 10:02d}:{i // 6000 % 60:02d}:{i // 100 % 60:02d}"
        stamp = f"2026-03-18T{clock}.{i % 1000:03d}Z"
        if i == middle:
            out.append(DECISIVE)
            out.extend(TRACE)
        roll = rng.random()
        if roll < 0.55:
            out.append(
                f"{stamp} INFO http: GET /v1/models/{rng.randrange(100)}/generate status=200 "
                f"duration_ms={rng.randrange(2000)} req_id={rng.getrandbits(64):016x}"
            )
        elif roll < 0.85:
            out.append(
                f"{stamp} DEBUG worker-{rng.randrange(16)}: heartbeat ok "
                f"queue_depth={rng.randrange(50)}"
            )
        elif roll < 0.99:
            out.append(f"{stamp} INFO cache: miss for key user:{rng.randrange(10**6)}")
        else:
            out.append(
                f"{stamp} WARN dataloader: slow batch {rng.randrange(10**4)} "
                f"took {rng.randrange(900, 3000)}ms"
            )
    return "\n".join(out)


def main() -> None:
    """Build, compact, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--max-chars", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    started = time.perf_counter()
    text = build_log(options.lines)
    print(
        f"built {text.count(chr(10)) + 1:,} lines, {len(text) / 1e6:.1f} MB "
        f"in {time.perf_counter() - started:.1f} s"
    )
    timings = []
    for _ in range(options.runs):
        started = time.perf_counter()
        result = compact_log(text, max_chars=options.max_chars)
        timings.append(time.perf_counter() - started)
    kept = DECISIVE in result.text
    print(
        f"compaction time: median {statistics.median(timings):.2f} s, "
        f"best {min(timings):.2f} s over {options.runs} runs"
    )
    print(f"input: {len(text):,} characters, {result.lines_read:,} lines")
    print(
        f"output: {len(result.text):,} characters ({len(result.text.encode()) / 1024:.1f} KB), "
        f"{result.lines_shown} lines shown, {result.lines_folded:,} folded, "
        f"{result.patterns:,} patterns"
    )
    print(f"decisive line kept: {kept}")
    print(f"traceback kept: {all(line in result.text for line in TRACE)}")
    print("--- output ---")
    print(result.text)


if __name__ == "__main__":
    main()
