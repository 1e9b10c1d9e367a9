"""Follow-ups with the LLM agent (the scripted model server): the same conversation, stored."""

from __future__ import annotations

from holmes.agent.llm import LLMSettings
from tests.llm.scripted_server import scripted_llm, tool_calls_reply
from tests.server.conftest import QUESTION, sse_events

__all__ = ["scripted_llm"]


def _final(root_cause: str) -> tuple[str, dict]:
    return (
        "final_answer",
        {
            "summary": root_cause,
            "root_cause": root_cause,
            "explanation": "DCGM reports Xid 79 for GPU 2",
            "claims": [{"claim": root_cause, "evidence_ids": []}],
            "remediation": [{"action": "cordon and drain gpu-node-3"}],
            "confidence": "high",
            "runbook_id": "gpu-xid-errors",
        },
    )


def test_a_follow_up_continues_the_investigations_conversation(serve, scripted_llm):
    scripted_llm.script(
        [
            tool_calls_reply([_final("GPU 2 on gpu-node-3 fell off the bus")]),
            tool_calls_reply([_final("GPUs 0, 1 and 3 on gpu-node-3 still report")]),
        ]
    )
    llm = LLMSettings(
        provider="compatible", model="gpt-4o-mini", base_url=scripted_llm.url, api_key="sk-test"
    )
    running = serve(llm=llm)
    first = running.client.post("/api/v1/investigations", json={"question": QUESTION}).json()
    answered = running.wait_status(first["id"], "done", "failed")
    assert answered["status"] == "done", answered["error"]
    assert answered["diagnosis"]["mode"] == "llm"
    assert answered["diagnosis"]["root_cause"] == "GPU 2 on gpu-node-3 fell off the bus"
    with running.client.stream("GET", f"/api/v1/investigations/{first['id']}/events") as stream:
        kinds = [event["event"] for event in sse_events(stream)]
    assert kinds.count("llm_turn") == 1 and kinds[-1] == "answer"
    assert kinds.index("tool_finished") < kinds.index("llm_turn")  # runbook evidence first
    follow = running.client.post(
        f"/api/v1/investigations/{first['id']}/follow-ups", json={"question": "and the others?"}
    )
    assert follow.status_code == 202
    second = running.wait_status(follow.json()["id"], "done", "failed")
    assert second["status"] == "done", second["error"]
    assert second["follow_up_of"] == first["id"]
    assert second["diagnosis"]["root_cause"] == "GPUs 0, 1 and 3 on gpu-node-3 still report"
    # The model saw the first turn's conversation, then the follow-up question.
    messages = scripted_llm.requests[1].body["messages"]
    assert messages[-1]["content"].startswith("and the others?")
    assert len(messages) > len(scripted_llm.requests[0].body["messages"])
    empty = running.client.post(
        f"/api/v1/investigations/{first['id']}/follow-ups", json={"question": ""}
    )
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "question"]
