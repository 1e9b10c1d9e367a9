"""`holmes serve --incident` with SLACK_* set: the responder is on; bad Slack settings are named."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from holmes.cli.main import app
from holmes.server.slack.settings import SlackConfigError, from_environ
from tests.server.conftest import REPO, XID, free_port, wait_until_ready
from tests.server.slack.conftest import BOT_TOKEN, SECRET, mention, post_event


@pytest.mark.slow
def test_holmes_serve_answers_a_signed_mention(tmp_path, slack) -> None:
    port = free_port()
    env = {**os.environ, "HOLMES_API_TOKENS": "tok-1", "HOME": str(tmp_path),
           "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "HOLMES_SLACK_API_URL": slack.api_url}  # fmt: skip
    for variable in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "AZURE_OPENAI_ENDPOINT",
        "SLACK_APP_TOKEN",
    ):
        env.pop(variable, None)
    command = [sys.executable, "-m", "holmes.cli.main", "serve", "--incident", str(XID)]
    command += ["--port", str(port), "--store", f"sqlite:///{tmp_path}/holmes.db"]
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, url)
        assert post_event(
            url, mention("<@UHOLMES> why is llama-finetune in ml stalling?")
        ).is_success
        slack.wait_for(lambda: len(slack.of("chat.postMessage")) >= 2)
        answer = slack.of("chat.postMessage")[1]
        assert re.search(r"xid ?79", answer.params["text"], re.I)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Slack responder on (/slack/events)" in output


def test_a_bot_token_without_a_way_in_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--incident", str(XID)])
    assert result.exit_code == 2
    assert "SLACK_SIGNING_SECRET" in result.output


def test_the_routing_table_picks_the_first_match(tmp_path) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text(
        "routes:\n- match: {namespace: ml, severity: critical}\n  channel: CML\n"
        "- match: {team: infra}\n  channel: CINFRA\n"
    )
    settings = from_environ(
        {"HOLMES_SLACK_ALERT_ROUTES": str(routes), "HOLMES_SLACK_ALERT_CHANNEL": "CALL"}
    )
    routing = settings.alerts
    assert routing.channel_for({"namespace": "ml", "severity": "critical"}) == "CML"
    assert routing.channel_for({"namespace": "ml", "severity": "warning"}) == "CALL"
    assert routing.channel_for({"team": "infra"}) == "CINFRA"
    assert not settings.enabled


def test_a_bad_routing_file_is_named(tmp_path) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text("routes:\n- match: {namespace: ml}\n")
    with pytest.raises(SlackConfigError, match=r"routes\.yaml: routes\.0\.channel"):
        from_environ({"HOLMES_SLACK_ALERT_ROUTES": str(routes)})
    with pytest.raises(SlackConfigError, match="No such file"):
        from_environ({"HOLMES_SLACK_ALERT_ROUTES": str(tmp_path / "missing.yaml")})


def test_the_app_manifest_asks_for_what_the_responder_uses() -> None:
    import yaml

    manifest = yaml.safe_load((REPO / "deploy" / "slack-app-manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "channels:history", "commands"} <= scopes
    settings = manifest["settings"]
    assert {"app_mention", "message.channels"} <= set(settings["event_subscriptions"]["bot_events"])
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    urls.append(manifest["features"]["slash_commands"][0]["url"])
    assert all(url.endswith("/slack/events") for url in urls)
    assert manifest["features"]["slash_commands"][0]["command"] == "/holmes"
