"""Back-pressure, restarts and leases: nothing accepted is lost."""

from __future__ import annotations

import time

from holmes.server.store import NewInvestigation, Store
from tests.server.conftest import QUESTION, Gate


def test_a_full_queue_answers_429_and_defers_webhook_alerts(serve):
    gate = Gate()
    running = serve(gate=gate, workers=1, queue_size=1)
    first = running.client.post("/api/v1/investigations", json={"question": QUESTION}).json()
    running.wait_status(first["id"], "running")  # the one worker holds it at the gate
    queued = running.client.post("/api/v1/investigations", json={"question": QUESTION})
    assert queued.status_code == 202
    refused = running.client.post("/api/v1/investigations", json={"question": QUESTION})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "10"
    assert running.client.post("/api/v1/ask", json={"question": QUESTION}).status_code == 429
    alert = {"labels": {"alertname": "GPUXidError", "Hostname": "gpu-node-3", "gpu": "2"}}
    webhook = running.client.post("/api/v1/alertmanager", json=alert)
    assert webhook.status_code == 200 and webhook.json()["deferred"] == 1
    deferred_id = webhook.json()["investigations"][0]
    assert (
        running.client.get(f"/api/v1/investigations/{deferred_id}").json()["status"] == "deferred"
    )
    metrics = running.client.get("/metrics").text
    assert "holmes_api_rejected_total 2.0" in metrics
    assert 'holmes_alerts_total{result="deferred"} 1.0' in metrics
    assert 'holmes_queue_depth{status="deferred"} 1.0' in metrics
    gate.open()
    for investigation_id in (first["id"], queued.json()["id"], deferred_id):
        assert running.wait_status(investigation_id, "done", "failed")["status"] == "done"


def test_a_restart_resumes_queued_and_interrupted_work(serve, tmp_path):
    gate = Gate()
    store = tmp_path / "restart.db"
    before = serve(gate=gate, workers=1, store=store, shutdown_grace_seconds=0.2)
    ids = [
        before.client.post("/api/v1/investigations", json={"question": QUESTION}).json()["id"]
        for _ in range(3)
    ]
    before.wait_status(ids[0], "running")
    before.stop()  # as on SIGTERM: the running one is given back to the queue
    statuses = [Store.open(before.store_url).get(i).status for i in ids]  # type: ignore[union-attr]
    assert statuses == ["queued", "queued", "queued"]
    after = serve(workers=2, store=store)
    for investigation_id in ids:
        assert after.wait_status(investigation_id, "done", "failed")["status"] == "done"
    assert after.client.get(f"/api/v1/investigations/{ids[0]}").json()["attempts"] == 2


def test_an_expired_lease_is_claimed_again(serve, tmp_path):
    store_path = tmp_path / "lease.db"
    store = Store.open(f"sqlite:///{store_path}")
    record = store.submit(NewInvestigation(source="api", question=QUESTION), queue_limit=None)
    assert record is not None
    # A worker that claims and then dies (kill -9): nobody renews its lease.
    claimed = store.claim("dead-replica/0", lease_seconds=0.5)
    assert claimed is not None and claimed.id == record.id
    assert store.claim("other/0", lease_seconds=30) is None  # still leased
    time.sleep(0.6)
    running = serve(store=store_path, lease_seconds=5)
    done = running.wait_status(record.id, "done", "failed")
    assert done["status"] == "done" and done["attempts"] == 2
    # The dead worker's late result is refused: the lease is no longer its.
    assert not store.complete(record.id, "dead-replica/0", {"summary": "late"})
    assert not store.renew(record.id, "dead-replica/0", 30)
