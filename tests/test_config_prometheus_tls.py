"""Prometheus auth and TLS from the config file reach a real HTTPS server on loopback: the
bearer token in the header, a private CA verifying the server, `insecure_skip_verify`, and a
missing CA or a wrong token failing `holmes doctor` with the reason."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from holmes.cli.main import app

runner = CliRunner()
TOKEN = "prom-token-5f2c9a"


def _openssl(*arguments: str | Path) -> None:
    subprocess.run(["openssl", *map(str, arguments)], check=True, capture_output=True)


def make_pki(folder: Path) -> dict[str, Path]:
    """A test CA and a server certificate for 127.0.0.1, as PEM files."""
    files = {name: folder / name for name in ("ca.crt", "ca.key", "server.key", "server.crt")}
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl("req", "-x509", *ec, "-subj", "/CN=test-ca", "-days", "1",
             "-keyout", files["ca.key"], "-out", files["ca.crt"])  # fmt: skip
    (folder / "server.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("req", *ec, "-subj", "/CN=prometheus", "-keyout", files["server.key"],
             "-out", folder / "server.csr")  # fmt: skip
    _openssl("x509", "-req", "-in", folder / "server.csr", "-CA", files["ca.crt"],
             "-CAkey", files["ca.key"], "-CAcreateserial", "-days", "1",
             "-out", files["server.crt"], "-extfile", folder / "server.ext")  # fmt: skip
    return files


@pytest.fixture
def https_prometheus(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A Prometheus-shaped HTTPS API demanding TOKEN; yields its URL, the CA file and the
    Authorization headers it received."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    pki = make_pki(tmp_path)
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"status": "error", "error": "unauthorized"})
            elif self.path.startswith("/api/v1/status/buildinfo"):
                self._answer(200, {"status": "success", "data": {"version": "2.53.0"}})
            else:
                self._answer(200, {"status": "success", "data": []})

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["server.crt"], pki["server.key"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", pki["ca.crt"], seen
    finally:
        server.shutdown()
        server.server_close()


def prometheus_checks(tmp_path: Path, prometheus: str) -> dict[str, dict[str, str]]:
    """The Prometheus checks of `holmes doctor --config` with this prometheus section."""
    config = tmp_path / "config.yaml"
    config.write_text(f"sources:\n  prometheus:\n{prometheus}", encoding="utf-8")
    env = {"HOME": str(tmp_path), "KUBECONFIG": "", "HOLMES_PROMETHEUS_URL": ""}
    args = ["doctor", "--config", str(config), "--json", "--no-llm", "--timeout", "3"]
    result = runner.invoke(app, args, env=env)
    checks = json.loads(result.output)
    return {c["name"]: c for c in checks if c["source"] == "prometheus"}


def test_bearer_token_and_private_ca(tmp_path: Path, https_prometheus) -> None:
    url, ca, seen = https_prometheus
    section = f"    url: {url}\n    bearer_token: {TOKEN}\n    ca_file: {ca}\n"
    checks = prometheus_checks(tmp_path, section)
    assert checks["version"]["status"] == "ok", checks
    assert "Prometheus 2.53.0" in checks["version"]["detail"]
    assert seen and set(seen) == {f"Bearer {TOKEN}"}


def test_insecure_skip_verify_accepts_the_unknown_ca(tmp_path: Path, https_prometheus) -> None:
    url, _, _ = https_prometheus
    section = f"    url: {url}\n    bearer_token: {TOKEN}\n    insecure_skip_verify: true\n"
    assert prometheus_checks(tmp_path, section)["version"]["status"] == "ok"


def test_no_ca_or_a_wrong_token_fails(tmp_path: Path, https_prometheus) -> None:
    url, ca, _ = https_prometheus
    unverified = prometheus_checks(tmp_path, f"    url: {url}\n    bearer_token: {TOKEN}\n")
    assert unverified["reachable"]["status"] == "fail"
    assert "certificate" in unverified["reachable"]["detail"].lower()
    section = f"    url: {url}\n    bearer_token: wrong\n    ca_file: {ca}\n"
    refused = prometheus_checks(tmp_path, section)["reachable"]
    assert refused["status"] == "fail" and "credentials" in refused["fix"]
