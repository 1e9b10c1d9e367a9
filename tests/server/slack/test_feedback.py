"""The "correct" / "wrong" buttons under an answer store the verdict with the investigation."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx

from tests.server.slack.conftest import mention, post_event, signed


def _click(url: str, slack, investigation_id: str, action_id: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    payload = {
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U7", "name": "ana"},
        "api_app_id": "A1", "trigger_id": "trig-9", "response_url": slack.response_url("click"),
        "channel": {"id": "C1"}, "container": {"type": "message", "message_ts": "1.1"},
        "actions": [{"type": "button", "action_id": action_id, "value": investigation_id,
                     "block_id": f"feedback-{investigation_id}", "action_ts": "1.2"}],
    }  # fmt: skip
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    return httpx.post(f"{url}/slack/events", content=body, headers=headers)


def test_the_wrong_button_lists_the_answer_as_wrong(slack_app, slack) -> None:
    running = slack_app()
    post_event(running.url, mention("<@UHOLMES> why is llama-finetune in ml stalling?"))

    def answer():  # type: ignore[no-untyped-def]
        return [c for c in slack.of("chat.postMessage") if c.params["text"].startswith("Root")]

    slack.wait_for(answer)
    actions = [b for b in answer()[0].params["blocks"] if b["type"] == "actions"]
    button = next(e for e in actions[0]["elements"] if e["action_id"] == "holmes_feedback_wrong")
    investigation_id = button["value"]
    assert _click(running.url, slack, investigation_id, button["action_id"]).status_code == 200
    slack.wait_for(lambda: slack.of("response:click"))
    assert "wrong" in slack.of("response:click")[0].params["text"]
    wrong = running.client.get("/api/v1/investigations", params={"feedback": "wrong"}).json()
    assert [item["id"] for item in wrong["items"]] == [investigation_id]
    verdict = wrong["items"][0]["feedback"]
    assert (verdict["verdict"], verdict["source"], verdict["by"]) == ("wrong", "slack", "U7")
    assert not running.client.get("/api/v1/investigations", params={"feedback": "correct"}).json()[
        "items"
    ]
