"""The runbook engine end to end, against replayed incidents: triage, choice, answer, abstain."""

from __future__ import annotations

import pytest

from holmes.agent.engine.intake import AlertInput, InvestigationRequest
from holmes.agent.engine.rules import load_runbooks
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.tools import default_registry

REGISTRY = default_registry()
TOOLS = [tool.name for tool in REGISTRY.tools()]

# Two runbooks whose findings both hold on any subject: only the alert can tell them apart.
LABELLED = """
id: {id}
title: {id}
match: {{alerts: [SomeAlert], labels: {{reason: '{reason}'}}}}
findings:
  - id: holds
    when: "true"
    root_cause: "chosen {id} for {{{{ alert.labels.reason }}}}"
"""


def engine_with(folder) -> RunbookEngine:
    return RunbookEngine(REGISTRY, load_runbooks([folder], tools=TOOLS, builtin=False))


async def test_a_question_with_a_name_fragment_resolves_the_pod(tool_context):
    ctx = tool_context("oom-killed-embedding-worker")
    request = InvestigationRequest(
        question="Why does the embedding worker in namespace search keep restarting?"
    )
    investigation = await RunbookEngine(REGISTRY).investigate(request, ctx)
    subject = investigation.triage.subject
    assert subject["namespace"] == "search"
    assert [w["name"] for w in subject["workloads"]] == ["embedding-worker"]
    assert subject["unhealthy_pods"][0]["name"] == "embedding-worker-7d5c8b9f64-k2x8p"
    described = [p["data"]["pod"] for p in investigation.triage.pods]
    assert "embedding-worker-7d5c8b9f64-k2x8p" in described
    assert not any(name.startswith("search-api") for name in described)
    diagnosis = investigation.diagnosis
    assert diagnosis.runbook_id == "oom-killed"
    assert "2Gi" in diagnosis.root_cause
    cited = diagnosis.evidence[0].evidence_ids
    describe_id = investigation.triage.pods[0]["id"]
    assert describe_id in cited
    assert all(investigation.gatherer.by_id(i) is not None for i in cited)
    assert diagnosis.cost.tool_calls == len(investigation.gatherer.results)


@pytest.mark.parametrize(("reason", "chosen"), [("AUTH_REQUIRED", "auth"), ("POLICY", "policy")])
async def test_alert_labels_drive_the_choice_of_runbook(runbook_dir, tool_context, reason, chosen):
    folder = runbook_dir(
        auth=LABELLED.format(id="auth", reason="^AUTH_REQUIRED$"),
        policy=LABELLED.format(id="policy", reason="^POLICY"),
    )
    alert = AlertInput(labels={"alertname": "SomeAlert", "reason": reason, "namespace": "search"})
    investigation = await engine_with(folder).investigate(
        InvestigationRequest(alert=alert), tool_context("oom-killed-embedding-worker")
    )
    assert investigation.diagnosis.runbook_id == chosen
    assert investigation.diagnosis.root_cause == f"chosen {chosen} for {reason}"
    assert any("alert labels reason" in note for note in investigation.diagnosis.notes)


async def test_a_workload_that_does_not_exist_is_reported_not_guessed(tool_context):
    ctx = tool_context("abstain-missing-workload-whisper-transcriber")
    request = InvestigationRequest(
        question="Why is the whisper-transcriber in namespace media failing?"
    )
    diagnosis = await RunbookEngine(REGISTRY).diagnose(request, ctx)
    assert diagnosis.fault_found is False
    assert diagnosis.runbook_id is None
    assert diagnosis.root_cause.startswith(
        "whisper-transcriber cannot be diagnosed: namespace media does not exist"
    )
    assert diagnosis.evidence and diagnosis.evidence[0].evidence_ids


async def test_an_unreachable_source_is_listed_not_raised(tool_context):
    ctx = tool_context("oom-killed-embedding-worker")
    ctx.endpoints.prometheus_url = None  # this bundle's Prometheus, as if not configured
    request = InvestigationRequest(question="why is embedding-worker in search restarting?")
    diagnosis = await RunbookEngine(REGISTRY).diagnose(request, ctx)
    assert diagnosis.runbook_id == "oom-killed"
    assert "prometheus" in [s.source for s in diagnosis.sources_unavailable]


async def test_without_kubernetes_the_answer_says_so_and_concludes_nothing():
    from holmes.tools import SourceEndpoints, ToolContext

    ctx = ToolContext(SourceEndpoints())  # nothing configured
    diagnosis = await RunbookEngine(REGISTRY).diagnose(
        InvestigationRequest(question="why is my job failing?"), ctx
    )
    await ctx.aclose()
    assert diagnosis.fault_found is False
    assert diagnosis.root_cause.startswith("Not determined: the Kubernetes API could not be read")
    assert "kubernetes" in [s.source for s in diagnosis.sources_unavailable]
