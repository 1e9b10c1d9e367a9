"""`/holmes` answers through response_url; an alert storm gives one thread per episode."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import httpx
import yaml

from tests.server.conftest import XID
from tests.server.slack.conftest import signed


def test_the_slash_command_answers_through_response_url(slack_app, slack) -> None:
    running = slack_app()
    form = {
        "command": "/holmes", "text": "why is llama-finetune in ml stuck? --public",
        "user_id": "U1", "channel_id": "C9", "team_id": "T1", "trigger_id": "trig-1",
        "response_url": slack.response_url("cmd1"),
    }  # fmt: skip
    body = urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    started = time.monotonic()
    acked = httpx.post(f"{running.url}/slack/events", content=body, headers=headers)
    assert acked.status_code == 200 and time.monotonic() - started < 3
    assert "Looking into it" in acked.text
    slack.wait_for(lambda: slack.of("response:cmd1"))
    (answer,) = slack.of("response:cmd1")
    assert answer.params["response_type"] == "in_channel"  # --public
    assert re.search(r"xid ?79|fell off the bus", answer.params["text"], re.I)
    assert not slack.of("chat.postMessage")  # the answer went to response_url only
    stored = running.client.get("/api/v1/investigations", params={"source": "slack"}).json()
    assert stored["items"][0]["question"] == "why is llama-finetune in ml stuck?"


def _alert(status: str = "firing") -> dict:
    alert = yaml.safe_load((XID / "incident.yaml").read_text())["alert"]
    return {"version": "4", "status": status, "receiver": "holmes",
            "alerts": [{**alert, "status": status}]}  # fmt: skip


def test_an_alert_storm_gives_one_thread(slack_app, slack) -> None:
    routes = {"routes": [{"match": {"severity": "critical"}, "channel": "CGPU"}],
              "default": "CALERTS"}  # fmt: skip
    running = slack_app(alerts=routes)
    hook = "/api/v1/alertmanager"
    assert running.client.post(hook, json=_alert()).status_code == 200

    def answered() -> bool:
        return any(c.params["text"].startswith("Root") for c in slack.of("chat.postMessage"))

    slack.wait_for(answered)
    for _ in range(2):  # the same alert, re-sent by Alertmanager
        assert running.client.post(hook, json=_alert()).status_code == 200
    slack.wait_for(
        lambda: any("3rd notification" in c.params["text"] for c in slack.of("chat.postMessage"))
    )
    assert running.client.post(hook, json=_alert("resolved")).status_code == 200
    slack.wait_for(
        lambda: any(c.params["text"] == "Resolved." for c in slack.of("chat.postMessage"))
    )
    posts = slack.of("chat.postMessage")
    top_level = [c for c in posts if not c.params.get("thread_ts")]
    assert len(top_level) == 1, [c.params for c in top_level]
    root = top_level[0]
    assert root.params["channel"] == "CGPU" and "GPUXidError" in root.params["text"]
    thread_ts = "1800000000.000001"
    assert all(c.params["thread_ts"] == thread_ts for c in posts if c is not root)
    assert sum(c.params["text"].startswith("Root") for c in posts) == 1
    time.sleep(0.6)  # a few more sweeps: nothing more is posted
    assert len(slack.of("chat.postMessage")) == len(posts)
