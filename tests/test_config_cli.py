"""The commands read the config file: `holmes ask` gets its LLM, its key file, its limits and
its conversation store from the file alone (the scripted model server stands in for the LLM),
and a flag beats the file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from holmes.cli.main import app
from tests.conftest import INCIDENTS
from tests.llm.scripted_server import scripted_llm, text_reply, tool_calls_reply

__all__ = ["scripted_llm"]

OOM = INCIDENTS / "oom-killed-embedding-worker"
runner = CliRunner()
# Nothing from the environment: the file must carry it all.
CLEAN = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "HOLMES_LLM_MODEL": "", "OPENAI_MODEL": ""}
CLEAN |= {"AZURE_OPENAI_ENDPOINT": "", "HOLMES_CONVERSATIONS": "", "HOLMES_AGENT_MAX_STEPS": ""}


def test_ask_takes_the_llm_from_the_file(scripted_llm, tmp_path: Path) -> None:
    key = tmp_path / "llm-key"
    key.write_text("sk-from-a-mounted-secret\n")
    config = tmp_path / "config.yaml"
    config.write_text(
        f"llm:\n  base_url: {scripted_llm.url}\n  model: file-model\n  api_key_file: {key}\n"
        f"  conversations_file: {tmp_path / 'conversations.sqlite'}\n"
        "limits:\n  max_steps: 1\n",
        encoding="utf-8",
    )
    # One step allowed: the model's tool call is not followed, the runbooks answer.
    scripted_llm.script([tool_calls_reply([("kubernetes_get", {"kind": "Pod"})]), text_reply("x")])
    args = ["ask", "--incident", str(OOM), "--json", "--config", str(config)]
    result = runner.invoke(app, args, env=CLEAN)
    assert result.exit_code == 0, result.output
    first = scripted_llm.requests[0]
    assert first.body["model"] == "file-model"
    assert first.headers["authorization"] == "Bearer sk-from-a-mounted-secret"
    assert len(scripted_llm.requests) == 1  # limits.max_steps: 1 from the file
    assert (tmp_path / "conversations.sqlite").exists()
    diagnosis = json.loads(result.stdout)
    assert diagnosis["cost"]["llm_calls"] == 1
    assert diagnosis["runbook_id"] == "oom-killed"  # the step limit ended it: the runbooks' answer

    scripted_llm.script([text_reply("x")])
    flagged = runner.invoke(app, [*args, "--model", "flag-model"], env=CLEAN)
    assert flagged.exit_code == 0, flagged.output
    assert scripted_llm.requests[-1].body["model"] == "flag-model"
