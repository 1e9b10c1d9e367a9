"""An interrupted eval suite cancels the investigations running in its worker threads.

Ctrl-C reaches only the main thread; without cancellation each running incident would finish
its investigation first (with an LLM, up to a minute and a half) before the suite could stop.
Here the investigator never ends by itself; a SIGINT to the main thread plays Ctrl-C once two
investigations run, and the suite must end with both cancelled and every replay folder gone.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import pytest

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import InvestigationRequest
from holmes.evals.runner import Investigator, run_suite
from holmes.tools import ToolContext
from tests.conftest import INCIDENTS

KUBERNETES_ONLY = [
    "crashloop-config-error",
    "oom-killed-embedding-worker",
    "image-pull-failure-harbor-auth",
]


def test_an_interrupted_suite_cancels_its_running_investigations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replays = tmp_path / "tmp"
    replays.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(replays))  # the replays' holmes-* folders
    suite = tmp_path / "suite"
    for name in KUBERNETES_ONLY:
        shutil.copytree(INCIDENTS / name, suite / name)
    running = threading.Semaphore(0)
    cancelled: list[str] = []

    def make() -> Investigator:
        async def investigate(request: InvestigationRequest, ctx: ToolContext) -> Diagnosis:
            running.release()
            try:
                await asyncio.sleep(120)  # far longer than the test may take
            except asyncio.CancelledError:
                cancelled.append(request.describe())
                raise
            raise AssertionError("the investigation was not cancelled")

        return investigate

    def interrupt_once_two_run() -> None:
        for _ in range(2):
            running.acquire(timeout=30)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)  # Ctrl-C

    threading.Thread(target=interrupt_once_two_run, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        run_suite(suite, workers=2, investigator=make)

    assert len(cancelled) == 2  # the third incident never started
    assert list(replays.iterdir()) == []
