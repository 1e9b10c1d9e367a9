"""`holmes investigate alertmanager`: pull firing alerts from a real Alertmanager, investigate
each fingerprint once, or hand them to a running `holmes serve`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from holmes.cli.main import app
from tests.server.alertmanager import XID_LABELS, alertmanager, post_alert
from tests.server.conftest import TOKEN, XID

__all__ = ["alertmanager"]

runner = CliRunner()
CRASH = {"alertname": "KubePodCrashLooping", "namespace": "serving", "pod": "gateway-0"}
NO_LLM_ENV = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "AZURE_OPENAI_ENDPOINT": ""}


def command_for(url: str) -> list[str]:
    return ["investigate", "alertmanager", "--url", url, "--incident", str(XID), "--json"]


@pytest.mark.slow
def test_pulled_alerts_are_investigated_once_each(alertmanager):
    am = alertmanager(None)
    post_alert(am, XID_LABELS)
    post_alert(am, XID_LABELS)  # the same alert again: one fingerprint
    post_alert(am, CRASH)
    url = str(am.base_url)
    result = runner.invoke(
        app,
        command_for(url),
        env=NO_LLM_ENV,
    )
    assert result.exit_code == 0, result.output
    answers = json.loads(result.stdout)
    assert sorted(a["alertname"] for a in answers) == ["GPUXidError", "KubePodCrashLooping"]
    xid = next(a for a in answers if a["alertname"] == "GPUXidError")
    assert xid["diagnosis"]["runbook_id"] == "gpu-xid-errors"
    filtered = runner.invoke(
        app,
        [*command_for(url), "--filter", 'alertname="KubePodCrashLooping"'],
        env=NO_LLM_ENV,
    )
    assert [a["alertname"] for a in json.loads(filtered.stdout)] == ["KubePodCrashLooping"]
    text = runner.invoke(
        app, [*command_for(url)[:-1], "--filter", 'alertname="GPUXidError"'], env=NO_LLM_ENV
    )
    assert "alert GPUXidError" in text.output
    assert "Root cause:" in text.stdout and "gpu-node-3" in text.stdout


def test_pulled_alerts_go_to_a_running_server_with_the_same_dedupe(serve, alertmanager):
    running = serve()
    am = alertmanager(None)
    post_alert(am, XID_LABELS)
    post_alert(am, CRASH)
    command = ["investigate", "alertmanager", "--url", str(am.base_url), "--server", running.url]
    first = runner.invoke(app, [*command, "--token", TOKEN])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["accepted"] == 2
    again = json.loads(runner.invoke(app, [*command, "--token", TOKEN]).stdout)
    assert again["deduplicated"] == 2
    assert again["investigations"] == json.loads(first.stdout)["investigations"]
    refused = runner.invoke(app, command, env={"HOLMES_API_TOKEN": ""})
    assert refused.exit_code == 2 and "401" in refused.output  # rich wraps the rest


def test_an_unreachable_alertmanager_is_named():
    result = runner.invoke(app, ["investigate", "alertmanager", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "127.0.0.1:9/api/v2/alerts" in " ".join(result.output.split())
