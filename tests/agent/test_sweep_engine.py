"""The engine's evidence sweep end to end, over replayed incidents: it runs only when no runbook
finding holds, reads every container, and each claim cites the calls that show it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.evals.runner import run_incident
from tests.conftest import REPO

INCIDENTS = REPO / "evals" / "incidents"


def _answer(incident: str) -> Diagnosis:
    result = run_incident(INCIDENTS / incident, RunbookEngine().diagnose)
    assert result.diagnosis is not None, result.error
    return result.diagnosis


def _calls(diagnosis: Diagnosis, evidence_ids: list[str]) -> list[tuple[str, dict]]:
    by_id = {call.evidence_id: call for call in diagnosis.calls}
    return [(by_id[i].tool, by_id[i].arguments) for i in evidence_ids]


def test_the_sidecar_that_holds_the_fault_is_read_and_cited() -> None:
    diagnosis = _answer("sweep-inference-router-envoy-sidecar-refused")
    assert diagnosis.fault_found and diagnosis.confidence == "low"
    assert diagnosis.runbook_id is None
    cited = _calls(diagnosis, diagnosis.evidence[0].evidence_ids)
    assert cited and all(tool == "kubernetes_logs" for tool, _ in cited)
    assert {args["container"] for _, args in cited} == {"envoy"}
    read = [c.arguments.get("container") for c in diagnosis.calls if c.tool == "kubernetes_logs"]
    assert {"router", "envoy"} <= set(read)  # every container was read, not only the first


def test_a_rollout_in_the_window_corroborates_the_log_symptom() -> None:
    diagnosis = _answer("sweep-payments-gateway-rollout-timeout-env")
    assert diagnosis.confidence == "medium"
    tools = {
        tool for claim in diagnosis.evidence for tool, _ in _calls(diagnosis, claim.evidence_ids)
    }
    assert {"kubernetes_logs", "kubernetes_rollout_history"} <= tools
    assert (
        "rollout undo deployment/payments-gateway --to-revision=13" in diagnosis.remediation_text()
    )


def test_a_healthy_subject_still_abstains_and_says_what_was_swept() -> None:
    diagnosis = _answer("abstain-healthy-text-embeddings")
    assert not diagnosis.fault_found and diagnosis.confidence == "none"
    assert "Also swept" in diagnosis.explanation
    swept = diagnosis.evidence[-1]
    assert swept.claim.startswith("Swept with no decisive signal")
    pod = "text-embeddings-wz7k67jnn-2fk9d"
    call = {"namespace": "kb", "name": pod, "container": "tei", "since": "1h"}
    assert ("kubernetes_logs", call) in _calls(diagnosis, swept.evidence_ids)


def test_no_sweep_when_a_runbook_finding_holds() -> None:
    diagnosis = _answer("crashloop-config-error")
    assert diagnosis.runbook_id is not None
    swept_tools = {"kubernetes_autoscalers", "kubernetes_rollout_history"}
    assert not swept_tools & {call.tool for call in diagnosis.calls}


def _throttled_half_an_hour_ago(folder: Path, question: str) -> Path:
    """The checkout incident with its throttling moved to an episode 35 to 25 minutes before the
    question (a tenth of that rate before and after), asked with `question`."""
    shutil.copytree(INCIDENTS / "sweep-checkout-api-cpu-throttled-latency", folder)
    series_file = folder / "prometheus" / "series.yaml"
    series = yaml.safe_load(series_file.read_text())
    for entry in series["series"]:
        if entry["series"].startswith("container_cpu_cfs_throttled_periods_total"):
            base = int(entry["values"].split("+")[0])
            # 121 samples 30 s apart: 50 quiet, 20 throttled (60% of 300 periods), 51 quiet.
            entry["values"] = f"{base}+10x49 {base + 500}+180x19 {base + 4100}+10x50"
    series_file.write_text(yaml.safe_dump(series, sort_keys=False))
    incident = yaml.safe_load((folder / "incident.yaml").read_text())
    incident.update(id=folder.name, question=question)
    (folder / "incident.yaml").write_text(yaml.safe_dump(incident, sort_keys=False))
    return folder


def test_a_throttling_episode_in_the_window_is_seen_with_when_it_peaked(tmp_path) -> None:
    asked = "Why was checkout-api in namespace shop slow in the last hour?"
    bundle = _throttled_half_an_hour_ago(tmp_path / "throttled-earlier", asked)
    result = run_incident(bundle, RunbookEngine().diagnose)
    assert result.diagnosis is not None, result.error
    claims = [e.claim for e in result.diagnosis.evidence if "CPU-throttled" in e.claim]
    assert claims, result.diagnosis.root_cause
    assert re.search(
        r"worst 5 minutes of the last 1h \(ending \S+Z, (2[5-9]|3[0-5])m ago\)", claims[0]
    )
    assert re.search(r"(5[5-9]|60)% of its CFS periods", claims[0])
    # Asked about the last 20 minutes only, the episode is outside the window.
    recent = _throttled_half_an_hour_ago(
        tmp_path / "throttled-before-window",
        "Why is checkout-api in namespace shop slow in the last 20 minutes?",
    )
    later = run_incident(recent, RunbookEngine().diagnose).diagnosis
    assert later is not None
    assert not [e for e in later.evidence if "CPU-throttled" in e.claim and "60%" in e.claim]
