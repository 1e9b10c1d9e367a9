"""The eval runner on an incident holding a whole webhook body: every alert is investigated
as its own request, each answer scored against its own expectation, and one failing alert
fails the incident (named in the result and by `holmes eval -v`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.cli.main import app
from holmes.evals.bundle import load_bundle
from holmes.evals.runner import requests_for, run_incident
from holmes.tools import ToolContext

GROUPED = Path("evals/incidents/grouped-alerts-ranking-job-failed-and-crashloop")
JOB_FP, CRASH_FP = "4e1b7a90c3d25f68", "a93d05c7e18f2b46"


def _copy(tmp_path: Path, change: Any) -> Path:
    folder = tmp_path / GROUPED.name
    shutil.copytree(GROUPED, folder)
    raw = yaml.safe_load((folder / "incident.yaml").read_text())
    change(raw)
    (folder / "incident.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return folder


def _recording_engine() -> tuple[RunbookEngine, list[InvestigationRequest]]:
    engine = RunbookEngine()
    seen: list[InvestigationRequest] = []
    diagnose = engine.diagnose

    async def investigate(request: InvestigationRequest, ctx: ToolContext) -> Diagnosis:
        seen.append(request)
        return await diagnose(request, ctx)

    engine.diagnose = investigate  # type: ignore[method-assign]
    return engine, seen


def test_each_alert_investigated_and_scored_on_its_own() -> None:
    engine, seen = _recording_engine()
    result = run_incident(GROUPED, engine.diagnose)
    assert [r.alert.name for r in seen if r.alert] == ["KubeJobFailed", "KubePodCrashLooping"]
    assert result.passed, result.missing
    assert [(a.alertname, a.fingerprint, a.runbook, a.passed) for a in result.alerts] == [
        ("KubeJobFailed", JOB_FP, "job-backoff-limit", True),
        ("KubePodCrashLooping", CRASH_FP, "crashloop-app-error", True),
    ]
    assert result.runbook == "job-backoff-limit, crashloop-app-error"
    assert result.tool_calls == sum(
        a.diagnosis.cost.tool_calls for a in result.alerts if a.diagnosis
    )


def test_one_failing_alert_fails_the_incident(tmp_path: Path) -> None:
    def wrong_crashloop(raw: dict[str, Any]) -> None:
        raw["expected_alerts"][CRASH_FP]["must_mention"].append("ctr-features-wk47")

    result = run_incident(_copy(tmp_path, wrong_crashloop), RunbookEngine().diagnose)
    assert not result.passed
    assert [a.passed for a in result.alerts] == [True, False]
    assert result.missing == [
        f"alerts[1] KubePodCrashLooping ({CRASH_FP}): root cause lacks 'ctr-features-wk47'"
    ]
    assert result.diagnosis is result.alerts[1].diagnosis  # the failing alert's answer


def test_swapped_expectations_fail_both_alerts(tmp_path: Path) -> None:
    def swapped(raw: dict[str, Any]) -> None:
        job, crash = raw["expected_alerts"][JOB_FP], raw["expected_alerts"][CRASH_FP]
        raw["expected_alerts"] = {JOB_FP: crash, CRASH_FP: job}

    result = run_incident(_copy(tmp_path, swapped), RunbookEngine().diagnose)
    assert [a.passed for a in result.alerts] == [False, False]
    assert (
        "runbook is 'crashloop-app-error', expected 'job-backoff-limit'" in result.alerts[1].missing
    )


def test_an_alert_with_nothing_to_check_is_unfilled(tmp_path: Path) -> None:
    def only_first(raw: dict[str, Any]) -> None:
        del raw["expected_alerts"][CRASH_FP]

    result = run_incident(_copy(tmp_path, only_first), RunbookEngine().diagnose)
    assert result.unfilled and not result.passed
    assert "alert_body.alerts[1]'s expectation is not filled in" in (result.error or "")


def test_resolved_body_answers_as_resolved(tmp_path: Path) -> None:
    def resolved(raw: dict[str, Any]) -> None:
        raw["alert_body"]["status"] = "resolved"
        for alert in raw["alert_body"]["alerts"]:
            alert.update(status="resolved", endsAt="2026-11-20T13:44:10Z")

    folder = _copy(tmp_path, resolved)
    assert all(r.alert and r.alert.resolved for r in requests_for(load_bundle(folder)))
    result = run_incident(folder, RunbookEngine().diagnose)
    assert result.passed, result.missing  # what it was about is still found
    for alert in result.alerts:
        assert alert.status == "resolved" and alert.diagnosis is not None
        assert alert.diagnosis.summary.startswith("Resolved")
        assert "does not claim that the fault is still active" in alert.diagnosis.notes[0]


def test_eval_verbose_names_the_failing_alert(tmp_path: Path) -> None:
    def wrong_job(raw: dict[str, Any]) -> None:
        raw["expected_alerts"][JOB_FP]["runbook"] = "oom-killed"

    folder = _copy(tmp_path, wrong_job)
    out = tmp_path / "results.json"
    ran = CliRunner().invoke(
        app,
        ["eval", "--suite", str(folder), "-v", "--json", str(out)],
        env={"COLUMNS": "200"},
    )
    assert ran.exit_code == 1, ran.output
    assert f"alerts[0] KubeJobFailed ({JOB_FP}): FAIL" in ran.output
    assert f"alerts[1] KubePodCrashLooping ({CRASH_FP}): pass" in ran.output
    saved = json.loads(out.read_text())[0]
    assert [a["passed"] for a in saved["alerts"]] == [False, True]


def test_ask_incident_investigates_every_alert_of_the_body() -> None:
    ran = CliRunner().invoke(
        app, ["ask", "--no-llm", "--json", "--incident", str(GROUPED)], terminal_width=200
    )
    assert ran.exit_code == 0, ran.output
    start = ran.stdout.index("[")
    answers = json.loads(ran.stdout[start:])
    assert [a["runbook_id"] for a in answers] == ["job-backoff-limit", "crashloop-app-error"]


def test_ask_alert_on_a_resolved_body_says_it_resolved(tmp_path: Path) -> None:
    raw = yaml.safe_load((GROUPED / "incident.yaml").read_text())
    body = raw["alert_body"]
    body["status"] = "resolved"
    for alert in body["alerts"]:
        alert.update(status="resolved", endsAt="2026-11-20T13:44:10Z")
    payload = tmp_path / "resolved.json"
    payload.write_text(json.dumps(body))
    ran = CliRunner().invoke(
        app,
        ["ask", "--no-llm", "--incident", str(GROUPED), "--alert", str(payload), "--json"],
        env={"COLUMNS": "200"},
    )
    assert ran.exit_code == 0, ran.output
    assert "investigating (1 of 2) with the runbook engine: resolved alert KubeJobFailed" in (
        ran.stderr
    )
    answers = json.loads(ran.stdout[ran.stdout.index("[") :])
    assert [a["runbook_id"] for a in answers] == ["job-backoff-limit", "crashloop-app-error"]
    for answer in answers:
        assert answer["summary"].startswith("Resolved")
        assert answer["root_cause"].startswith("What the resolved alert was about: ")
        assert "2026-11-20T13:44:10+00:00" in answer["notes"][0]
