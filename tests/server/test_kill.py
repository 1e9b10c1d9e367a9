"""kill -9 of a real `holmes serve` loses nothing: another process on the same store resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from holmes.server.store import Store
from tests.server.conftest import QUESTION, REPO, XID, free_port, wait_until_ready


def _serve(store_url: str, tmp_path, lease: str) -> tuple[subprocess.Popen, httpx.Client]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {**os.environ, "HOLMES_API_TOKENS": "t", "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "holmes.cli.main", "serve", "--incident", str(XID)]
    command += ["--port", str(port), "--store", store_url, "--workers", "1"]
    command += ["--lease-seconds", lease, "--no-llm", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer t"}
    )
    wait_until_ready(process, f"http://127.0.0.1:{port}")
    return process, client


@pytest.mark.slow
def test_kill_9_mid_work_then_another_process_finishes_everything(tmp_path):
    store_url = f"sqlite:///{tmp_path}/holmes.db"
    first, client = _serve(store_url, tmp_path, lease="2")
    ids = [
        client.post("/api/v1/investigations", json={"question": QUESTION}).json()["id"]
        for _ in range(8)
    ]
    store = Store.open(store_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # kill while one runs, after one is done
        counts = store.status_counts()
        if counts.get("done", 0) >= 1 and counts.get("running", 0) >= 1:
            break
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    interrupted = [i for i in ids if store.get(i).status == "running"]  # type: ignore[union-attr]
    # Almost always one (killed between two claims, none): then the rest still has to finish.
    second, client = _serve(store_url, tmp_path, lease="30")
    try:
        deadline = time.monotonic() + 90
        while store.status_counts().get("done", 0) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.2)
        records = [store.get(i) for i in ids]
        assert [r.status for r in records] == ["done"] * len(ids)  # type: ignore[union-attr]
        for record in records:
            assert record.diagnosis["runbook_id"] == "gpu-xid-errors"  # type: ignore[union-attr,index]
        for investigation_id in interrupted:  # its lease expired and it was claimed again
            assert store.get(investigation_id).attempts == 2  # type: ignore[union-attr]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
