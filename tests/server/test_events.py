"""Server-sent events: tool events in order, then the answer; late subscribers and resumes."""

from __future__ import annotations

from tests.server.conftest import QUESTION, sse_events


def _events(running, investigation_id: str, **headers: str) -> list[dict]:  # type: ignore[no-untyped-def]
    path = f"/api/v1/investigations/{investigation_id}/events"
    with running.client.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return sse_events(response)


def test_tool_events_come_before_the_answer_and_late_subscribers_get_them_all(serve):
    running = serve()
    created = running.client.post("/api/v1/investigations", json={"question": QUESTION}).json()
    live = _events(running, created["id"])
    kinds = [event["event"] for event in live]
    assert kinds[0] == "started" and kinds[-1] == "answer"
    assert "tool_started" in kinds and "tool_finished" in kinds
    assert kinds.count("tool_started") == kinds.count("tool_finished")
    finished = [e["data"] for e in live if e["event"] == "tool_finished"]
    assert all({"tool", "arguments", "evidence_id", "ok", "ms"} <= set(f) for f in finished)
    assert any(f["tool"] == "prometheus_gpu_health" for f in finished)
    answer = live[-1]["data"]["diagnosis"]
    assert answer["runbook_id"] == "gpu-xid-errors"
    # Every evidence id the answer cites was announced by a tool_finished event.
    announced = {f["evidence_id"] for f in finished}
    cited = {i for claim in answer["evidence"] for i in claim["evidence_ids"]}
    assert cited and cited <= announced
    ids = [int(e["id"]) for e in live]
    assert ids == sorted(ids)
    late = _events(running, created["id"])  # after the end: the whole history, same ids
    assert [e["id"] for e in late] == [e["id"] for e in live]
    resumed = _events(running, created["id"], **{"Last-Event-ID": live[4]["id"]})
    assert [e["id"] for e in resumed] == [e["id"] for e in live[5:]]


def test_ask_streams_the_same_events_when_the_client_accepts_sse(serve):
    running = serve()
    headers = {"Accept": "text/event-stream"}
    with running.client.stream(
        "POST", "/api/v1/ask", json={"question": QUESTION}, headers=headers
    ) as response:
        events = sse_events(response)
    assert events[-1]["event"] == "answer"
    assert events[-1]["data"]["diagnosis"]["runbook_id"] == "gpu-xid-errors"
    assert [e["event"] for e in events].index("tool_finished") < len(events) - 1


def test_events_of_an_unknown_investigation_are_404(serve):
    running = serve()
    assert running.client.get("/api/v1/investigations/nope/events").status_code == 404
