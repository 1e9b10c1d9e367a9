"""Debian's real Alertmanager sends to holmes: one investigation per fingerprint episode.

Alertmanager runs on loopback with a `webhook_configs` receiver (bearer token from a file)
pointing at the served app; alerts are posted to its `/api/v2/alerts`. Short group and repeat
intervals make it re-send within seconds, so re-sends and `resolved` are exercised for real.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.server.conftest import TOKEN, free_port

XID_LABELS = {"alertname": "GPUXidError", "Hostname": "gpu-node-3", "gpu": "2"}
XID_ANNOTATIONS = {
    "summary": "XID 79 on gpu-node-3 GPU 2",
    "description": "DCGM reports Xid 79 on GPU 2 of gpu-node-3 (pod ml/llama-finetune-1-m9x4f).",
}
CONFIG = """
route:
  receiver: holmes
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 1s
  repeat_interval: 2s
receivers:
- name: holmes
  webhook_configs:
  - url: {url}/api/v1/alertmanager
    send_resolved: true
    http_config:
      authorization: {{type: Bearer, credentials_file: {token}}}
"""


def _wait(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def alertmanager(tmp_path):  # type: ignore[no-untyped-def]
    """`start(webhook_url)` runs Alertmanager; yields its API client."""
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    assert binary, "prometheus-alertmanager is not installed: run scripts/setup.sh"
    processes: list[subprocess.Popen] = []

    def start(url: str) -> httpx.Client:
        (tmp_path / "token").write_text(TOKEN)
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(url=url, token=tmp_path / "token"))
        port = free_port()
        command = [binary, f"--config.file={config}", f"--storage.path={tmp_path / 'am'}"]
        command += [f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="]
        processes.append(subprocess.Popen(command, stderr=subprocess.DEVNULL))
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}")

        def ready() -> bool:
            try:
                return client.get("/-/ready").status_code == 200
            except httpx.TransportError:
                return False

        _wait(ready, "Alertmanager to start")
        return client

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _post(client: httpx.Client, labels: dict, *, resolved: bool = False) -> None:
    alert: dict = {"labels": labels, "annotations": XID_ANNOTATIONS}
    if resolved:
        alert["endsAt"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    assert client.post("/api/v2/alerts", json=[alert]).status_code == 200


@pytest.mark.slow
def test_alertmanager_resends_and_resolves_are_one_investigation_per_episode(serve, alertmanager):
    running = serve()
    am = alertmanager(running.url)
    other = {"alertname": "KubePodCrashLooping", "namespace": "ml", "pod": "x"}
    _post(am, XID_LABELS)
    _post(am, other)

    def by_alertname(name: str) -> list[dict]:
        page = running.client.get("/api/v1/investigations", params={"alertname": name})
        return page.json()["items"]

    def metric(result: str) -> float:
        for line in running.client.get("/metrics").text.splitlines():
            if line.startswith(f'holmes_alerts_total{{result="{result}"}}'):
                return float(line.split()[-1])
        return 0.0

    _wait(lambda: by_alertname("GPUXidError") and by_alertname("KubePodCrashLooping"), "both")
    _wait(lambda: metric("deduplicated") >= 2, "Alertmanager's re-sends")
    assert len(by_alertname("GPUXidError")) == 1 and len(by_alertname("KubePodCrashLooping")) == 1
    first = by_alertname("GPUXidError")[0]
    done = running.wait_status(first["id"], "done", "failed")
    assert done["diagnosis"]["runbook_id"] == "gpu-xid-errors"
    assert "gpu-node-3" in done["diagnosis"]["root_cause"]

    _post(am, XID_LABELS, resolved=True)
    _wait(lambda: metric("resolved") >= 1, "the resolved notification")
    assert len(by_alertname("GPUXidError")) == 1
    _post(am, XID_LABELS)  # fires again: a new episode
    _wait(lambda: len(by_alertname("GPUXidError")) == 2, "a second episode")
    episodes = by_alertname("GPUXidError")
    assert episodes[0]["fingerprint"] == episodes[1]["fingerprint"] == first["fingerprint"]
