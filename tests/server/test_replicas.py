"""Two `holmes serve` replicas on one real PostgreSQL: one investigation per fingerprint for a
storm sent to both, and kill -9 of the replica holding a lease loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from holmes.server.store import Store
from tests.server.conftest import REPO, XID, free_port, wait_until_ready
from tests.server.postgres import postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url"]


def _replica(store_url: str, tmp_path) -> tuple[subprocess.Popen, str]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {**os.environ, "HOLMES_API_TOKENS": "t", "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "holmes.cli.main", "serve", "--incident", str(XID)]
    command += ["--port", str(port), "--store", store_url, "--workers", "1"]
    command += ["--lease-seconds", "2", "--no-llm", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_two_replicas_share_the_storm_and_survive_a_kill_9(postgres_url, tmp_path):
    replicas = [_replica(postgres_url, tmp_path) for _ in range(2)]
    for process, url in replicas:
        wait_until_ready(process, url)
    headers = {"Authorization": "Bearer t"}

    def send(n: int) -> int:
        url = replicas[n % 2][1]
        labels = {"alertname": "GPUXidError", "Hostname": "gpu-node-3", "gpu": str(n % 10)}
        body = {"version": "4", "alerts": [{"status": "firing", "labels": labels}]}
        return httpx.post(f"{url}/api/v1/alertmanager", json=body, headers=headers).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, range(200)))
    assert codes == [200] * 200
    store = Store.open(postgres_url)
    items, _ = store.list(filters={"source": "alertmanager"}, limit=100)
    assert len(items) == 10
    assert len({item.fingerprint for item in items}) == 10

    # More work for both, then kill -9 whichever replica holds a lease (its owner carries its pid).
    question = {"question": "Why did the llama-finetune job in namespace ml stop making progress?"}
    for n in range(12):
        url = replicas[n % 2][1]
        assert httpx.post(f"{url}/api/v1/investigations", json=question, headers=headers).is_success
    victim = None
    deadline = time.monotonic() + 30
    while victim is None and time.monotonic() < deadline:
        running, _ = store.list(filters={"status": "running"}, limit=10)
        time.sleep(0.02)
        for record in running:
            pid = int(record.lease_owner.split("/")[0].rsplit("-", 2)[1])  # type: ignore[union-attr]
            victim = next((p for p, _ in replicas if p.pid == pid), None)
            if victim is not None:
                interrupted = record.id
                break
    assert victim is not None, "no replica was seen holding a lease"
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    # Unless it finished in the instant before the kill, the dead replica still holds it.
    orphaned = store.get(interrupted).status == "running"  # type: ignore[union-attr]
    try:
        deadline = time.monotonic() + 90
        while store.status_counts().get("done", 0) < 22 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert store.status_counts() == {"done": 22}
        record = store.get(interrupted)
        assert record is not None and record.diagnosis["runbook_id"] == "gpu-xid-errors"  # type: ignore[index]
        if orphaned:  # its lease expired and the surviving replica ran it again
            assert record.attempts == 2
    finally:
        for process, _ in replicas:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
