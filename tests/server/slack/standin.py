"""A local stand-in for slack.com: the Web API, response_url and Socket Mode's WebSocket.

An aiohttp server on a loopback port, in its own thread, that records every call (method,
parameters, arrival time) and answers like Slack: `chat.postMessage` gets a new `ts`,
`auth.test` the bot's ids, `apps.connections.open` a `ws://127.0.0.1:PORT/socket` URL served
here. `fail(method, ...)` queues a failure for the next call of a method (an `ok: false`
error, or HTTP 429 with `Retry-After`). Slack itself is the one thing the tests cannot run.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER = "UHOLMES"


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class SlackStandIn:
    """The Web API at `api_url`, response URLs at `response_url(name)`, Socket Mode at /socket."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.thread_messages: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []
        self._failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._envelopes: asyncio.Queue[dict[str, Any]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.sockets_opened = 0

    # -- test side -----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The Web API base URL (HOLMES_SLACK_API_URL)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        """A slash command's response_url that records posts as method `response:NAME`."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def fail(
        self, method: str, error: str | None = None, *, status: int = 200, retry_after: int = 1
    ) -> None:
        """The next call of `method` fails: Slack's `error`, or HTTP `status` (429: Retry-After)."""
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        body = {"ok": False, "error": error or "ratelimited"}
        self._failures.setdefault(method, []).append((status, body, headers))

    def of(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> None:
        """Until `predicate()` is true; AssertionError with the calls so far when it is not."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; Slack calls: {[c.method for c in self.calls]}")
            time.sleep(0.05)

    def push(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected client."""
        assert self._loop is not None and self._envelopes is not None
        self._loop.call_soon_threadsafe(self._envelopes.put_nowait, envelope)

    # -- serving -------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        """Serve on a free loopback port, in a thread of its own."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "the Slack stand-in did not start"
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop_event.set)
            self._thread.join(timeout=10)

    def _run(self, ready: threading.Event) -> None:
        asyncio.run(self._main(ready))

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._envelopes = asyncio.Queue()
        self._stop_event = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        await self._stop_event.wait()
        await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                params.update(json.loads(raw or b"{}"))
            else:
                form = await request.post() if not raw else None
                from urllib.parse import parse_qsl

                params.update(dict(parse_qsl(raw.decode())) if raw else dict(form or {}))
        for key in ("blocks",):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        with self._lock:
            self.calls.append(Call(method, params))
        pending = self._failures.get(method)
        if pending:
            status, body, headers = pending.pop(0)
            return web.json_response(body, status=status, headers=headers)
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            ts = f"1800000000.{next(self._ts):06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BHOLMES", "team_id": "T1"}
        if method == "conversations.replies":
            return {"ok": True, "messages": self.thread_messages, "has_more": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": True}

    async def _response(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        with self._lock:
            self.calls.append(Call(f"response:{request.match_info['name']}", params))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets_opened += 1
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        await ws.send_json(hello)
        assert self._envelopes is not None
        sender = asyncio.create_task(self._send(ws))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    with self._lock:
                        self.acks.append(json.loads(message.data))
        finally:
            sender.cancel()
        return ws

    async def _send(self, ws: web.WebSocketResponse) -> None:
        assert self._envelopes is not None
        while True:
            envelope = await self._envelopes.get()
            await ws.send_json(envelope)
