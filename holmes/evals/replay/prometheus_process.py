"""Run one Prometheus server process for the replay: launch, wait until ready, stop.

Called by `PrometheusReplay` (`prometheus.py`). The server listens on a free loopback port,
logs to a file (a pipe nobody reads could fill and block it), and is asked on Linux to die with
its parent, so a crashed test run leaves no server behind (all forks happen on one long-lived
thread for that, see `die_with_parent_prefix`). Readiness is polled on `/-/ready` with httpx
every 20 ms: a replay of a typical bundle is ready in a fraction of a second.

No Python code runs between fork and exec: the same process runs gRPC (the Hubble replay and
client), and a `preexec_fn` makes CPython fork() the slow way, running gRPC's fork handlers in
the child, which abort it about one start in 80 ("epoll_wait error: Bad file descriptor", exit
-6) and print "skipping fork() handlers" warnings. Without one, CPython uses vfork, which runs
no fork handlers; the parent-death signal is armed by an exec wrapper instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from holmes.evals.replay.prometheus_errors import PrometheusReplayError

__all__ = [
    "AddressInUse",
    "die_with_parent_prefix",
    "free_port",
    "launch",
    "stop_process",
    "wait_until_ready",
]

_POLL_SECONDS = 0.02
_LOG_TAIL_CHARS = 2000
# The fallback exec wrapper where util-linux's setpriv is missing: arm the parent-death signal,
# give up if the parent is already gone, then become the server (argv: parent pid, command...).
_PDEATHSIG_EXEC = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(1)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


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
    `die_with_parent_prefix`): `replay()` starts Prometheus from a pool thread that soon ends.
    """
    wrapped = [*die_with_parent_prefix(), *command]
    return _spawner().submit(_popen, wrapped, log_file).result()


def _popen(command: list[str], log_file: Path) -> subprocess.Popen[bytes]:
    # Emptied: a retry must not read the previous attempt's "address already in use".
    with log_file.open("wb") as sink:
        # The child keeps its own copy of the descriptor; ours can close at once.
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            # No preexec_fn, ever: see the module docstring.
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


def die_with_parent_prefix() -> list[str]:
    """An exec wrapper asking Linux to SIGKILL the server when its parent dies ([] elsewhere).

    util-linux `setpriv --pdeathsig KILL` where installed (Debian's util-linux has it), else a
    small Python wrapper that also checks the parent is still alive once the signal is armed.
    The death signal fires when the *thread* that forked exits, not only the process: hence
    the spawner thread, which lasts as long as the interpreter. A crashed parent (even
    SIGKILLed) takes its servers with it; a clean exit reaches `PrometheusReplay`'s finalizer.
    """
    if not sys.platform.startswith("linux"):
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        return [setpriv, "--pdeathsig", "KILL", "--"]
    return [sys.executable, "-I", "-S", "-c", _PDEATHSIG_EXEC, str(os.getpid())]
