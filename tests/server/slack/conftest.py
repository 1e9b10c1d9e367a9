"""Fixtures of the Slack tests: the slack.com stand-in, signed requests, a served app with Slack.

`slack_app(...)` starts the real app (tests/server/conftest.py's `serve`) with the responder
enabled against the stand-in; `signed(secret, body)` signs a body as Slack does (v0 HMAC-SHA256
over `v0:{timestamp}:{body}`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from holmes.server import Investigator, ServerSettings, create_app
from holmes.server.slack.settings import SlackSettings
from holmes.server.store import InvestigationRecord
from tests.server.conftest import TOKEN, Running, free_port
from tests.server.slack.standin import SlackStandIn

SECRET = "8f1d3c9e0a7b4f2d6e5c1a9b3d7f0e2c"
BOT_TOKEN = "xoxb-1-test-token"
MENTION_TS = "1700000000.000100"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    """The stand-in for slack.com, started for one test."""
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


def signed(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with `body`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def post_event(url: str, payload: dict[str, Any], **headers: str) -> httpx.Response:
    """POST an Events API body, signed, to /slack/events (no bearer token: Slack has none)."""
    body = json.dumps(payload)
    all_headers = {"Content-Type": "application/json", **signed(body), **headers}
    return httpx.post(f"{url}/slack/events", content=body, headers=all_headers, timeout=10)


def mention(text: str, *, event_id: str = "Ev01", ts: str = MENTION_TS, **extra: Any) -> dict:
    """An `app_mention` event_callback body."""
    event = {"type": "app_mention", "user": "U1", "text": text, "channel": "C1", "ts": ts, **extra}
    return {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
            "event_time": int(time.time()), "event": event}  # fmt: skip


@pytest.fixture
def slack_app(slack, serve):  # type: ignore[no-untyped-def]
    """Start the app with the responder on (`slack_app(**SlackSettings fields)`); the stand-in
    comes first, so the servers stop before it does."""

    def start(gate: Any = None, store: Any = None, llm: Any = None, **fields: Any):  # type: ignore[no-untyped-def]
        fields.setdefault("bot_token", BOT_TOKEN)
        fields.setdefault("signing_secret", SECRET)
        fields.setdefault("alert_poll_seconds", 0.2)
        settings = SlackSettings(api_url=slack.api_url, **fields)
        return serve(slack=settings, gate=gate, store=store, llm=llm, shutdown_grace_seconds=0.2)

    return start


class SlowInvestigator(Investigator):
    """The real investigator, each tool call held `delay` seconds after it finishes: long
    enough for several progress edits (the worker thread sleeps, the HTTP loop does not)."""

    def __init__(self, *args: Any, delay: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delay = delay

    async def run(self, record: InvestigationRecord, on_call: Any, on_turn: Any = None):  # type: ignore[no-untyped-def]
        def slowed(tool: str, arguments: dict[str, Any], result: Any) -> None:
            on_call(tool, arguments, result)
            if result is not None:
                time.sleep(self.delay)

        return await super().run(record, slowed, on_turn)


@pytest.fixture
def app_with(tmp_path, slack):  # type: ignore[no-untyped-def]
    """Start the app with a given investigator (`app_with(investigator, **SlackSettings)`)."""
    started: list[Running] = []

    def start(investigator: Investigator, **fields: Any) -> Running:
        fields.setdefault("bot_token", BOT_TOKEN)
        fields.setdefault("signing_secret", SECRET)
        store_url = f"sqlite:///{tmp_path / 'holmes.db'}"
        settings = ServerSettings(
            store_url=store_url, tokens=[TOKEN], poll_seconds=0.2,
            slack=SlackSettings(api_url=slack.api_url, alert_poll_seconds=0.2, **fields),
        )  # fmt: skip
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings, investigator), host="127.0.0.1",
                           port=(port := free_port()), log_level="warning")
        )  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"})
        running = Running(url, client, store_url, server, thread)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()
