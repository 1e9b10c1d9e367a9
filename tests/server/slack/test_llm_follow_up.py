"""With an LLM, a thread reply continues the thread's conversation (the scripted model server)."""

from __future__ import annotations

from holmes.agent.llm import LLMSettings
from tests.llm.scripted_server import scripted_llm, tool_calls_reply
from tests.server.slack.conftest import MENTION_TS, mention, post_event
from tests.server.test_follow_ups import _final

__all__ = ["scripted_llm"]


def test_a_thread_reply_continues_the_llm_conversation(slack_app, slack, scripted_llm) -> None:
    scripted_llm.script(
        [
            tool_calls_reply([_final("GPU 2 on gpu-node-3 fell off the bus")]),
            tool_calls_reply([_final("GPUs 0, 1 and 3 on gpu-node-3 still report")]),
        ]
    )
    llm = LLMSettings(
        provider="compatible", model="gpt-4o-mini", base_url=scripted_llm.url, api_key="sk-test"
    )
    running = slack_app(llm=llm)
    post_event(running.url, mention("<@UHOLMES> why is llama-finetune in ml stalling?"))

    def answers() -> list:  # type: ignore[type-arg]
        return [c for c in slack.of("chat.postMessage") if c.params["text"].startswith("Root")]

    slack.wait_for(answers)
    reply = {
        "type": "event_callback", "team_id": "T1", "event_id": "Ev02", "event_time": 1,
        "event": {"type": "message", "user": "U1", "text": "and the other GPUs?",
                  "channel": "C1", "ts": "1700000000.000200", "thread_ts": MENTION_TS},
    }  # fmt: skip
    post_event(running.url, reply)
    slack.wait_for(lambda: len(answers()) == 2)
    assert "GPUs 0, 1 and 3" in answers()[1].params["text"]
    assert answers()[1].params["thread_ts"] == MENTION_TS
    stored = running.client.get("/api/v1/investigations", params={"source": "slack"}).json()
    follow_up, first = stored["items"]
    assert (
        follow_up["follow_up_of"] == first["id"] and follow_up["question"] == "and the other GPUs?"
    )
    messages = scripted_llm.requests[1].body["messages"]
    assert messages[-1]["content"].startswith("and the other GPUs?")
    assert len(messages) > len(scripted_llm.requests[0].body["messages"])
