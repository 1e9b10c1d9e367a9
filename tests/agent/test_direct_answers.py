"""Direct questions answered from the tools, end to end on replayed incidents, and rendered."""

from __future__ import annotations

from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient, LLMSettings
from holmes.agent.llm.graph import LLMAgent
from holmes.cli.render import diagnosis_markdown
from holmes.tools import default_registry
from tests.llm.scripted_server import ScriptedLLMServer, tool_calls_reply

ENGINE = RunbookEngine(default_registry())


async def investigate(tool_context, bundle: str, question: str):
    return await ENGINE.investigate(InvestigationRequest(question=question), tool_context(bundle))


async def test_the_logs_of_every_container_of_a_multi_container_pod(tool_context):
    investigation = await investigate(
        tool_context,
        "direct-logs-multi-container-ingest-gateway",
        "show me the logs of ingest-gateway in namespace data-plane",
    )
    diagnosis = investigation.diagnosis
    assert diagnosis.answer_kind == "logs"
    assert diagnosis.runbook_id is None and investigation.verdicts == []
    reads = [r for r in investigation.gatherer.results if r.tool == "kubernetes_logs"]
    assert sorted(r.arguments["container"] for r in reads) == ["envoy", "gateway"]
    assert all(r.ok for r in reads)
    by_container = {c.claim.split(":")[0]: c.evidence_ids for c in diagnosis.evidence}
    gateway = next(ids for claim, ids in by_container.items() if claim.endswith("gateway"))
    assert gateway == [next(r.evidence_id for r in reads if r.arguments["container"] == "gateway")]
    assert "connection refused" in diagnosis.root_cause
    assert "batch dropped after 5 retries" in diagnosis.root_cause
    # a retry logged every minute is quoted once
    assert diagnosis.root_cause.count("produce failed") == 2
    assert "envoy" in diagnosis.root_cause


async def test_errors_in_logs_that_have_none(tool_context):
    diagnosis = (
        await investigate(
            tool_context,
            "direct-logs-multi-container-ingest-gateway",
            "what errors are in the logs of dedupe-cache in data-plane?",
        )
    ).diagnosis
    assert diagnosis.answer_kind == "log_errors"
    assert diagnosis.fault_found is False
    assert diagnosis.root_cause.startswith("No error, exception or warning lines")


async def test_which_pods_are_not_ready(tool_context):
    investigation = await investigate(
        tool_context,
        "direct-not-ready-pods-team-a",
        "which pods in the team-a namespace are not ready?",
    )
    diagnosis = investigation.diagnosis
    assert diagnosis.answer_kind == "not_ready"
    listed = [c.claim.split(":")[0] for c in diagnosis.evidence]
    assert listed == [
        "team-a/report-worker-6c7d8e9f0a-x7k2p",
        "team-a/api-7d8e9f0a1b-x7k2p",
        "team-a/nightly-trainer-8e9f0a1b2c-x7k2p",
    ]
    assert "Insufficient cpu" in diagnosis.root_cause
    assert "oauth2-proxy running, not ready" in diagnosis.root_cause
    listing = next(
        r
        for r in investigation.gatherer.results
        if r.tool == "kubernetes_list" and r.arguments.get("namespace") == "team-a"
    )
    assert all(listing.evidence_id in c.evidence_ids for c in diagnosis.evidence)
    assert "3 of 7 pod(s)" in diagnosis.root_cause  # the Completed job pod counts, ready or not


async def test_what_changed_in_the_window(tool_context):
    diagnosis = (
        await investigate(
            tool_context,
            "crashloop-app-error-configmap-named-vllm-runtime",
            "what changed in llm-serving in the last hour?",
        )
    ).diagnosis
    assert diagnosis.answer_kind == "changes"
    assert "ConfigMap llm-serving/vllm-runtime-config changed 26m ago" in diagnosis.root_cause
    assert "litellm-routes" not in diagnosis.root_cause  # written 20 days ago
    assert "BackOff" in diagnosis.root_cause


async def test_a_direct_question_about_a_missing_name_says_it_is_missing(tool_context):
    diagnosis = (
        await investigate(
            tool_context,
            "direct-logs-multi-container-ingest-gateway",
            "show me the logs of ingest-gatewey-v2 in namespace data-plane",
        )
    ).diagnosis
    assert diagnosis.answer_kind == "diagnosis"
    assert diagnosis.fault_found is False
    assert "ingest-gatewey-v2" in diagnosis.root_cause
    assert "Deployment data-plane/ingest-gateway" in diagnosis.explanation


async def test_a_direct_answer_renders_as_the_answer_not_a_root_cause(tool_context):
    diagnosis = (
        await investigate(
            tool_context, "direct-not-ready-pods-team-a", "which pods in team-a are not ready?"
        )
    ).diagnosis
    text = diagnosis_markdown(diagnosis)
    assert text.startswith("## Pods of namespace team-a that are not ready: 3 of 7")
    assert "**Root cause:**" not in text
    assert "report-worker-6c7d8e9f0a-x7k2p" in text


async def test_with_an_llm_the_direct_answer_and_its_evidence_come_first(tool_context):
    final = {
        "summary": "report-worker, api and nightly-trainer are not ready",
        "root_cause": "3 pods of team-a are not ready: report-worker, api, nightly-trainer",
        "claims": [{"claim": "report-worker is in CrashLoopBackOff", "evidence_ids": ["E12"]}],
        "confidence": "high",
        "fault_found": True,
    }
    with ScriptedLLMServer() as server:
        server.script([tool_calls_reply([("final_answer", final)])])
        settings = LLMSettings(
            provider="compatible", model="m", base_url=server.url, timeout_seconds=5.0
        )
        agent = LLMAgent(ENGINE, LLMClient(settings, backoff_base_seconds=0.01))
        diagnosis = await agent.investigate(
            InvestigationRequest(question="which pods in team-a are not ready?"),
            tool_context("direct-not-ready-pods-team-a"),
        )
        first = server.requests[0].body["messages"][1]["content"]
    assert "## Direct question (not ready), not a diagnosis" in first
    assert "report-worker-6c7d8e9f0a-x7k2p: CrashLoopBackOff" in first
    assert diagnosis.mode == "llm" and diagnosis.answer_kind == "not_ready"
