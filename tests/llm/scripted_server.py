"""A scripted OpenAI-compatible chat completions server on loopback, for tests of LLM callers.

Tests of the LLM client, and later of the agent, point the real `openai` SDK at it (through
`LLMSettings`) and script what "the model" answers, step by step. Each request to
`POST /v1/chat/completions` (or Azure's `POST /openai/deployments/<dep>/chat/completions`) takes
the next step of the script: a reply shaped like the real API, an HTTP error with an
OpenAI-shaped error body, or a reply delayed past the client's timeout. Every request is
recorded (path, query, headers, JSON body) so tests assert what was sent. When the script is
exhausted the server answers 500 saying so.

    from tests.llm.scripted_server import scripted_llm, text_reply, tool_calls_reply  # fixture

    async def test_x(scripted_llm):
        scripted_llm.script([tool_calls_reply([("kubernetes_get", {"kind": "Pod"})]),
                             text_reply("the GPU fell off the bus")])
        settings = LLMSettings(provider="compatible", model="m", base_url=scripted_llm.url)
        ...
        assert scripted_llm.requests[1].body["messages"][-1]["role"] == "tool"

Behaviours of real local servers, taken from llama.cpp transcripts (tests/llm/fixtures):
`context_exceeded` (llama.cpp's 400 body with n_prompt_tokens and n_ctx), `recorded` (a real
response body replayed as is: tool calls in fenced JSON content, a final answer in a wrapper
with unescaped quotes, prose without JSON), `runaway` (a model that rambles until the request's
max_tokens cuts it), and GET /v1/models reporting a context size (`models_context`).

Import the `scripted_llm` fixture into a conftest.py (or a test module) to use it elsewhere.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

# A fixed "created" time keeps replies deterministic; nothing here reads the wall clock.
CREATED = 1_720_000_000
DEFAULT_MODEL = "scripted-model"


@dataclass(frozen=True)
class Step:
    """One scripted answer: HTTP status, JSON body, extra headers, and a delay before it."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    content_type: str = "application/json"
    runaway: bool = False  # generate `body`'s text until the request's max_tokens cuts it
    chunk_delay_seconds: float = 0.0  # streamed: the pause before each chunk


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received. `headers` keys are lower case; `body` is parsed JSON."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _completion(
    message: dict[str, Any],
    finish_reason: str,
    *,
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": _usage(prompt_tokens, completion_tokens),
    }


def text_reply(
    content: str,
    *,
    finish_reason: str = "stop",
    model: str = DEFAULT_MODEL,
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
) -> Step:
    """The model answers with text."""
    message = {"role": "assistant", "content": content, "refusal": None}
    body = _completion(
        message,
        finish_reason,
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    return Step(200, body)


def tool_calls_reply(
    calls: Sequence[tuple[str, dict[str, Any] | str]],
    *,
    content: str | None = None,
    model: str = DEFAULT_MODEL,
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
) -> Step:
    """The model calls tools: (name, arguments) pairs; several pairs are parallel calls.

    A dict is sent as its JSON text; a str is sent as is, so a test can send malformed JSON.
    Call ids are `call_1`, `call_2`... in order.
    """
    tool_calls = [
        {
            "id": f"call_{number}",
            "type": "function",
            "function": {
                "name": name,
                "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
            },
        }
        for number, (name, arguments) in enumerate(calls, start=1)
    ]
    message = {"role": "assistant", "content": content, "refusal": None, "tool_calls": tool_calls}
    body = _completion(
        message,
        "tool_calls",
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    return Step(200, body)


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
}


def error(
    status: int, message: str | None = None, *, headers: dict[str, str] | None = None
) -> Step:
    """An HTTP error with the API's error body; `headers` may carry retry-after."""
    text = message or f"scripted {status} {HTTPStatus(status).phrase}"
    kind = _ERROR_TYPES.get(status, "server_error")
    body = {"error": {"message": text, "type": kind, "param": None, "code": None}}
    return Step(status, body, headers=dict(headers or {}))


def context_exceeded(prompt_tokens: int, context_tokens: int) -> Step:
    """llama.cpp's answer to a request longer than its window (as recorded, 400)."""
    body = {
        "error": {
            "code": 400,
            "message": f"request ({prompt_tokens} tokens) exceeds the available context size "
            f"({context_tokens} tokens), try increasing it",
            "type": "exceed_context_size_error",
            "n_prompt_tokens": prompt_tokens,
            "n_ctx": context_tokens,
        }
    }
    return Step(400, body)


def recorded(entry: dict[str, Any]) -> Step:
    """A transcript entry's real response (status and body), replayed as the server sent it."""
    return Step(int(entry["status"]), entry["response"])


def runaway(text: str = "The pod is failing because the pod is failing. ") -> Step:
    """A model that repeats `text` until the request's max_tokens stops it (finish "length");
    a request without max_tokens gets 8,000 tokens of it, as the real server generated."""
    return Step(200, text, runaway=True)


def trickle(seconds_per_chunk: float, reply: Step) -> Step:
    """`reply`, streamed (to a request with stream: true) one chunk every `seconds_per_chunk`:
    a slow model that keeps writing."""
    return replace(reply, chunk_delay_seconds=seconds_per_chunk)


def slow(seconds: float, reply: Step) -> Step:
    """`reply`, sent only after `seconds` (to make the client time out)."""
    return Step(
        reply.status, reply.body, reply.headers, reply.delay_seconds + seconds, reply.content_type
    )


def raw(status: int, text: str, content_type: str = "text/html") -> Step:
    """A body that is not the API's JSON (a proxy's error page, a misconfigured URL)."""
    return Step(status, text, content_type=content_type)


class ScriptedLLMServer:
    """The server. `url` is the OpenAI base URL (…/v1); `endpoint` is the Azure endpoint."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._steps: list[Step] = []
        self._served = 0
        self._requests: list[RecordedRequest] = []
        self._closing = threading.Event()
        # The context size GET /v1/models reports (llama.cpp's meta.n_ctx_train); None: 404.
        self.models_context: int | None = None
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="scripted-llm",
            daemon=True,
        )
        self._thread.start()

    @property
    def endpoint(self) -> str:
        """http://127.0.0.1:<port>, the root (Azure's azure_endpoint)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL: `endpoint` + /v1."""
        return f"{self.endpoint}/v1"

    def script(self, steps: Iterable[Step]) -> None:
        """Replace the script with `steps`, answered in order from the next request on."""
        with self._lock:
            self._steps = list(steps)
            self._served = 0

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every chat completions request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def pending(self) -> int:
        """How many scripted steps have not been served yet."""
        with self._lock:
            return len(self._steps) - self._served

    def close(self) -> None:
        """Stop serving; delayed replies still sleeping are abandoned at once."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedLLMServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _next_step(self, recorded: RecordedRequest) -> Step:
        with self._lock:
            self._requests.append(recorded)
            if self._served >= len(self._steps):
                return error(
                    500,
                    f"scripted LLM server: script exhausted after {len(self._steps)} steps; "
                    f"request {len(self._requests)} was not expected",
                )
            step = self._steps[self._served]
            self._served += 1
            return step

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's algorithm and
                # delayed ACKs add some 40 ms to every reply.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

            def do_GET(self) -> None:
                if urlsplit(self.path).path.rstrip("/") != "/v1/models" or (
                    server.models_context is None
                ):
                    self._send(error(404, f"scripted LLM server: no route {self.path}"))
                    return
                entry = {
                    "id": DEFAULT_MODEL,
                    "object": "model",
                    "created": CREATED,
                    "owned_by": "llamacpp",
                    "meta": {"n_ctx_train": server.models_context, "n_params": 1_543_714_304},
                }
                self._send(Step(200, {"object": "list", "data": [entry]}))

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                if not _is_chat_path(parts.path):
                    self._send(error(404, f"scripted LLM server: no route {parts.path}"))
                    return
                try:
                    body: Any = json.loads(data) if data else None
                except ValueError:
                    body = data.decode("utf-8", "replace")
                recorded = RecordedRequest(
                    method="POST",
                    path=parts.path,
                    query={key: values[-1] for key, values in parse_qs(parts.query).items()},
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
                step = server._next_step(recorded)
                if step.delay_seconds and server._closing.wait(step.delay_seconds):
                    return
                if step.runaway:
                    step = _ran_away(step, body)
                wants_stream = isinstance(body, dict) and body.get("stream") is True
                if wants_stream and step.status == 200 and isinstance(step.body, dict):
                    self._send_stream(step, body)
                    return
                self._send(step)

            def _send_stream(self, step: Step, request: dict[str, Any]) -> None:
                """The completion as server-sent chunks, as the API streams it."""
                usage = (request.get("stream_options") or {}).get("include_usage")
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for chunk in _chunks(step.body, include_usage=bool(usage)):
                        if step.chunk_delay_seconds and server._closing.wait(
                            step.chunk_delay_seconds
                        ):
                            return
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    self.close_connection = True

            def _send(self, step: Step) -> None:
                payload = (
                    step.body if isinstance(step.body, str) else json.dumps(step.body)
                ).encode()
                try:
                    self.send_response(step.status)
                    self.send_header("Content-Type", step.content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in step.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up (timed out) before the delayed reply: expected.
                    pass

        return Handler


def _chunks(completion: dict[str, Any], *, include_usage: bool) -> list[dict[str, Any]]:
    """A chat completion cut into the chunks a streaming server sends: the role, the content
    in pieces, each tool call's name then its arguments in pieces, the finish, the usage."""
    choice = completion["choices"][0]
    message = choice["message"]
    head = {k: completion[k] for k in ("id", "created", "model")}
    head["object"] = "chat.completion.chunk"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    text = message.get("content") or ""
    chunks += [chunk({"content": text[i : i + 16]}) for i in range(0, len(text), 16)]
    for index, call in enumerate(message.get("tool_calls") or []):
        function = call["function"]
        first = {"index": index, "id": call["id"], "type": "function"}
        chunks.append(chunk({"tool_calls": [{**first, "function": {"name": function["name"]}}]}))
        arguments = function["arguments"]
        for i in range(0, len(arguments), 16):
            piece = {"index": index, "function": {"arguments": arguments[i : i + 16]}}
            chunks.append(chunk({"tool_calls": [piece]}))
    chunks.append(chunk({}, choice["finish_reason"]))
    if include_usage:
        chunks.append({**head, "choices": [], "usage": completion["usage"]})
    return chunks


def _ran_away(step: Step, request: Any) -> Step:
    """The runaway step's reply to `request`: its text repeated up to the request's cap."""
    request = request if isinstance(request, dict) else {}
    cap = request.get("max_tokens") or request.get("max_completion_tokens") or 8000
    text = str(step.body)
    words_per_repeat = max(len(text.split()), 1)
    content = (text * (cap // words_per_repeat + 1)).strip()
    content = " ".join(content.split()[:cap])  # a word a token, near enough
    return text_reply(content, finish_reason="length", completion_tokens=cap)


def _is_chat_path(path: str) -> bool:
    """POST /v1/chat/completions, or Azure's /openai/deployments/<dep>/chat/completions."""
    if path.rstrip("/") in ("/v1/chat/completions", "/chat/completions"):
        return True
    pieces = path.strip("/").split("/")
    return (
        len(pieces) == 5
        and pieces[:2] == ["openai", "deployments"]
        and pieces[3:] == ["chat", "completions"]
    )


@pytest.fixture
def scripted_llm() -> Iterator[ScriptedLLMServer]:
    """A running scripted LLM server, closed after the test."""
    with ScriptedLLMServer() as server:
        yield server
