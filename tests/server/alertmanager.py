"""Debian's real Alertmanager on loopback, for the service's tests.

`alertmanager(webhook_url)` starts one whose only receiver posts to holmes at `webhook_url`
(bearer token from a file, short group and repeat intervals, so re-sends and `resolved` come
within seconds); `alertmanager(None)` starts one without a webhook (for pulling). It returns a
client of Alertmanager's API. `post_alert` makes an alert fire (or resolve) through
`POST /api/v2/alerts`. Import the fixture into a test module to use it.
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
PULL_ONLY = """
route: {receiver: holmes-pull, group_wait: 1h}
receivers: [{name: holmes-pull}]
"""


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
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

    def start(url: str | None) -> httpx.Client:
        (tmp_path / "token").write_text(TOKEN)
        config = tmp_path / "alertmanager.yml"
        text = CONFIG.format(url=url, token=tmp_path / "token") if url else PULL_ONLY
        config.write_text(text)
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

        wait_for(ready, "Alertmanager to start")
        return client

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def post_alert(client: httpx.Client, labels: dict, *, resolved: bool = False) -> None:
    alert: dict = {"labels": labels, "annotations": XID_ANNOTATIONS}
    if resolved:
        alert["endsAt"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    assert client.post("/api/v2/alerts", json=[alert]).status_code == 200
