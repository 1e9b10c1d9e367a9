"""Run one Prometheus server process for the replay: launch, wait until ready, stop.

Called by `PrometheusReplay` (`prometheus.py`). The server listens on a free loopback port,
logs to a file (a pipe nobody reads could fill and block it), and is asked on Linux to die with
its parent, so a crashed test run leaves no server behind (all forks happen on one long-lived
thread for that, see `_die_with_parent`). Readiness is polled on `/-/ready` with httpx every
20 ms: a replay of a typical bundle is ready in a fraction of a second.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from holmes.evals.replay.prometheus_errors import PrometheusReplayError

__all__ = ["AddressInUse", "free_port", "launch", "stop_process", "wait_until_ready"]

_POLL_SECONDS = 0.02
_LOG_TAIL_CHARS = 2000
_PR_SET_PDEATHSIG = 1


class AddressInUse(PrometheusReplayError):
    """The port picked was taken between choosing it and Prometheus binding it; retry."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launch(command: list[str], log_file: Path) -> subprocess.Popen[bytes]:
    """Start `command` with stdout and stderr going to `log_file` (emptied first).

    The fork happens on one long-lived spawner thread, whichever thread calls (see
    `_die_with_parent`): `replay()` starts Prometheus from a pool thread that soon ends.
    """
    return _spawner().submit(_popen, command, log_file).result()


def _popen(command: list[str], log_file: Path) -> subprocess.Popen[bytes]:
    # Emptied: a retry must not read the previous attempt's "address already in use".
    with log_file.open("wb") as sink:
        # The child keeps its own copy of the descriptor; ours can close at once.
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            # The hook only calls prctl and getppid: safe between fork and exec.
            preexec_fn=_die_with_parent(),
        )


@functools.cache
def _spawner() -> ThreadPoolExecutor:
    """The thread every server is forked from; it lives until the interpreter shuts down."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="holmes-prometheus-spawner")


def wait_until_ready(
    process: subprocess.Popen[bytes], url: str, log_file: Path, *, timeout: float
) -> None:
    """Poll `url`/-/ready until it answers 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    # trust_env=False: a proxy from the environment must never see loopback traffic.
    with httpx.Client(timeout=1.0, trust_env=False) as client:
        while True:
            if process.poll() is not None:
                tail = log_tail(log_file)
                error = AddressInUse if "address already in use" in tail else PrometheusReplayError
                raise error(
                    f"prometheus exited with code {process.returncode} before it was ready; "
                    f"its last words:\n{tail}"
                )
            try:
                if client.get(f"{url}/-/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise PrometheusReplayError(
                    f"prometheus at {url} was not ready after {timeout:.0f}s; its log:\n"
                    f"{log_tail(log_file)}"
                )
            time.sleep(_POLL_SECONDS)


def stop_process(process: subprocess.Popen[bytes], *, grace: float) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL; a process already gone is fine."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def log_tail(log_file: Path) -> str:
    """The end of the server's log, for error messages."""
    try:
        text = log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return text[-_LOG_TAIL_CHARS:].strip() or "(empty log)"


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGKILL the child when its parent dies (Linux only).

    The death signal fires when the *thread* that forked exits, not only the process: hence the
    spawner thread, which lasts as long as the interpreter. A crashed parent (even SIGKILLed)
    takes its servers with it; a clean exit reaches `PrometheusReplay`'s finalizer as well.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not in it
    parent = os.getpid()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return hook
