"""Faulty sources on loopback: an HTTP server and a Hubble gRPC server that fail on purpose.

Used by the fault tests (`tests/faults/`) and `bench/faulty_sources.py`: an investigation runs
against a replayed incident with one source's endpoint swapped for one of these. Each runs in
its own thread (so a blocking client or an asyncio one can call it alike) and is a context
manager that yields the endpoint and stops on the way out, releasing any request it holds.

HTTP faults (for the Kubernetes API and Prometheus):

    refused    nothing listens on the port
    hang       accepts, reads the request, never answers
    html       200 with an HTML page (a login portal or proxy error page)
    truncated  200 with JSON cut off in the middle
    http500    500 with a plain-text body
    http401    401 Unauthorized
    http403    403 Forbidden
    impostor   200 with JSON claiming success, shaped as no API's (Prometheus only)

An HTTP fault may also hit part of a source: `faulty_http(fault, upstream=url, only="/pods")`
fails the requests whose path holds `/pods` and relays the others to the replay (`swapped`
writes it `http500@/pods`).

Hubble faults: `unavailable` and `internal` (every RPC ends with that status), `garbage` (the
answers are bytes that do not decode as the protobuf messages), `hang` (no RPC ever answers).
"""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
import yaml

from holmes.evals.replay import ReplayEndpoints
from holmes.tools import SourceEndpoints

HTTP_FAULTS = ("refused", "hang", "html", "truncated", "http500", "http401", "http403")
HUBBLE_FAULTS = ("unavailable", "internal", "garbage", "hang")

_HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>portal</body></html>"
_TRUNCATED = b'{"kind": "PodList", "apiVersion": "v1", "status": "success", "data": {"result'
_ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "html": (200, "text/html; charset=utf-8", _HTML),
    "truncated": (200, "application/json", _TRUNCATED),
    "http500": (500, "text/plain", b"Internal Server Error\n"),
    "http401": (401, "text/plain", b"Unauthorized\n"),
    "http403": (403, "text/plain", b"Forbidden\n"),
    # Not among HTTP_FAULTS: JSON that claims success in a shape no API has.
    "impostor": (200, "application/json", b'{"status": "success", "data": "nonsense"}'),
}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def faulty_http(fault: str, *, upstream: str | None = None, only: str = "") -> Iterator[str]:
    """An HTTP endpoint (`http://127.0.0.1:PORT`) failing with `fault`, until the block ends.

    With `upstream`, only requests whose path contains `only` fail; the others are passed to
    `upstream` and its answer relayed (a source that fails in part).
    """
    if fault == "refused":
        yield f"http://127.0.0.1:{closed_port()}"
        return
    if fault != "hang" and fault not in _ANSWERS:
        raise ValueError(f"unknown HTTP fault {fault!r}; known: {', '.join(HTTP_FAULTS)}")
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if upstream and only not in self.path:
                self._relay()
                return
            self._answer()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self._answer()

        def _relay(self) -> None:
            request = urllib.request.Request(upstream + self.path, headers=dict(self.headers))
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, headers, body = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as error:
                status, headers, body = error.code, error.headers, error.read()
            self.send_response(status)
            self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _answer(self) -> None:
            if fault == "hang":
                release.wait()
                return
            status, content_type, body = _ANSWERS[fault]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the tests read results, not access logs

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"fault-{fault}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def write_kubeconfig(server: str, path: Path) -> Path:
    """A kubeconfig whose current context points at `server` (with a token, as the replay's)."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "faulty", "cluster": {"server": server}}],
        "users": [{"name": "faulty", "user": {"token": "fault-test"}}],
        "contexts": [{"name": "faulty", "context": {"cluster": "faulty", "user": "faulty"}}],
        "current-context": "faulty",
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


_OBSERVER = "observer.Observer"
_METHODS = ("GetFlows", "GetAgentEvents", "GetDebugEvents", "GetNodes", "GetNamespaces")
_GARBAGE = b"\xff\xff\xff\xff\x0f\x00garbage, not a protobuf message\x80"


@contextmanager
def faulty_hubble(fault: str) -> Iterator[str]:
    """A Hubble Relay address (`127.0.0.1:PORT`) failing with `fault`, until the block ends."""
    if fault not in HUBBLE_FAULTS:
        raise ValueError(f"unknown Hubble fault {fault!r}; known: {', '.join(HUBBLE_FAULTS)}")
    release = threading.Event()

    def unary(request: bytes, context: grpc.ServicerContext) -> bytes:
        return _fail(context)

    def stream(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        yield _fail(context)

    def _fail(context: grpc.ServicerContext) -> bytes:
        if fault == "hang":
            release.wait()
            context.abort(grpc.StatusCode.CANCELLED, "the test ended")
        if fault == "unavailable":
            context.abort(grpc.StatusCode.UNAVAILABLE, "hubble-relay: no connection to peers")
        if fault == "internal":
            context.abort(grpc.StatusCode.INTERNAL, "hubble-relay: internal error")
        return _GARBAGE

    # Raw bytes in and out: the garbage is sent as it is, undecodable by the client's stubs.
    handlers = {
        name: grpc.unary_stream_rpc_method_handler(stream)
        if name in ("GetFlows", "GetAgentEvents", "GetDebugEvents")
        else grpc.unary_unary_rpc_method_handler(unary)
        for name in _METHODS
    }
    handlers["ServerStatus"] = grpc.unary_unary_rpc_method_handler(unary)
    server = grpc.server(ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(_OBSERVER, handlers)])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        release.set()
        server.stop(grace=None)


@contextmanager
def swapped(
    endpoints: ReplayEndpoints, faults: dict[str, str], folder: Path
) -> Iterator[SourceEndpoints]:
    """The replay's endpoints with each source in `faults` served by a faulty server instead
    (`fault@part`: only the requests whose path holds `part` fail, the rest reach the replay)."""
    sources = SourceEndpoints(
        kubeconfig=endpoints.kubeconfig,
        prometheus_url=endpoints.prometheus_url,
        hubble_address=endpoints.hubble_address,
    )
    with ExitStack() as stack:
        for source, fault in faults.items():
            if source == "hubble":
                sources.hubble_address = stack.enter_context(faulty_hubble(fault))
                continue
            fault, _, only = fault.partition("@")  # "http500@/statefulsets": only those fail
            upstream = (
                endpoints.prometheus_url if source == "prometheus" else endpoints.kubernetes_url
            )
            url = stack.enter_context(
                faulty_http(fault, upstream=upstream if only else None, only=only)
            )
            if source == "prometheus":
                sources.prometheus_url = url
            else:
                sources.kubeconfig = write_kubeconfig(url, folder / f"kubeconfig-{fault}")
        yield sources
