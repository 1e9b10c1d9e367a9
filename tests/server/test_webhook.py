"""The Alertmanager webhook: every alert, one investigation per fingerprint episode."""

from __future__ import annotations

import yaml

from tests.server.conftest import XID


def _xid_alert(**changes):  # type: ignore[no-untyped-def]
    alert = yaml.safe_load((XID / "incident.yaml").read_text())["alert"]
    return {**alert, **changes}


def _webhook(*alerts):  # type: ignore[no-untyped-def]
    return {
        "version": "4",
        "receiver": "holmes",
        "status": "firing",
        "groupLabels": {},
        "commonLabels": {"severity": "critical"},
        "alerts": list(alerts),
    }


def _alertmanager_investigations(running) -> list[dict]:  # type: ignore[no-untyped-def]
    page = running.client.get("/api/v1/investigations", params={"source": "alertmanager"})
    return page.json()["items"]


def test_the_same_fingerprint_twice_is_one_investigation(serve):
    running = serve()
    first = running.client.post("/api/v1/alertmanager", json=_webhook(_xid_alert()))
    assert first.status_code == 200
    assert first.json()["accepted"] == 1 and first.json()["deduplicated"] == 0
    again = running.client.post("/api/v1/alertmanager", json=_webhook(_xid_alert()))
    assert again.json()["deduplicated"] == 1
    assert again.json()["investigations"] == first.json()["investigations"]
    stored = _alertmanager_investigations(running)
    assert len(stored) == 1
    assert stored[0]["fingerprint"] == "5d2a1c0e9b7f3a11"
    assert stored[0]["alertname"] == "GPUXidError"
    done = running.wait_status(stored[0]["id"], "done", "failed")
    assert done["diagnosis"]["runbook_id"] == "gpu-xid-errors"


def test_every_alert_of_a_body_is_handled(serve):
    running = serve()
    crash = {"labels": {"alertname": "KubePodCrashLooping", "namespace": "serving", "pod": "a"}}
    body = _webhook(_xid_alert(), crash, dict(crash))  # the last two share a label set
    answer = running.client.post("/api/v1/alertmanager", json=body).json()
    assert answer["accepted"] == 3 and answer["deduplicated"] == 1
    assert len(answer["investigations"]) == 2
    stored = _alertmanager_investigations(running)
    assert {item["alertname"] for item in stored} == {"GPUXidError", "KubePodCrashLooping"}
    crash_row = next(item for item in stored if item["alertname"] == "KubePodCrashLooping")
    assert crash_row["namespace"] == "serving"
    assert crash_row["alert"]["labels"]["severity"] == "critical"  # commonLabels merged


def test_resolved_closes_the_episode_and_a_later_firing_opens_a_new_one(serve):
    running = serve()
    opened = running.client.post("/api/v1/alertmanager", json=_webhook(_xid_alert())).json()
    resolved = running.client.post(
        "/api/v1/alertmanager", json=_webhook(_xid_alert(status="resolved"))
    ).json()
    assert resolved["resolved"] == 1 and resolved["investigations"] == []
    reopened = running.client.post("/api/v1/alertmanager", json=_webhook(_xid_alert())).json()
    assert reopened["deduplicated"] == 0
    assert reopened["investigations"] != opened["investigations"]
    assert len(_alertmanager_investigations(running)) == 2


def test_a_single_alert_and_api_v2_alerts_are_accepted(serve):
    running = serve()
    labels = {"alertname": "KubeJobFailed", "namespace": "ml", "job_name": "prep"}
    single = running.client.post("/api/v1/alertmanager", json={"labels": labels}).json()
    assert single["accepted"] == 1 and len(single["investigations"]) == 1
    # API v2: an array, status an object; label order does not change the computed fingerprint.
    reordered = dict(reversed(list(labels.items())))
    v2 = [
        {"labels": reordered, "annotations": {}, "status": {"state": "active"}},
        {"labels": {"alertname": "Silenced"}, "status": {"state": "suppressed"}},
    ]
    answer = running.client.post("/api/v1/alertmanager", json=v2).json()
    assert answer["deduplicated"] == 1 and answer["suppressed"] == 1
    assert answer["investigations"] == single["investigations"]


def test_malformed_alerts_get_422_naming_the_field(serve):
    running = serve()
    bad = running.client.post("/api/v1/alertmanager", json={"alerts": [{"labels": {"a": "b"}}, {}]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "alerts", 1, "labels"]
    neither = running.client.post("/api/v1/alertmanager", json={"receiver": "x"})
    assert neither.status_code == 422 and neither.json()["detail"][0]["loc"] == ["body", "alerts"]
    assert running.client.post("/api/v1/alertmanager", json=[1]).status_code == 422
