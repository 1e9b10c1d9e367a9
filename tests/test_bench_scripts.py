"""Every bench script starts (its --help), so a moved module or a shadowed package shows up in CI
rather than when someone next measures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# The scripts, not the helper modules they share (raw_http.py, service.py).
BENCH = sorted(
    path
    for path in (Path(__file__).resolve().parents[1] / "bench").glob("*.py")
    if '__name__ == "__main__"' in path.read_text()
)


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCH, ids=[p.name for p in BENCH])
def test_a_bench_script_starts(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower()
