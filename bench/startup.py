"""How fast the `holmes` command starts: median wall time of each command line, and what it imports.

Runs each command line `--runs` times as a fresh process (what a shell does) and prints the
median and the spread, then the slowest imports of `holmes ask --help` and of a no-LLM
`holmes ask --incident` by cumulative time (`python -X importtime`). Asserts nothing: the target
lives here, not in a timed test. Target: `holmes --help`, `holmes <command> --help` and
`holmes version` <= 0.3 s on a 2-core machine (the replay's start is part of the ask figure).

    .venv/bin/python bench/startup.py [--runs 10] [--top 12]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCIDENT = "evals/incidents/gpu-xid-79-node-3"
COMMAND_LINES = [
    ["--help"],
    ["version"],
    ["ask", "--help"],
    ["ask", "--incident", INCIDENT, "--no-llm"],
]
TARGET_SECONDS = 0.3
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def holmes_executable() -> str:
    """The venv's `holmes` console script (what a user runs), next to this interpreter."""
    script = Path(sys.executable).with_name("holmes")
    if not script.exists():
        sys.exit(f"no holmes script next to {sys.executable}: run scripts/setup.sh first")
    return str(script)


def wall_times(argv: list[str], runs: int) -> list[float]:
    """Wall seconds of `runs` fresh processes running `argv` (a failing run stops the bench)."""
    subprocess.run(argv, cwd=ROOT, capture_output=True, env=_env())  # warm: caches, bytecode
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=_env())
        samples.append(time.perf_counter() - started)
        if done.returncode != 0:
            sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return samples


def top_imports(args: list[str], top: int) -> list[tuple[float, str]]:
    """The `top` packages by milliseconds spent importing them (`python -X importtime`).

    Third-party packages only (not the standard library). A package's figure is the cumulative
    time of each import that enters it from another package (its own dependencies included), so
    `kubernetes` counts the client with urllib3 and yaml; holmes's own modules count their self
    time only.
    """
    code = "import sys; from holmes.cli.main import app; sys.argv[0] = 'holmes'; app()"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(),
    )
    totals: dict[str, float] = {}
    for self_us, cumulative_us, module, parent in _import_tree(done.stderr):
        package = module.split(".")[0]
        if package in sys.stdlib_module_names or package.startswith("__"):
            continue
        if package == "holmes":
            totals["holmes (own modules)"] = totals.get("holmes (own modules)", 0) + self_us
        elif parent is None or parent.split(".")[0] != package:
            totals[package] = totals.get(package, 0) + cumulative_us
    ranked = sorted(((us / 1000, name) for name, us in totals.items()), reverse=True)
    return ranked[:top]


def _import_tree(stderr: str) -> list[tuple[int, int, str, str | None]]:
    """(self us, cumulative us, module, importing module) per line of -X importtime output."""
    lines = []
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            lines.append((len(match.group(3)), int(match.group(1)), int(match.group(2)), match))
    # The output is post-order (children first, deeper indented): read backwards, the parent of
    # a line is the nearest earlier-read line with less indentation.
    rows: list[tuple[int, int, str, str | None]] = []
    ancestors: list[tuple[int, str]] = []
    for indent, self_us, cumulative_us, match in reversed(lines):
        while ancestors and ancestors[-1][0] >= indent:
            ancestors.pop()
        parent = ancestors[-1][1] if ancestors else None
        rows.append((self_us, cumulative_us, match.group(4), parent))
        ancestors.append((indent, match.group(4)))
    return rows


def _env() -> dict[str, str]:
    # As a user's shell runs it: Python caches bytecode (this workplace's environment sets
    # PYTHONDONTWRITEBYTECODE, which would recompile holmes's modules on every start).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "COLUMNS": "100", "NO_COLOR": "1"}


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=12)
    options = parser.parse_args()
    holmes = holmes_executable()
    print(f"holmes start-up, median of {options.runs} runs ({os.cpu_count()} cores)")
    for args in COMMAND_LINES:
        samples = wall_times([holmes, *args], options.runs)
        median = statistics.median(samples)
        mark = "" if "--incident" in args else ("ok" if median <= TARGET_SECONDS else "SLOW")
        print(
            f"  {median:6.3f} s  (min {min(samples):.3f}, max {max(samples):.3f})  "
            f"holmes {' '.join(args):<58} {mark}"
        )
    for args in (["ask", "--help"], ["ask", "--incident", INCIDENT, "--no-llm"]):
        print(f"\nslowest imports of `holmes {' '.join(args)}` (ms, python -X importtime)")
        for millis, module in top_imports(args, options.top):
            print(f"  {millis:8.1f}  {module}")


if __name__ == "__main__":
    main()
