"""The tools offered in a small share of the request, and requests fitted to the window."""

from __future__ import annotations

import json

from holmes.agent.llm.budget import estimate_request
from holmes.agent.llm.fitting import CUT_MARK, TokenScale, fit_messages
from holmes.agent.llm.offer import lean_schema, offered_tools
from holmes.tools import SourceEndpoints, default_registry

REGISTRY = default_registry()


def test_lean_schemas_keep_names_types_enums_and_required_only():
    full = next(t for t in REGISTRY.tools() if t.name == "hubble_flows").json_schema()
    lean = lean_schema(full)
    assert len(json.dumps(lean)) < 0.65 * len(json.dumps(full))
    properties = lean["function"]["parameters"]["properties"]
    assert set(properties) == set(full["function"]["parameters"]["properties"])
    assert "DROPPED" in properties["verdict"]["enum"]
    assert all("pattern" not in p and "maximum" not in p for p in properties.values())
    assert all(len(p.get("description", "")) <= 70 for p in properties.values())


def test_the_local_profile_offers_the_used_tools_first():
    endpoints = SourceEndpoints(
        in_cluster=True, prometheus_url="http://127.0.0.1:9", hubble_address="127.0.0.1:9"
    )
    used = ["hubble_flows", "prometheus_gpu_health"]
    tools = offered_tools(REGISTRY, endpoints, used=used, max_tools=3)
    names = [t["function"]["name"] for t in tools]
    assert len(names) == 4 and names[-1] == "final_answer"
    assert {"hubble_flows", "prometheus_gpu_health"} <= set(names)


def messages(evidence_chars: int) -> list[dict]:
    return [
        {"role": "system", "content": "You are holmes."},
        {"role": "user", "content": "## Evidence\n" + "e" * evidence_chars},
        {"role": "assistant", "content": None, "tool_calls": []},
        {"role": "tool", "tool_call_id": "c1", "content": "log line\n" * 2000},
    ]


def test_fit_cuts_the_longest_messages_until_the_request_fits():
    scale = TokenScale()
    original = messages(30_000)
    fitted = fit_messages(original, [], 6000, scale)
    assert fitted is not None
    assert scale.tokens(fitted, []) <= 6000
    assert all(m["content"].endswith(CUT_MARK) for m in fitted if m["role"] in ("user", "tool"))
    assert fitted[0] == original[0]  # the system prompt is never cut
    assert len(original[1]["content"]) == 30_012  # the state's messages are left whole
    assert fit_messages(messages(30_000), [], 100, scale) is None  # cannot fit at all


def test_the_scale_learns_from_the_server_and_never_lowers():
    scale = TokenScale()
    scale.observe(estimated=1000, counted=1400)
    assert scale.ratio == 1.4
    scale.observe(estimated=1000, counted=900)
    assert scale.ratio == 1.4
    scale.overflowed(estimated=5000, counted=9481, window=8192)
    assert scale.context_tokens == 8192
    assert scale.ratio >= 9481 / 5000
    blind = TokenScale()
    blind.overflowed(estimated=5000, counted=None, window=None)
    assert blind.ratio > 1.0
    assert estimate_request(messages(100), []) < scale.tokens(messages(100), [])
