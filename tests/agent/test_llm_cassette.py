"""A whole investigation's HTTP exchange with a model, replayed from a vcrpy cassette.

The cassette was recorded from the scripted OpenAI-compatible server (no real model is reachable
here) with the API key filtered out; replaying it needs no server at all, so this test also pins
the exact requests the agent sends: if the agent's messages or tools change shape, the recorded
requests stop matching and the test fails. Re-record with HOLMES_RECORD_CASSETTES=1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import vcr

from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient, LLMSettings
from holmes.agent.llm.graph import LLMAgent
from holmes.tools import default_registry
from tests.llm.scripted_server import ScriptedLLMServer, tool_calls_reply

CASSETTE = Path(__file__).parent / "cassettes" / "oom-investigation.yaml"
KEY = "sk-test-not-a-real-key-0123456789"
RECORDING = os.environ.get("HOLMES_RECORD_CASSETTES") == "1"


def _script() -> list:
    answer = {
        "summary": "embedding-worker is OOMKilled",
        "root_cause": "Container worker of search/embedding-worker is OOMKilled at its 2Gi limit",
        "claims": [{"claim": "last termination OOMKilled, exit 137", "evidence_ids": ["E11"]}],
        "remediation": [{"action": "Raise the memory limit above the peak"}],
        "confidence": "high",
        "runbook_id": "oom-killed",
    }
    return [
        tool_calls_reply([("kubernetes_events", {"namespace": "search", "type": "Warning"})]),
        tool_calls_reply([("final_answer", answer)], prompt_tokens=2500, completion_tokens=90),
    ]


def _json(body) -> dict:
    return json.loads(body) if isinstance(body, (bytes, str)) else body


def same_shape(recorded, sent) -> None:
    """Requests match when they ask the same model with the same roles and tools.

    The evidence text inside the messages changes whenever a runbook gains a step, so matching
    on the whole body would make every runbook edit re-record this cassette.
    """
    a, b = _json(recorded.body), _json(sent.body)
    assert a["model"] == b["model"]
    assert [m["role"] for m in a["messages"]] == [m["role"] for m in b["messages"]]
    tools = [{t["function"]["name"] for t in body.get("tools", [])} for body in (a, b)]
    assert tools[0] == tools[1]


async def test_an_investigation_replays_from_its_cassette(tool_context):
    recorder = vcr.VCR(
        filter_headers=["authorization", "api-key"],
        match_on=["method", "path", "same_shape"],
        record_mode="all" if RECORDING else "none",
        decode_compressed_response=True,
        # Only the model's traffic is recorded; the tools still talk to the replay servers.
        before_record_request=lambda request: (
            request if request.path.endswith("/chat/completions") else None
        ),
    )
    recorder.register_matcher("same_shape", same_shape)
    server = ScriptedLLMServer() if RECORDING else None
    base_url = server.url if server else "http://127.0.0.1:9/v1"
    if server:
        server.script(_script())
    settings = LLMSettings(
        provider="compatible", model="gpt-4o-mini", base_url=base_url, api_key=KEY
    )
    agent = LLMAgent(RunbookEngine(default_registry()), LLMClient(settings))
    request = InvestigationRequest(question="Why does embedding-worker in search keep restarting?")
    try:
        with recorder.use_cassette(str(CASSETTE)) as cassette:
            diagnosis = await agent.investigate(
                request, tool_context("oom-killed-embedding-worker"), conversation_id="cassette"
            )
    finally:
        if server:
            server.close()
    assert diagnosis.mode == "llm"
    assert diagnosis.root_cause.startswith("Container worker of search/embedding-worker")
    assert diagnosis.cost.llm_calls == 2
    assert diagnosis.cost.prompt_tokens == 2600
    assert cassette.play_count == 2 or RECORDING
    recorded = CASSETTE.read_text()
    assert KEY not in recorded
    assert "authorization" not in recorded.lower()
    first = _json(cassette.requests[0].body)
    assert first["model"] == "gpt-4o-mini"
    assert first["messages"][0]["role"] == "system"
