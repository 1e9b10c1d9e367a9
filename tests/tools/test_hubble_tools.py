"""The Hubble tools through the registry against the Hubble replay, over real gRPC on loopback.

`hubble-policy-denied` (evals/incidents) has frontend -> backend TCP 8080 dropped with
POLICY_DENIED plus DNS, forwarded and host noise; the bundles in tests/tools/bundles add
AUTH_REQUIRED drops under SPIRE with lost events, DNS failures, and HTTP 5xx with latency.
Expected values are computed here from the bundles' JSON lines, without our code.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from holmes.tools.base import ToolResult
from holmes.tools.context import Limits, ToolContext
from holmes.tools.hubble import TOOLS
from holmes.tools.registry import ToolRegistry
from tests.conftest import INCIDENTS

BUNDLES = Path(__file__).parent / "bundles"
SAMPLE = "hubble-policy-denied"
REGISTRY = ToolRegistry(TOOLS)


def recorded_flows(bundle: str | Path) -> list[dict[str, Any]]:
    """The bundle's flows in time order, as the JSON lines say."""
    path = Path(bundle) if Path(bundle).is_absolute() else INCIDENTS / bundle
    lines = [json.loads(line) for line in (path / "hubble" / "flows.jsonl").open()]
    return sorted((line["flow"] for line in lines if "flow" in line), key=lambda f: f["time"])


def at(flow: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(flow["time"][:26] + "Z")


@pytest.fixture
async def call(
    tool_context: Callable[..., ToolContext],
) -> AsyncIterator[Callable[..., Any]]:
    """`await call(tool, bundle, limits=None, **arguments)`; contexts are closed afterwards."""
    contexts: list[ToolContext] = []

    async def invoke(
        tool: str, bundle: str | Path = SAMPLE, limits: Limits | None = None, **arguments: Any
    ) -> ToolResult:
        ctx = tool_context(bundle, limits)
        contexts.append(ctx)
        result = await REGISTRY.invoke(tool, arguments, ctx)
        assert result.ok, result.error
        return result

    yield invoke
    for ctx in contexts:
        await ctx.aclose()


def flow_lines(result: ToolResult) -> list[str]:
    return [line for line in result.text.splitlines() if line.startswith("20")]


# -- hubble_flows -------------------------------------------------------------------------------


async def test_dropped_to_backend_are_exactly_the_recorded_dropped_syns(call) -> None:
    expected = [
        f["uuid"]
        for f in recorded_flows(SAMPLE)
        if f.get("verdict") == "DROPPED"
        and f["destination"].get("namespace") == "shop"
        and f["destination"].get("pod_name", "").startswith("backend")
    ]
    result = await call(
        "hubble_flows",
        limits=Limits(max_output_chars=30000),
        verdict="DROPPED",
        to_pod="shop/backend",
        number=200,
    )
    assert [flow["uuid"] for flow in result.data["flows"]] == expected
    lines = flow_lines(result)
    assert len(lines) == len(expected) == 88
    assert all(
        " -> shop/backend-" in line and ":8080 TCP SYN INGRESS DROPPED POLICY_DENIED" in line
        for line in lines
    )
    assert lines[-1] == (
        "2026-09-02T16:04:50.005Z shop/frontend-6c9f7d8b5-k7p2m:45891 -> "
        "shop/backend-58d4b9c7f6-x2x9q:8080 TCP SYN INGRESS DROPPED POLICY_DENIED node=kind-worker2"
    )
    header = result.text.splitlines()
    assert header[0].startswith(
        "Hubble flows [to_pod=shop/backend verdict=DROPPED]: 88 flows, the last matching"
    )
    assert header[0].endswith("(10s ago): 88 DROPPED")
    assert header[1].startswith("POLICY_DENIED (133, Policy denied): no allow rule matched")


async def test_lines_beyond_the_output_limit_are_left_out_oldest_first(call) -> None:
    result = await call("hubble_flows", verdict="DROPPED", to_pod="shop/backend", number=200)
    lines = flow_lines(result)
    assert not result.truncated and len(result.text) <= 4000
    assert f"{88 - len(lines)} earlier flows not shown (output limit)" in result.text
    assert lines[-1].startswith("2026-09-02T16:04:50.005Z")


async def test_namespace_matches_either_side(call) -> None:
    expected = [
        f["uuid"]
        for f in recorded_flows(SAMPLE)
        if "kube-system" in (f["source"].get("namespace"), f["destination"].get("namespace"))
    ]
    result = await call("hubble_flows", namespace="kube-system", number=200)
    assert [flow["uuid"] for flow in result.data["flows"]] == expected
    assert len(expected) == 22


async def test_label_selectors_pick_the_endpoints(call) -> None:
    expected = [
        f["uuid"]
        for f in recorded_flows(SAMPLE)
        if "k8s:app=frontend" in f["source"].get("labels", [])
        and "k8s:app=backend" in f["destination"].get("labels", [])
    ]
    result = await call(
        "hubble_flows", from_label="app=frontend", to_label="k8s:app=backend", number=200
    )
    assert [flow["uuid"] for flow in result.data["flows"]] == expected
    assert len(expected) == 88


async def test_number_takes_the_last_and_first_the_oldest(call) -> None:
    flows = recorded_flows(SAMPLE)
    last = await call("hubble_flows", number=3)
    first = await call("hubble_flows", number=3, first=True)
    assert [f["uuid"] for f in last.data["flows"]] == [f["uuid"] for f in flows[-3:]]
    assert [f["uuid"] for f in first.data["flows"]] == [f["uuid"] for f in flows[:3]]
    assert "3 flows, the first matching (more may match)" in first.text


async def test_since_and_until_bound_the_window_at_the_incident_clock(call) -> None:
    flows = recorded_flows(SAMPLE)
    now = datetime(2026, 9, 2, 16, 5, tzinfo=UTC)
    recent = await call("hubble_flows", since="2m", number=200)
    assert [f["uuid"] for f in recent.data["flows"]] == [
        f["uuid"] for f in flows if at(f) >= now - timedelta(minutes=2)
    ]
    until = datetime(2026, 9, 2, 16, 0, tzinfo=UTC)
    before = await call("hubble_flows", until="2026-09-02T16:00:00Z", number=5)
    assert [f["uuid"] for f in before.data["flows"]] == [
        f["uuid"] for f in flows if at(f) <= until
    ][-5:]


async def test_a_window_read_only_in_part_is_said(call) -> None:
    # With `until`, the window is read forward up to 10 x max_items flows, and that is said.
    result = await call(
        "hubble_flows", limits=Limits(max_items=2), until="2026-09-02T16:00:00Z", number=2
    )
    assert len(result.data["flows"]) == 2 and result.data["scan_cut"]
    assert (
        "Only the first 20 flows of the window were read (bound); later flows were not seen"
    ) in result.text


async def test_dns_answers_show_query_rcode_and_addresses(call) -> None:
    result = await call("hubble_flows", protocol="dns", dns_query="backend", number=4)
    lines = flow_lines(result)
    assert any(
        "kube-system/coredns-7db6d8ff4d-8lqzt:53 -> shop/frontend-6c9f7d8b5-abcde:" in line
        and "DNS NOERROR backend.shop.svc.cluster.local. A -> 10.96.112.40" in line
        for line in lines
    )
    assert any("DNS query backend.shop.svc.cluster.local. A" in line for line in lines)


async def test_no_match_says_so(call) -> None:
    result = await call("hubble_flows", namespace="nowhere")
    assert result.data["flows"] == []
    assert "No flow matched" in result.text


async def test_auth_required_flows_carry_spire_and_the_policy(call) -> None:
    result = await call(
        "hubble_flows", BUNDLES / "hubble-auth-required", drop_reason="AUTH_REQUIRED", number=50
    )
    assert "AUTH_REQUIRED (189, Authentication required): the policy rule requires mutual" in (
        result.text
    )
    assert "Evidence may be incomplete: Hubble lost 42 events: 42 on worker-b" in result.text
    lines = flow_lines(result)
    assert all("-> shop/cart-0:8080 TCP SYN" in line for line in lines)
    assert all("DROPPED AUTH_REQUIRED auth=SPIRE node=worker-b" in line for line in lines)
    assert any("policy-verdict" in line and "shop/cart-requires-mtls" in line for line in lines)


async def test_http_5xx_filter_and_l7_line(call) -> None:
    result = await call("hubble_flows", BUNDLES / "hubble-http-5xx", http_status="5+", number=200)
    recorded = [
        f
        for f in recorded_flows(BUNDLES / "hubble-http-5xx")
        if f.get("l7", {}).get("http", {}).get("code", 0) >= 500
    ]
    assert len(result.data["flows"]) == len(recorded) == 20
    assert (
        "serving/llama-70b-6b7c8d9f4-p9o8i:8000 -> serving/inference-gateway-7c9d8b6f5-h4j5k:"
        in flow_lines(result)[-1]
    )
    assert "HTTP response 504 POST http://llama-70b.serving.svc:8000/v1/completions 30s" in (
        result.text
    )


# -- hubble_flow_summary ------------------------------------------------------------------------


async def test_summary_leads_with_the_policy_denied_drops(call) -> None:
    result = await call("hubble_flow_summary")
    lines = result.text.splitlines()
    flows = recorded_flows(SAMPLE)
    dropped = sum(1 for f in flows if f.get("verdict") == "DROPPED")
    denied = sum(1 for f in flows if f.get("drop_reason_desc") == "POLICY_DENIED")
    assert lines[0].startswith(f"Hubble flow summary [no filters]: {len(flows)} flows")
    assert lines[0].endswith(f"{dropped} DROPPED, {len(flows) - dropped} FORWARDED")
    assert lines[1] == (
        f"DROPPED {denied}: POLICY_DENIED (133, Policy denied): no allow rule matched while a "
        "policy selects the endpoint (default deny): a network policy blocks this traffic"
    )
    assert lines[2].startswith(f"  {denied} shop/frontend -> shop/backend TCP/8080 INGRESS")
    # The benign host noise comes after, and is said to be noise.
    assert lines[3].startswith("DROPPED 6: UNSUPPORTED_L3_PROTOCOL (139")
    assert "often harmless noise" in lines[3]
    assert (
        "DNS backend.shop.svc.cluster.local. A: 11 requests, responses NOERROR 11 -> "
        "10.96.112.40 from shop/frontend"
    ) in lines
    assert "Policies: ingress-allowed-by=shop/backend-ingress (9 flows)" in lines
    assert result.data["summary"]["verdicts"] == {"DROPPED": dropped, "FORWARDED": 70}


async def test_summary_of_auth_required_says_spire_and_incomplete(call) -> None:
    result = await call("hubble_flow_summary", BUNDLES / "hubble-auth-required", namespace="shop")
    lines = result.text.splitlines()
    assert lines[1] == (
        "Evidence may be incomplete: Hubble lost 42 events: 42 on worker-b (HUBBLE_RING_BUFFER)"
    )
    assert lines[2].startswith("DROPPED 48: AUTH_REQUIRED (189, Authentication required)")
    assert "SPIRE unhealthy" in lines[2] and "port 4250" in lines[2]
    assert lines[3].startswith("  48 shop/frontend -> shop/cart TCP/8080 INGRESS node worker-b")
    assert "Mutual authentication required on 48 flows (SPIRE)" in lines
    assert "Policies: ingress-allowed-by=shop/cart-requires-mtls (24 flows)" in lines


async def test_summary_of_dns_failures_leads_with_the_failing_names(call) -> None:
    result = await call("hubble_flow_summary", BUNDLES / "hubble-dns-failures", namespace="ml")
    lines = result.text.splitlines()
    assert lines[1].startswith("DROPPED 12: POLICY_DENIED (133")
    assert lines[2].startswith("  12 ml/data-loader -> kube-system/coredns UDP/53 EGRESS")
    dns = [line for line in lines if line.startswith("DNS ")]
    assert dns[:2] == [
        "DNS dataset-store.ml-data.svc.cluster.local. A: 12 requests, responses NXDOMAIN 12 "
        "from ml/trainer",
        "DNS dataset-store.ml-data.ml.svc.cluster.local. A: 12 requests, responses NXDOMAIN 12 "
        "from ml/trainer",
    ]
    assert (
        "DNS metadata.google.internal. A: 6 requests, 6 without a response (timeout or dropped) "
        "from ml/trainer"
    ) in dns
    assert (
        "DNS s3.us-east-1.amazonaws.com. A: 4 requests, responses SERVFAIL 4 from ml/trainer"
        in (dns)
    )
    assert dns[-1].startswith("DNS kubernetes.default.svc.cluster.local. A: 3 requests, respon")


def _nearest_rank(values: list[int], share: float) -> int:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil(share * n), at least 1
    return ordered[int(rank) - 1]


async def test_summary_of_http_gives_status_classes_and_latency(call) -> None:
    bundle = BUNDLES / "hubble-http-5xx"
    responses = [
        f["l7"]
        for f in recorded_flows(bundle)
        if f.get("l7", {}).get("type") == "RESPONSE" and f["source"]["pod_name"].startswith("llama")
    ]
    latencies = [int(l7["latency_ns"]) for l7 in responses]
    assert _nearest_rank(latencies, 0.5) == 243_000_000  # what the line below says: 243ms
    assert _nearest_rank(latencies, 0.95) == max(latencies) == 30_000_000_000
    result = await call("hubble_flow_summary", bundle)
    lines = result.text.splitlines()
    assert lines[1] == (
        "HTTP serving/llama-70b:8000: 50 responses (5xx 20 (503 x15, 504 x5), 2xx 30), "
        "50 requests; latency p50 243ms p95 30s max 30s"
    )
    assert lines[2].startswith("HTTP serving/tokenizer:8080: 25 responses (2xx 25)")


async def test_summary_bound_is_said(call) -> None:
    result = await call("hubble_flow_summary", max_flows=50)
    assert result.text.splitlines()[1] == (
        "Bound reached: read the latest 50 matching flows; older ones were not counted "
        "(narrow the filters or the window)"
    )


# -- hubble_server_status -----------------------------------------------------------------------


async def test_server_status_counts_flows_nodes_and_namespaces(call) -> None:
    flows = recorded_flows(SAMPLE)
    nodes = sorted({f["node_name"] for f in flows})
    result = await call("hubble_server_status")
    lines = result.text.splitlines()
    assert lines[0].startswith("Hubble at 127.0.0.1:")
    assert f": {len(flows)} flows in the buffer of {4095 * len(nodes)}" in lines[0]
    assert f"{len(flows)} seen since start" in lines[0]
    assert lines[1] == f"Nodes: {len(nodes)} connected, 0 unavailable"
    for node in nodes:
        count = sum(1 for f in flows if f["node_name"] == node)
        assert f"node {node}: connected, {count} flows of 4095, {count} seen" in result.text
    assert lines[-1] == "Namespaces with flows in the last hour: kube-system, monitoring, shop"
