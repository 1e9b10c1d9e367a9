"""The `holmes` executable's entry point: signals and last-resort errors around the typer app.

Installed as the `holmes` script (pyproject.toml). It imports only the standard library before
it is ready for signals, so that Ctrl-C while the app itself is still importing (a second or
two) ends with one line and exit code 130 instead of a KeyboardInterrupt traceback. SIGTERM is
turned into the same unwinding as Ctrl-C (exit code 143), so every `with` block on the way out
runs: replays stop their servers (Prometheus) and remove their `/tmp/holmes-*` folders. An
exception nothing else handled is printed as one line (HOLMES_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

_received: list[int] = []  # the signal that asked us to stop, if any


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main thread is, to unwind like Ctrl-C."""


def _on_sigterm(signum: int, _frame: FrameType | None) -> None:
    if _received:  # already unwinding: let the clean-up finish
        return
    _received.append(signum)
    raise Terminated()


def main() -> None:
    """Run the `holmes` command line."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        from holmes.cli.main import app

        app()  # typer exits with SystemExit; Ctrl-C inside a command is its Exit(130)
    except KeyboardInterrupt:
        _exit_interrupted()
    except SystemExit as exit_:
        if _received or exit_.code == 130:  # typer's Exit(130) for Ctrl-C, said in one line
            _exit_interrupted()
        raise
    except Exception as error:
        if os.environ.get("HOLMES_DEBUG"):
            raise
        sys.stderr.write(
            f"holmes: unexpected error: {type(error).__name__}: {error} "
            "(set HOLMES_DEBUG=1 for the traceback)\n"
        )
        sys.exit(1)


def _exit_interrupted() -> None:
    signum = _received[0] if _received else signal.SIGINT
    name = "terminated" if signum == signal.SIGTERM else "interrupted"
    sys.stderr.write(f"holmes: {name}\n")
    sys.exit(128 + signum)
