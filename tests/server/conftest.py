"""Fixtures of the service tests: a replayed incident, and real servers over real HTTP.

`serve(...)` starts the real app (`create_app`) under uvicorn in a thread on a free loopback
port, with a real SQLite store in the test's folder and the runbook engine investigating the
replayed gpu-xid-79-node-3 incident; it yields a `Running` with an httpx client. `gate` holds
investigations at their start until the test opens it, so a test can fill the queue: the
investigation itself is the real one.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from holmes.cli.options import runbook_engine
from holmes.evals import load_bundle
from holmes.evals.replay import ReplayEndpoints, replay
from holmes.evals.runner import context_for
from holmes.server import Investigator, ServerSettings, create_app
from holmes.server.store import InvestigationRecord

REPO = Path(__file__).resolve().parents[2]
XID = REPO / "evals" / "incidents" / "gpu-xid-79-node-3"
QUESTION = "Why did the llama-finetune job in namespace ml stop making progress?"
TOKEN = "test-token-4f1c9a"


@pytest.fixture(scope="session")
def xid_endpoints() -> Iterator[ReplayEndpoints]:
    """The gpu-xid-79-node-3 incident replayed once for the whole session."""
    with replay(load_bundle(XID)) as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    """The runbook engine over the built-in runbooks."""
    return runbook_engine(None)


class Gate:
    """Investigations wait here before they start, until `open()`."""

    def __init__(self) -> None:
        self._open = threading.Event()

    def open(self) -> None:
        """Let every waiting and future investigation run."""
        self._open.set()

    async def wait(self) -> None:
        """Until the gate is open."""
        while not self._open.is_set():
            await asyncio.sleep(0.02)


class GatedInvestigator(Investigator):
    """The real investigator, held at the start until its gate opens."""

    def __init__(self, *args: Any, gate: Gate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate

    async def run(self, record: InvestigationRecord, on_call: Any, on_turn: Any = None):  # type: ignore[no-untyped-def]
        await self.gate.wait()
        return await super().run(record, on_call, on_turn)


@dataclass
class Running:
    """A served app: its URL, an authenticated client and the store file."""

    url: str
    client: httpx.Client
    store_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        """Stop the server as SIGTERM would and wait for its shutdown."""
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.client.close()

    def wait_status(self, investigation_id: str, *statuses: str, timeout: float = 30) -> dict:
        """Poll the investigation until its status is one of `statuses`."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.client.get(f"/api/v1/investigations/{investigation_id}").json()
            if body["status"] in statuses or time.monotonic() > deadline:
                return body
            time.sleep(0.05)


def wait_until_ready(process: subprocess.Popen, url: str, seconds: float = 60) -> None:
    """Poll a `holmes serve` subprocess's /readyz until it answers 200; fail if it exits first
    (with its output, when captured) or is not ready within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"holmes serve exited with {process.returncode}: {output}")
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "holmes serve did not become ready"
        time.sleep(0.1)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve(tmp_path, xid_endpoints, engine):  # type: ignore[no-untyped-def]
    """Start servers (`serve(**settings)`); all are stopped at the end of the test."""
    started: list[Running] = []

    def start(
        *, gate: Gate | None = None, store: Path | None = None, llm: Any = None, **options: Any
    ) -> Running:
        store_path = store or tmp_path / "holmes.db"
        store_url = f"sqlite:///{store_path}"
        options.setdefault("tokens", [TOKEN])
        options.setdefault("poll_seconds", 0.2)
        settings = ServerSettings(store_url=store_url, **options)
        contexts = lambda: context_for(xid_endpoints)  # noqa: E731
        common = {"llm": llm, "conversations": store_path if llm else None}
        if gate is None:
            investigator = Investigator(engine, contexts, **common)
        else:
            investigator = GatedInvestigator(engine, contexts, gate=gate, **common)
        port = free_port()
        app = create_app(settings, investigator)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {TOKEN}"} if settings.tokens else {}
        client = httpx.Client(base_url=url, headers=headers, timeout=30)
        running = Running(url, client, store_url, server, thread)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()


def sse_events(response: httpx.Response) -> list[dict[str, Any]]:
    """The events of an SSE response: [{id, event, data}], in order."""
    import json

    events, current = [], {}
    for line in response.iter_lines():
        if not line:
            if "event" in current:
                events.append(current)
            current = {}
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        current[field] = json.loads(value) if field == "data" else value
    if "event" in current:
        events.append(current)
    return events
