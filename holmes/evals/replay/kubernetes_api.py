"""A Kubernetes API server on loopback that replays one recorded incident, read-only.

Tests, the demo and the eval runner start a `KubernetesReplayServer` over a `Bundle`, write a
kubeconfig with `write_kubeconfig`, and point the official `kubernetes` client (or kubectl) at
it: discovery, list and get (with label and field selectors and paging), both forms of Events,
and pod logs answer as kube-apiserver answers them; every write gets 405. The HTTP stack is
the standard library's `ThreadingHTTPServer` (no dependency, starts in milliseconds); routing
lives in `kubernetes_router`, so this module is only sockets and the kubeconfig.

    with KubernetesReplayServer(load_bundle(path)) as server:
        api = kubernetes.config.new_client_from_config(str(server.write_kubeconfig(tmp)))
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from holmes.evals.bundle import Bundle
from holmes.evals.replay.kubernetes_router import Response, Router
from holmes.evals.replay.kubernetes_store import ObjectStore

# Errors a client causes by hanging up mid-answer; the server shrugs them off.
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _Handler(BaseHTTPRequestHandler):
    """Hands each request to the router; quiet, keep-alive, tolerant of hang-ups."""

    protocol_version = "HTTP/1.1"  # keep-alive: kubectl and urllib3 reuse connections
    server: _ReplayHTTPServer
    timeout = 60  # an idle keep-alive connection must not hold its thread forever
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK would add
    # ~40 ms to every answer.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer("GET")

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_PUT(self) -> None:
        self._answer("PUT")

    def do_PATCH(self) -> None:
        self._answer("PATCH")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

    def do_OPTIONS(self) -> None:
        self._answer("OPTIONS")

    def _answer(self, method: str) -> None:
        self.server.requests.append(f"{method} {self.path}")
        try:
            self._discard_body()
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            response = self.server.router.handle(
                method, url.path, query, self.headers.get("Accept", "")
            )
            self._send(response, with_body=method != "HEAD")
        except _DISCONNECTS:
            self.close_connection = True

    def _discard_body(self) -> None:
        # A write's body is never used, but it must be read to keep the connection in step.
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def _send(self, response: Response, with_body: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-cache, private")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a replay in a test run must not write a line per request to stderr."""

    def handle_one_request(self) -> None:
        """Serve one request; a client that hangs up just ends the connection."""
        try:
            super().handle_one_request()
        except _DISCONNECTS:
            self.close_connection = True


class _ReplayHTTPServer(ThreadingHTTPServer):
    """Threading server that remembers its open connections so `stop` can cut them."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, router: Router) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.router = router
        # Every request line received, in order: tests assert what a tool sent (or that it
        # sent nothing). list.append is atomic, so the handler threads need no lock.
        self.requests: list[str] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Drop the failed connection without printing a traceback to stderr."""

    def close_connections(self) -> None:
        """Shut every open connection, waking handler threads blocked on idle keep-alives."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class KubernetesReplayServer:
    """Serves a bundle's Kubernetes objects and logs the way kube-apiserver does."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self._router = Router(bundle, ObjectStore(bundle))
        self._server: _ReplayHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve from a daemon thread; ready on return."""
        with self._lock:
            if self._server is not None:
                return
            # Binding also listens, so connections queue from here on, before the loop runs.
            server = _ReplayHTTPServer(self._router)
            host, port = server.server_address[:2]
            self._router.server_address = f"{host}:{port}"
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"k8s-replay-{self.bundle.id}",
                daemon=True,
            )
            self._server = server
            self._thread.start()

    def stop(self) -> None:
        """Stop serving, cut open connections, close the socket. Safe to call twice."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join()

    @property
    def requests(self) -> list[str]:
        """`METHOD /path?query` of every request received since start, oldest first."""
        return list(self._server.requests) if self._server is not None else []

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        if self._server is None:
            raise RuntimeError("the Kubernetes replay server is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def write_kubeconfig(self, path: Path) -> Path:
        """Write a kubeconfig whose current context (named after the incident) points here."""
        name = self.bundle.id
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": self.url}}],
            "users": [{"name": name, "user": {"token": "replay"}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "preferences": {},
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return path

    def __enter__(self) -> KubernetesReplayServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
