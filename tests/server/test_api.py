"""The investigations API: submit, read, list with filters and cursors, 422 naming the field."""

from __future__ import annotations

from tests.server.conftest import QUESTION


def test_an_investigation_is_queued_then_answered_with_the_ask_json(serve):
    running = serve()
    accepted = running.client.post("/api/v1/investigations", json={"question": QUESTION})
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["status"] == "queued"
    assert body["links"]["events"] == f"/api/v1/investigations/{body['id']}/events"
    done = running.wait_status(body["id"], "done", "failed")
    assert done["status"] == "done", done["error"]
    assert done["source"] == "api" and done["question"] == QUESTION
    assert done["diagnosis"]["runbook_id"] == "gpu-xid-errors"
    assert "gpu-node-3" in done["diagnosis"]["root_cause"]
    assert done["started_at"] <= done["finished_at"]


def test_ask_answers_with_the_diagnosis(serve):
    running = serve()
    answer = running.client.post("/api/v1/ask", json={"question": QUESTION})
    assert answer.status_code == 200
    assert answer.json()["runbook_id"] == "gpu-xid-errors"
    assert any(claim["evidence_ids"] for claim in answer.json()["evidence"])


def test_malformed_bodies_get_422_naming_the_field(serve):
    running = serve()
    cases = [
        ({"question": 5}, ["body", "question"]),
        ({"question": "x", "alert": {"labels": "x"}}, ["body", "alert", "labels"]),
        ({"question": "x", "llm": "maybe"}, ["body", "llm"]),
        ({"qestion": "typo"}, ["body", "qestion"]),
        ({"question": "a\x00b"}, ["body", "question"]),
        (
            {"alert": {"labels": {"a": "b"}, "fingerprint": "f" * 65}},
            ["body", "alert", "fingerprint"],
        ),
        ({"alert": {"labels": {"alertname": "x" * 254}}}, ["body", "alert", "labels", "alertname"]),
    ]
    for body, location in cases:
        response = running.client.post("/api/v1/investigations", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"] == location, response.json()
    empty = running.client.post("/api/v1/investigations", json={})
    assert empty.status_code == 422 and "question or alert" in empty.text
    not_json = running.client.post(
        "/api/v1/ask", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    assert running.client.get("/api/v1/investigations?limit=0").status_code == 422
    assert running.client.get("/api/v1/investigations?cursor=zz").status_code == 422
    nul = running.client.get("/api/v1/investigations", params={"namespace": "a\x00"})
    assert nul.status_code == 422 and nul.json()["detail"][0]["loc"] == ["query", "namespace"]
    assert running.client.get("/api/v1/investigations/nope").status_code == 404


def test_the_list_is_newest_first_filtered_and_paginated_by_cursor(serve):
    running = serve()
    ids = []
    for n in range(5):
        body = {"question": f"{QUESTION} ({n})", "namespace": "ml" if n % 2 else "serving"}
        ids.append(running.client.post("/api/v1/investigations", json=body).json()["id"])
    first = running.client.get("/api/v1/investigations", params={"limit": 2}).json()
    second = running.client.get(
        "/api/v1/investigations", params={"limit": 2, "cursor": first["next"]}
    ).json()
    third = running.client.get(
        "/api/v1/investigations", params={"limit": 2, "cursor": second["next"]}
    ).json()
    listed = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert listed == list(reversed(ids))
    assert third["next"] is None
    ml = running.client.get("/api/v1/investigations", params={"namespace": "ml"}).json()
    assert {item["id"] for item in ml["items"]} == {ids[1], ids[3]}
    none = running.client.get("/api/v1/investigations", params={"source": "alertmanager"})
    assert none.json()["items"] == []
    future = running.client.get("/api/v1/investigations", params={"since": "2999-01-01T00:00:00Z"})
    assert future.json()["items"] == []


def test_follow_ups_without_an_llm_are_refused_with_a_clear_409(serve):
    running = serve()
    created = running.client.post("/api/v1/investigations", json={"question": QUESTION}).json()
    refused = running.client.post(
        f"/api/v1/investigations/{created['id']}/follow-ups", json={"question": "and node 2?"}
    )
    assert refused.status_code == 409
    assert "no LLM is configured" in refused.json()["detail"]
    asked = running.client.post("/api/v1/investigations", json={"question": QUESTION, "llm": True})
    assert asked.status_code == 409


def test_metrics_count_investigations_tool_calls_and_queue_depth(serve):
    running = serve()
    running.client.post("/api/v1/ask", json={"question": QUESTION})
    text = running.client.get("/metrics").text
    assert 'holmes_investigations_total{outcome="done",source="api"} 1.0' in text
    assert 'holmes_tool_calls_total{outcome="ok",source="kubernetes"}' in text
    assert 'holmes_queue_depth{status="queued"} 0.0' in text
    assert "holmes_investigation_duration_seconds_count" in text
