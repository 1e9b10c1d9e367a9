"""`holmes ask` and `holmes eval` with an LLM configured, against the scripted model server."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from holmes.cli.main import app
from tests.conftest import INCIDENTS
from tests.llm.scripted_server import scripted_llm, text_reply, tool_calls_reply

__all__ = ["scripted_llm"]

OOM = INCIDENTS / "oom-killed-embedding-worker"
runner = CliRunner()


def environment(server, tmp_path) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": server.url,
        "OPENAI_API_KEY": "sk-test",
        "HOLMES_LLM_MODEL": "gpt-4o-mini",
        "HOLMES_CONVERSATIONS": str(tmp_path / "conversations.sqlite"),
    }


def final(root_cause: str) -> tuple[str, dict]:
    return (
        "final_answer",
        {
            "summary": root_cause,
            "root_cause": root_cause,
            "explanation": "its last termination was OOMKilled with exit code 137",
            "claims": [{"claim": root_cause, "evidence_ids": ["E11"]}],
            "remediation": [{"action": "raise the memory limit of the worker container"}],
            "confidence": "high",
            "runbook_id": "oom-killed",
        },
    )


def test_ask_uses_the_llm_and_reports_its_cost(scripted_llm, tmp_path):
    scripted_llm.script([tool_calls_reply([final("worker OOMKilled at the 2Gi limit")])])
    result = runner.invoke(
        app, ["ask", "--incident", str(OOM)], env=environment(scripted_llm, tmp_path)
    )
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())  # rich wraps at 80 columns
    assert "worker OOMKilled at the 2Gi limit" in shown
    assert "LLM agent" in shown
    assert "1 LLM calls, 100+20 tokens" in shown


def test_no_llm_forces_the_runbook_engine(scripted_llm, tmp_path):
    result = runner.invoke(
        app,
        ["ask", "--incident", str(OOM), "--no-llm", "--json"],
        env=environment(scripted_llm, tmp_path),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mode"] == "runbook"
    assert scripted_llm.requests == []


def test_interactive_follow_ups_continue_the_conversation(scripted_llm, tmp_path):
    scripted_llm.script(
        [
            tool_calls_reply([final("worker OOMKilled")]),
            tool_calls_reply([final("the other replica restarts for the same reason")]),
        ]
    )
    result = runner.invoke(
        app,
        ["ask", "--incident", str(OOM), "-i"],
        input="and what about the other replica?\n\n",
        env=environment(scripted_llm, tmp_path),
    )
    assert result.exit_code == 0, result.output
    assert "the other replica restarts for the same reason" in result.stdout
    follow_up = scripted_llm.requests[1].body["messages"]
    assert follow_up[-1]["content"].startswith("and what about the other replica?")


def test_eval_with_the_llm_and_the_judge(scripted_llm, tmp_path):
    scripted_llm.script(
        [
            tool_calls_reply([final("embedding-worker is OOMKilled: 2Gi memory limit")]),
            text_reply(json.dumps({"verdict": "pass", "reason": "same cause"})),
        ]
    )
    out = tmp_path / "results.json"
    result = runner.invoke(
        app,
        ["eval", "--suite", str(OOM), "--llm", "--judge", "--workers", "1", "--json", str(out)],
        env=environment(scripted_llm, tmp_path),
    )
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text())[0]
    assert saved["passed"] is True
    assert saved["llm_calls"] == 1
    assert saved["judge"] == "pass: same cause"
    assert saved["diagnosis"]["mode"] == "llm"
    judged = scripted_llm.requests[1].body["messages"][0]["content"]
    assert "Known root cause" in judged


def test_ask_interactive_without_an_llm_says_what_to_set(tmp_path):
    result = runner.invoke(
        app,
        ["ask", "--incident", str(OOM), "-i"],
        env={"OPENAI_API_KEY": "", "HOME": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert "follow-ups need an LLM" in result.output
