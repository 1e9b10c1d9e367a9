"""Starting a real `holmes serve --incident ...` for the service benchmarks.

`served(tmp, ...)` runs the server as a subprocess on a free loopback port with a token, waits
until /readyz answers, yields (base URL, headers, log path) and stops it with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
INCIDENT = REPO / "evals" / "incidents" / "gpu-xid-79-node-3"
TOKEN = "bench-token"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(
    tmp: Path, *, store: str | None = None, workers: int = 2, log_level: str = "warning"
) -> Iterator[tuple[str, dict[str, str], Path]]:
    """A running server; yields its URL, the auth headers and its log file."""
    port, log = free_port(), tmp / "serve.log"
    command = [sys.executable, "-m", "holmes.cli.main", "serve", "--incident", str(INCIDENT)]
    command += ["--port", str(port), "--store", store or f"sqlite:///{tmp / 'holmes.db'}"]
    command += ["--workers", str(workers), "--queue-size", "1000000", "--no-llm"]
    command += ["--log-level", log_level]
    env = {**os.environ, "HOLMES_API_TOKENS": TOKEN}
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"holmes serve exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("holmes serve did not become ready in 60 s")
            time.sleep(0.1)
        yield url, {"Authorization": f"Bearer {TOKEN}"}, log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
