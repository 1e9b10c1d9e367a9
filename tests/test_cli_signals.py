"""Ctrl-C and SIGTERM end `holmes` cleanly: one line, exit 130/143, no server or folder left.

The real `holmes` executable runs as a child process with TMPDIR pointed at a test folder, so
the replay's `holmes-*` folders land there; the test signals it at a known moment (while the
replay's Prometheus runs, or while the app is still importing) and then checks the exit code,
the last line, that no traceback was printed, that the folder is empty and that the Prometheus
server is gone.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import INCIDENTS

GPU = INCIDENTS / "gpu-xid-79-node-3"  # has Prometheus series: a replay starts a server
HOLMES = [sys.executable, "-c", "from holmes.cli.entry import main; main()"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs Debian's prometheus"),
    pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc"),
]


class Holmes:
    """`holmes ARGS` as a child process with its own TMPDIR."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir()
        self.process = subprocess.Popen(
            [*HOLMES, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TMPDIR": str(self.tmp), "COLUMNS": "200"},
        )

    def children(self, name: str) -> list[int]:
        """Pids of the child processes running `name`."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            try:
                pids = (task / "children").read_text().split()
            except OSError:
                continue
            found += [int(pid) for pid in pids if _comm(int(pid)) == name]
        return found

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"holmes ended before {what}"
            assert time.monotonic() < deadline, f"no {what} after {timeout} s"
            time.sleep(0.01)

    def signal_and_wait(self, signum: int) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _gone(pid: int, timeout: float = 5.0) -> bool:
    """Whether the process ends within `timeout` (a zombie awaiting its reaper counts as gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.02)
    return False


def stopped_cleanly(holmes: Holmes, signum: int, servers: list[int]) -> str:
    """Signal, then check exit code, message, no traceback, no folder, no server; stdout."""
    code, out, err = holmes.signal_and_wait(signum)
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    assert code == 128 + signum, err
    assert err.strip().splitlines()[-1] == f"holmes: {word}"
    assert "Traceback" not in out + err
    assert list(holmes.tmp.iterdir()) == []
    assert all(_gone(pid) for pid in servers)
    return out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_ask_replays_an_incident(tmp_path: Path, signum: int) -> None:
    holmes = Holmes(tmp_path, "ask", "--incident", str(GPU), "--no-llm")
    try:
        holmes.wait_for(lambda: bool(holmes.children("prometheus")), "prometheus")
        servers = holmes.children("prometheus")
        stopped_cleanly(holmes, signum, servers)
    finally:
        holmes.kill()


def test_sigterm_stops_a_serving_replay(tmp_path: Path) -> None:
    holmes = Holmes(tmp_path, "replay", str(GPU))
    try:
        assert holmes.process.stdout is not None
        for line in holmes.process.stdout:  # the endpoints, the probe, then "Serving"
            if line.startswith("Serving until Ctrl-C"):
                break
        servers = holmes.children("prometheus")
        assert servers
        assert len(list(holmes.tmp.iterdir())) == 1  # the replay's holmes-* folder
        stopped_cleanly(holmes, signal.SIGTERM, servers)
    finally:
        holmes.kill()


def test_sigterm_stops_an_eval_suite_midway(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    for incident in sorted(INCIDENTS.iterdir())[:12]:
        shutil.copytree(incident, suite / incident.name)
    holmes = Holmes(tmp_path, "eval", "--suite", str(suite), "--workers", "2")
    try:
        holmes.wait_for(lambda: bool(holmes.children("prometheus")), "prometheus")
        servers = holmes.children("prometheus")
        out = stopped_cleanly(holmes, signal.SIGTERM, servers)
        assert "passed" not in out  # it stopped; it did not run the rest of the suite
    finally:
        holmes.kill()


def test_ctrl_c_while_the_app_is_still_importing(tmp_path: Path) -> None:
    holmes = Holmes(tmp_path, "eval", "--suite", str(GPU))
    try:
        # pydantic's compiled core is among the app's first imports, after entry.main began.
        holmes.wait_for(
            lambda: "pydantic_core" in Path(f"/proc/{holmes.process.pid}/maps").read_text(),
            "imports",
        )
        stopped_cleanly(holmes, signal.SIGINT, [])
    finally:
        holmes.kill()
