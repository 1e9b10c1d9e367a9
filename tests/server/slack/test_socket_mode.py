"""Socket Mode: apps.connections.open gives a loopback ws:// URL; events arrive, acked there."""

from __future__ import annotations

from tests.server.slack.conftest import MENTION_TS, mention


def test_socket_mode_answers_a_mention(slack_app, slack) -> None:
    running = slack_app(signing_secret=None, app_token="xapp-1-test")
    slack.wait_for(lambda: slack.sockets_opened == 1)
    opened = slack.of("apps.connections.open")
    assert len(opened) == 1
    slack.push(
        {
            "envelope_id": "env-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "payload": mention("<@UHOLMES> why is llama-finetune in ml stalling?"),
        }
    )
    slack.wait_for(lambda: any(a.get("envelope_id") == "env-1" for a in slack.acks))

    def answers() -> list:  # type: ignore[type-arg]
        return [c for c in slack.of("chat.postMessage") if c.params["text"].startswith("Root")]

    slack.wait_for(answers)
    assert answers()[0].params["thread_ts"] == MENTION_TS
    # Without a signing secret there is no HTTP route: events come only over the socket.
    assert running.client.post("/slack/events", json={}).status_code == 404
