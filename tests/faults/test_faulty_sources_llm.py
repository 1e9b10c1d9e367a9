"""In LLM mode too, a failed source is named to the model and "no fault" is not the answer.

The XID 79 incident with Prometheus answering HTTP 500, through the real agent graph and the
real openai client against the scripted model server: the first message tells the model which
source failed and what it left unchecked; a model that still answers "nothing is wrong" gets
that answer qualified; a model that fails leaves the runbook engine's answer, which says it too.
"""

from __future__ import annotations

import re

from holmes.agent.llm import LLMClient, LLMSettings
from holmes.agent.llm.graph import LLMAgent
from holmes.cli.render import diagnosis_markdown
from holmes.evals import load_bundle
from holmes.evals.runner import request_for
from holmes.tools import Limits, ToolContext
from tests.conftest import INCIDENTS
from tests.faults.conftest import ENGINE, TOOL_TIMEOUT, swapped
from tests.llm.scripted_server import error, scripted_llm, tool_calls_reply

__all__ = ["scripted_llm"]  # the fixture

XID = "gpu-xid-79-node-3"
HEALTHY_ANSWER = {
    "summary": "No fault found: the job looks healthy",
    "root_cause": "No fault found: Job ml/llama-finetune looks healthy",
    "explanation": "Both pods are Running and ready with no restarts.",
    "claims": [],
    "confidence": "medium",
    "fault_found": False,
}


async def investigate(server, replayed, tmp_path):
    settings = LLMSettings(
        provider="compatible", model="gpt-4o-mini", base_url=server.url, max_retries=0
    )
    agent = LLMAgent(ENGINE, LLMClient(settings, backoff_base_seconds=0.01))
    endpoints = replayed(XID)
    with swapped(endpoints, {"prometheus": "http500"}, tmp_path) as sources:
        ctx = ToolContext(sources, now=endpoints.time, limits=Limits(timeout_seconds=TOOL_TIMEOUT))
        try:
            request = request_for(load_bundle(INCIDENTS / XID))
            return await agent.investigate(request, ctx), sources.prometheus_url
        finally:
            await ctx.aclose()


async def test_the_model_is_told_and_its_no_fault_answer_is_qualified(
    scripted_llm, replayed, tmp_path
):
    scripted_llm.script([tool_calls_reply([("final_answer", HEALTHY_ANSWER)])])
    diagnosis, url = await investigate(scripted_llm, replayed, tmp_path)
    prompt = scripted_llm.requests[0].body["messages"][1]["content"]
    assert "## Sources unavailable (their evidence is missing)" in prompt
    assert f"- prometheus (server_error): prometheus at {url} answered HTTP 500" in prompt
    assert re.search(r"not checked: .*GPU faults that recur", prompt)
    assert re.search(r"not checked: .*GPU Xid error", prompt)
    assert diagnosis.mode == "llm"
    assert diagnosis.unverified and not diagnosis.fault_found
    assert diagnosis.confidence == "low"
    assert diagnosis.summary == "Could not rule out a fault: prometheus unavailable"
    # in the order the runbooks were tried, which ranking decides
    could_not = re.search(r"Could not check (.*?): prometheus at (\S+)", diagnosis.root_cause)
    assert could_not is not None and could_not.group(2) == url
    assert set(could_not.group(1).split(", ")) == {
        "GPU faults that recur",
        "GPU Xid error",
        "GPUs throttled",
    }
    assert "Both pods are Running" in diagnosis.explanation  # the model's reading is kept
    text = diagnosis_markdown(diagnosis).lower()
    assert "no fault found" not in text and "looks healthy" not in text


async def test_the_fallback_answer_names_the_source_too(scripted_llm, replayed, tmp_path):
    scripted_llm.script([error(500)])
    diagnosis, url = await investigate(scripted_llm, replayed, tmp_path)
    assert diagnosis.mode == "llm_fallback"
    assert diagnosis.unverified
    assert diagnosis.summary.startswith("Could not rule out a fault for Job ml/llama-finetune")
    assert [s.endpoint for s in diagnosis.sources_unavailable if s.source == "prometheus"] == [url]
