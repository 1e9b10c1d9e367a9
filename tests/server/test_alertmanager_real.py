"""Debian's real Alertmanager sends to holmes: one investigation per fingerprint episode.

Alertmanager runs on loopback with a `webhook_configs` receiver (bearer token from a file)
pointing at the served app; alerts are posted to its `/api/v2/alerts`. Short group and repeat
intervals make it re-send within seconds, so re-sends and `resolved` are exercised for real.
"""

from __future__ import annotations

import pytest

from tests.server.alertmanager import XID_LABELS, alertmanager, post_alert, wait_for

__all__ = ["alertmanager"]


@pytest.mark.slow
def test_alertmanager_resends_and_resolves_are_one_investigation_per_episode(serve, alertmanager):
    running = serve()
    am = alertmanager(running.url)
    other = {"alertname": "KubePodCrashLooping", "namespace": "ml", "pod": "x"}
    post_alert(am, XID_LABELS)
    post_alert(am, other)

    def by_alertname(name: str) -> list[dict]:
        page = running.client.get("/api/v1/investigations", params={"alertname": name})
        return page.json()["items"]

    def metric(result: str) -> float:
        for line in running.client.get("/metrics").text.splitlines():
            if line.startswith(f'holmes_alerts_total{{result="{result}"}}'):
                return float(line.split()[-1])
        return 0.0

    wait_for(lambda: by_alertname("GPUXidError") and by_alertname("KubePodCrashLooping"), "both")
    wait_for(lambda: metric("deduplicated") >= 2, "Alertmanager's re-sends")
    assert len(by_alertname("GPUXidError")) == 1 and len(by_alertname("KubePodCrashLooping")) == 1
    first = by_alertname("GPUXidError")[0]
    done = running.wait_status(first["id"], "done", "failed")
    assert done["diagnosis"]["runbook_id"] == "gpu-xid-errors"
    assert "gpu-node-3" in done["diagnosis"]["root_cause"]

    post_alert(am, XID_LABELS, resolved=True)
    wait_for(lambda: metric("resolved") >= 1, "the resolved notification")
    assert len(by_alertname("GPUXidError")) == 1
    post_alert(am, XID_LABELS)  # fires again: a new episode
    wait_for(lambda: len(by_alertname("GPUXidError")) == 2, "a second episode")
    episodes = by_alertname("GPUXidError")
    assert episodes[0]["fingerprint"] == episodes[1]["fingerprint"] == first["fingerprint"]
