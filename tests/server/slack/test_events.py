"""/slack/events over real HTTP: signatures, a mention answered in its thread, exactly once."""

from __future__ import annotations

import json
import re

import httpx

from holmes.server.slack.intake import NO_LLM_FOLLOW_UP
from tests.server.slack.conftest import MENTION_TS, mention, post_event, signed

QUESTION = "<@UHOLMES> why is the llama-finetune job in namespace ml stalling?"


def _posts(slack, channel: str = "C1") -> list:  # type: ignore[no-untyped-def]
    return [call for call in slack.of("chat.postMessage") if call.params["channel"] == channel]


def _answers(slack) -> list:  # type: ignore[no-untyped-def]
    return [c for c in _posts(slack) if c.params["text"].startswith(("Root cause", "No LLM"))]


def test_signatures_are_verified_and_url_verification_is_answered(slack_app) -> None:
    running = slack_app()
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
    url = f"{running.url}/slack/events"
    headers = {"Content-Type": "application/json"}
    good = httpx.post(url, content=body, headers={**headers, **signed(body)})
    assert good.status_code == 200 and good.json()["challenge"] == "c-123"
    bad = httpx.post(url, content=body, headers={**headers, **signed(body, secret="wrong")})
    assert bad.status_code == 401
    stale = httpx.post(url, content=body, headers={**headers, **signed(body, timestamp=1)})
    assert stale.status_code == 401
    unsigned = httpx.post(url, content=body, headers=headers)
    assert unsigned.status_code == 401
    # The exemption is the route's alone: the API still needs its bearer token.
    assert httpx.get(f"{running.url}/api/v1/investigations").status_code == 401


def test_a_mention_is_answered_in_its_thread_once(slack_app, slack) -> None:
    running = slack_app()
    acked = post_event(running.url, mention(QUESTION))
    assert acked.status_code == 200
    slack.wait_for(lambda: _answers(slack))
    progress, answer = _posts(slack)[0], _answers(slack)
    assert progress.params["thread_ts"] == MENTION_TS
    assert progress.params["text"].startswith("Looking into it")
    assert len(answer) == 1 and answer[0].params["thread_ts"] == MENTION_TS
    assert re.search(r"xid ?79|fell off the bus", answer[0].params["text"], re.I)
    blocks = json.dumps(answer[0].params["blocks"])
    assert "holmes_feedback_wrong" in blocks and "Remediation" in blocks
    slack.wait_for(
        lambda: any(c.params["text"].startswith("Done") for c in slack.of("chat.update"))
    )
    edits = slack.of("chat.update")
    assert {edit.params["ts"] for edit in edits} == {"1800000000.000001"}  # the progress message
    stored = running.client.get("/api/v1/investigations", params={"source": "slack"}).json()
    assert [item["question"] for item in stored["items"]] == [QUESTION.split("> ", 1)[1]]

    # Slack retries the same event: acknowledged, never answered again.
    retried = post_event(
        running.url,
        mention(QUESTION),
        **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retried.status_code == 200
    posts_before = len(slack.of("chat.postMessage"))
    import time

    time.sleep(1.0)
    assert len(slack.of("chat.postMessage")) == posts_before
    stored = running.client.get("/api/v1/investigations", params={"source": "slack"}).json()
    assert len(stored["items"]) == 1


def test_a_thread_reply_is_a_follow_up(slack_app, slack) -> None:
    running = slack_app()
    post_event(running.url, mention(QUESTION))
    slack.wait_for(lambda: _answers(slack))
    reply = {
        "type": "event_callback", "team_id": "T1", "event_id": "Ev02", "event_time": 1,
        "event": {"type": "message", "user": "U1", "text": "and which node should I drain?",
                  "channel": "C1", "ts": "1700000000.000200", "thread_ts": MENTION_TS},
    }  # fmt: skip
    assert post_event(running.url, reply).status_code == 200
    slack.wait_for(lambda: len(_answers(slack)) == 2)
    follow_up = _answers(slack)[1]
    assert follow_up.params["thread_ts"] == MENTION_TS
    assert follow_up.params["text"].startswith(NO_LLM_FOLLOW_UP)
    stored = running.client.get("/api/v1/investigations", params={"source": "slack"}).json()
    assert stored["items"][0]["question"].endswith("and which node should I drain?")
    # A message in a thread holmes never answered is not taken.
    other = {**reply, "event_id": "Ev03", "event": {**reply["event"], "thread_ts": "1.0"}}
    post_event(running.url, other)
    stored = running.client.get("/api/v1/investigations", params={"source": "slack"}).json()
    assert len(stored["items"]) == 2


def test_a_mention_inside_a_thread_reads_the_thread_as_context(slack_app, slack) -> None:
    running = slack_app()
    slack.thread_messages = [
        {
            "ts": "1699999999.000001",
            "user": "U2",
            "text": "llama-finetune in ml stopped at step 48230",
        },
        {"ts": "1700000000.000500", "user": "U1", "text": "<@UHOLMES> what happened?"},
    ]
    body = mention(
        "<@UHOLMES> what happened?", ts="1700000000.000500", thread_ts="1699999999.000001"
    )
    post_event(running.url, body)
    slack.wait_for(lambda: _answers(slack))
    (replies,) = slack.of("conversations.replies")
    assert (replies.params["channel"], replies.params["ts"]) == ("C1", "1699999999.000001")
    assert _answers(slack)[0].params["thread_ts"] == "1699999999.000001"
    stored = running.client.get("/api/v1/investigations", params={"source": "slack"}).json()
    question = stored["items"][0]["question"]
    assert question.startswith("what happened?") and "> llama-finetune in ml stopped" in question
    assert question.count("what happened?") == 1  # the mention itself is not its own context
