"""Auth is fail-closed: a token on every route but the probes, whatever the path or Host says."""

from __future__ import annotations

import base64
import subprocess
import sys

import httpx
import pytest

from holmes.server import AuthConfigError, ServerSettings, create_app
from holmes.server.auth import is_loopback
from tests.server.conftest import REPO, TOKEN, free_port


def test_requests_without_a_token_or_with_a_wrong_one_get_401(serve):
    running = serve()
    anonymous = httpx.Client(base_url=running.url)
    for method, path in [
        ("GET", "/api/v1/investigations"),
        ("POST", "/api/v1/ask"),
        ("POST", "/api/v1/alertmanager"),
        ("GET", "/metrics"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/no/such/path"),
    ]:
        response = anonymous.request(method, path, json={})
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="holmes"')
        wrong = anonymous.request(method, path, json={}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401, path
    assert running.client.get("/api/v1/investigations").status_code == 200


def test_a_spoofed_host_or_a_path_trick_does_not_reach_the_probes_exemption(serve):
    running = serve()
    anonymous = httpx.Client(base_url=running.url)
    for host in ("localhost", "127.0.0.1", "internal.svc"):
        response = anonymous.get("/api/v1/investigations", headers={"Host": host})
        assert response.status_code == 401
    for path in ("/healthz/../api/v1/investigations", "/api/v1/investigations?p=/healthz"):
        raw = httpx.Request("GET", running.url)
        raw.url = raw.url.copy_with(raw_path=path.encode())
        assert anonymous.send(raw).status_code == 401, path
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert anonymous.get("/readyz").json()["ready"] is True


def test_the_webhook_also_takes_basic_auth_with_a_token_as_password(serve):
    running = serve()
    anonymous = httpx.Client(base_url=running.url)
    alert = {"labels": {"alertname": "KubePodCrashLooping", "namespace": "ml"}}
    basic = "Basic " + base64.b64encode(f"alertmanager:{TOKEN}".encode()).decode()
    ok = anonymous.post("/api/v1/alertmanager", json=alert, headers={"Authorization": basic})
    assert ok.status_code == 200
    bad = "Basic " + base64.b64encode(b"alertmanager:guess").decode()
    refused = anonymous.post("/api/v1/alertmanager", json=alert, headers={"Authorization": bad})
    assert refused.status_code == 401
    assert "Basic" in refused.headers["WWW-Authenticate"]
    # Basic auth is for Alertmanager only: the rest of the API wants a bearer token.
    other = anonymous.get("/api/v1/investigations", headers={"Authorization": basic})
    assert other.status_code == 401


def test_without_tokens_the_app_refuses_a_non_loopback_address(engine):
    settings = ServerSettings(store_url="sqlite:////tmp/unused.db", host="0.0.0.0")
    with pytest.raises(AuthConfigError, match="refusing"):
        create_app(settings, None)  # type: ignore[arg-type]
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")


def test_holmes_serve_refuses_to_start_on_0_0_0_0_without_tokens(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "300"}
    command = [sys.executable, "-m", "holmes.cli.main", "serve", "--host", "0.0.0.0"]
    command += ["--port", str(free_port()), "--store", f"sqlite:///{tmp_path}/h.db"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "refusing to serve without authentication" in done.stderr
    assert not (tmp_path / "h.db").exists()  # refused before touching anything
