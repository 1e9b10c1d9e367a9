"""`holmes ask`, `holmes eval` and `holmes runbooks` as a user runs them, and the answer's text."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from holmes.agent.engine.diagnosis import Claim, Cost, Diagnosis, RemediationStep
from holmes.cli.main import app
from holmes.cli.render import diagnosis_markdown
from tests.conftest import INCIDENTS

runner = CliRunner()
OOM = INCIDENTS / "oom-killed-embedding-worker"


def test_ask_on_a_recorded_incident_prints_the_diagnosis_as_json():
    result = runner.invoke(
        app, ["ask", "--incident", str(INCIDENTS / "oom-killed-embedding-worker"), "--json"]
    )
    assert result.exit_code == 0, result.output
    diagnosis = Diagnosis.model_validate_json(result.stdout)
    assert diagnosis.runbook_id == "oom-killed"
    assert diagnosis.fault_found
    assert diagnosis.remediation


def test_ask_with_an_alert_file(tmp_path):
    payload = {
        "version": "4",
        "status": "firing",
        "commonLabels": {"namespace": "search"},
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": "KubePodCrashLooping",
                    "pod": "embedding-worker-7d5c8b9f64-k2x8p",
                },
                "annotations": {"summary": "Pod is crash looping."},
            }
        ],
    }
    alert = tmp_path / "alert.json"
    alert.write_text(json.dumps(payload))
    result = runner.invoke(
        app,
        [
            "ask",
            "--alert",
            str(alert),
            "--incident",
            str(INCIDENTS / "oom-killed-embedding-worker"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "OOMKilled" in result.stdout
    assert "Remediation" in result.stdout


def test_ask_names_a_bad_alert_file(tmp_path):
    alert = tmp_path / "alert.json"
    alert.write_text('{"alerts": []}')
    result = runner.invoke(app, ["ask", "--alert", str(alert)])
    assert result.exit_code == 2
    assert "alert.json" in result.output
    assert "non-empty `alerts` list" in result.output


def test_eval_of_one_incident_passes_and_writes_json(tmp_path):
    out = tmp_path / "results.json"
    result = runner.invoke(
        app, ["eval", "--suite", str(INCIDENTS / "oom-killed-embedding-worker"), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1/1 passed" in result.stdout
    saved = json.loads(out.read_text())
    assert saved[0]["incident"] == "oom-killed-embedding-worker"
    assert saved[0]["diagnosis"]["runbook_id"] == "oom-killed"


def test_eval_fails_with_exit_1_when_an_answer_misses(tmp_path):
    suite = tmp_path / "suite"
    incident = suite / "oom-killed-embedding-worker"
    source = INCIDENTS / "oom-killed-embedding-worker"
    for path in source.rglob("*"):
        if path.is_file():
            target = incident / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text()
            if path.name == "incident.yaml":
                text = text.replace("runbook: oom-killed", "runbook: gpu-xid-errors")
            target.write_text(text)
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["eval", "--suite", str(suite), "--json", str(out)])
    assert result.exit_code == 1
    assert "0/1 passed" in result.stdout
    missing = json.loads(out.read_text())[0]["missing"]
    assert missing == ["runbook is 'oom-killed', expected 'gpu-xid-errors'"]


def test_runbooks_check_names_the_broken_file(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\ntitle: x\nfindings: []\n")
    result = runner.invoke(app, ["runbooks", "check", "--runbooks", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output
    assert "findings" in result.output
    ok = runner.invoke(app, ["runbooks", "check"])
    assert ok.exit_code == 0
    assert "runbooks valid" in ok.stdout


def test_runbooks_check_tells_an_old_function_name_its_namespaced_one(tmp_path):
    (tmp_path / "old.yaml").write_text(
        "id: old-names\ntitle: x\nmatch: {keywords: [pending]}\nfindings:\n"
        '  - id: f\n    when: "size(subject.pods) > 0"\n'
        '    root_cause: "{{ scheduling_failure(first(subject.pods)) }}"\n'
    )
    result = runner.invoke(app, ["runbooks", "check", "--runbooks", str(tmp_path)])
    assert result.exit_code == 1
    assert "old.yaml" in result.output and "findings[0] (f).root_cause" in result.output
    assert "unknown function 'scheduling_failure'; did you mean 'k8s.scheduling_failure'?" in (
        " ".join(result.output.split())
    )


def test_a_diagnosis_reads_root_cause_first_then_evidence_then_remediation():
    diagnosis = Diagnosis(
        summary="Container worker is OOMKilled",
        root_cause="Container worker of pod search/w-1 is OOMKilled at its 2Gi limit.",
        explanation="Last termination OOMKilled, exit code 137.",
        evidence=[Claim(claim="worker was OOMKilled", evidence_ids=["E11", "E12"])],
        remediation=[
            RemediationStep(
                action="Raise the memory limit.",
                command="kubectl -n search set resources deployment/w --limits=memory=4Gi",
            )
        ],
        confidence="high",
        runbook_id="oom-killed",
        checked=[
            "[E11] kubernetes_describe(kind=Pod, namespace=search, name=w-1): ok",
            "[E12] kubernetes_logs(namespace=search, name=w-1, previous=True): ok",
            "[E13] prometheus_query(query=up): unavailable: prometheus is not configured",
        ],
        cost=Cost(tool_calls=12, seconds=0.25),
    )
    assert diagnosis_markdown(diagnosis) == "\n".join(
        [
            "## Container worker is OOMKilled",
            "",
            "**Root cause:** Container worker of pod search/w-1 is OOMKilled at its 2Gi limit.",
            "",
            "Last termination OOMKilled, exit code 137.",
            "",
            "### Evidence",
            "- worker was OOMKilled [E11, E12]",
            "- where the evidence comes from:",
            "  - E11: kubernetes_describe(kind=Pod, namespace=search, name=w-1)",
            "  - E12: kubernetes_logs(namespace=search, name=w-1, previous=True)",
            "",
            "### Remediation",
            "1. Raise the memory limit.",
            "",
            "   ```",
            "   kubectl -n search set resources deployment/w --limits=memory=4Gi",
            "   ```",
            "",
            "_confidence high; runbook oom-killed; runbook engine; 12 tool calls in 0.25 s_",
        ]
    )
