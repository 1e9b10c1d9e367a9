"""`holmes serve --incident` as a real process: answers /api/v1/ask, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from tests.server.conftest import QUESTION, REPO, XID, free_port, wait_until_ready


@pytest.mark.slow
def test_holmes_serve_answers_ask_with_the_incidents_runbook(tmp_path):
    port = free_port()
    env = {**os.environ, "HOLMES_API_TOKENS": "one, two", "HOME": str(tmp_path)}
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT"):
        env.pop(variable, None)
    command = [sys.executable, "-m", "holmes.cli.main", "serve", "--incident", str(XID)]
    command += ["--port", str(port), "--store", f"sqlite:///{tmp_path}/holmes.db"]
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer two"}
        )
        wait_until_ready(server, f"http://127.0.0.1:{port}")
        answer = client.post("/api/v1/ask", json={"question": QUESTION}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["runbook_id"] == "gpu-xid-errors"
        assert "Xid 79" in answer.json()["root_cause"]
        assert (
            client.get("/api/v1/investigations", headers={"Authorization": ""}).status_code == 401
        )
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    # uvicorn shuts down cleanly, then re-raises SIGTERM so the exit status says why it ended.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output


def test_a_bad_store_is_named_with_its_password_masked():
    from typer.testing import CliRunner

    from holmes.cli.main import app

    runner = CliRunner()
    unreachable = runner.invoke(
        app, ["serve", "--store", f"postgresql://holmes:s3cr3tpw@127.0.0.1:{free_port()}/x"]
    )
    assert unreachable.exit_code == 2
    assert "s3cr3tpw" not in unreachable.output and "REDACTED" in unreachable.output
    other = runner.invoke(app, ["serve", "--store", "mysql://u:pw@x/db"])
    flat = " ".join(other.output.split())
    assert other.exit_code == 2 and "--store" in flat and "postgres" in flat and "pw@" not in flat
