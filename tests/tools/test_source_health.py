"""A source's health across the calls of one investigation: recorded, and a dead one skipped.

Against the faulty servers of `tests/faults/servers.py` on loopback, through the registry: a
hung or refused source costs one timeout, then fails at once with the same reason (and calls
already waiting on it are released); a source that answered badly is recorded but asked again;
an error of the call (a missing object, a bad query) is no fault of the source.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from holmes.tools import Limits, SourceEndpoints, ToolContext, default_registry, probe_sources
from tests.faults.servers import closed_port, faulty_http, faulty_hubble, write_kubeconfig

REGISTRY = default_registry()
NOW = datetime(2026, 3, 18, 14, 32, tzinfo=UTC)


def context(timeout: float = 1.0, **endpoints: object) -> ToolContext:
    return ToolContext(
        SourceEndpoints(**endpoints), now=NOW, limits=Limits(timeout_seconds=timeout)
    )


async def timed(name: str, arguments: dict, ctx: ToolContext):
    started = time.perf_counter()
    result = await REGISTRY.invoke(name, arguments, ctx)
    return result, time.perf_counter() - started


@pytest.mark.slow
async def test_a_hung_source_costs_one_timeout_then_fails_at_once() -> None:
    with faulty_http("hang") as url:
        ctx = context(prometheus_url=url)
        first, first_seconds = await timed("prometheus_query", {"query": "up"}, ctx)
        second, second_seconds = await timed("prometheus_gpu_health", {}, ctx)
        await ctx.aclose()
    assert first.error is not None and first.error.fault == "timeout"
    assert 0.8 < first_seconds < 1.3
    assert second.error is not None and second.error.kind == "timeout"
    assert second.error.message == first.error.message + (
        " (an earlier call found this; not asked again)"
    )
    assert second_seconds < 0.1
    [degraded] = ctx.health.degraded()
    assert (degraded.source, degraded.fault, degraded.endpoint) == ("prometheus", "timeout", url)


@pytest.mark.slow
async def test_a_call_waiting_on_a_source_found_hung_is_released() -> None:
    with faulty_http("hang") as url:
        ctx = context(prometheus_url=url)

        async def later() -> tuple:
            await asyncio.sleep(0.5)
            return await timed("prometheus_metric_names", {}, ctx)

        (first, _), (second, second_seconds) = await asyncio.gather(
            timed("prometheus_query", {"query": "up"}, ctx), later()
        )
        await ctx.aclose()
    assert first.error is not None and first.error.fault == "timeout"
    # Released when the first call timed out (0.9 s after the start), not 1 s after its own.
    assert second.error is not None and "not asked again" in second.error.message
    assert second_seconds < 0.7


async def test_a_refused_source_is_not_asked_again() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    ctx = context(prometheus_url=url)
    first = await REGISTRY.invoke("prometheus_query", {"query": "up"}, ctx)
    second = await REGISTRY.invoke("prometheus_query", {"query": "up"}, ctx)
    await ctx.aclose()
    assert first.error is not None and first.error.fault == "unreachable"
    assert second.error is not None and "not asked again" in second.error.message


@pytest.mark.parametrize("fault", ["http500", "html", "http403"])
async def test_a_source_that_answered_badly_is_recorded_and_asked_again(fault: str) -> None:
    with faulty_http(fault) as url:
        ctx = context(prometheus_url=url)
        first = await REGISTRY.invoke("prometheus_query", {"query": "up"}, ctx)
        second = await REGISTRY.invoke("prometheus_query", {"query": "up"}, ctx)
        await ctx.aclose()
    assert first.error is not None and second.error is not None
    assert first.error.message == second.error.message  # asked again, same answer
    assert ctx.health.down("prometheus") is None
    assert [d.source for d in ctx.health.degraded()] == ["prometheus"]


async def test_errors_of_the_call_are_no_fault_of_the_source(call) -> None:
    missing = await call(
        "kubernetes_get", "crashloop-config-error", kind="Pod", namespace="serving", name="nope"
    )
    bad_query = await call("prometheus_query", "gpu-xid-79-node-3", query="rate(")
    assert missing.error is not None and missing.error.kind == "not_found"
    assert bad_query.error is not None and bad_query.error.kind == "bad_arguments"
    assert missing.error.fault is None and bad_query.error.fault is None


async def test_not_configured_is_listed_but_never_down() -> None:
    ctx = context()
    result = await REGISTRY.invoke("hubble_flows", {}, ctx)
    assert result.error is not None and result.error.fault == "not_configured"
    assert ctx.health.down("hubble") is None
    assert [d.fault for d in ctx.health.degraded()] == ["not_configured"]
    assert ctx.health.degraded(configured_only=True) == []


@pytest.mark.slow
async def test_the_probe_finds_a_hung_source_before_any_call_does() -> None:
    with faulty_http("hang") as hung, faulty_http("http500") as broken:
        ctx = context(prometheus_url=hung, kubeconfig=None)
        started = time.perf_counter()
        await probe_sources(ctx)
        seconds = time.perf_counter() - started
        other = context(prometheus_url=broken)
        await probe_sources(other)
        await ctx.aclose()
        await other.aclose()
    assert seconds < 1.2
    down = ctx.health.down("prometheus")
    assert down is not None and down.fault == "timeout" and down.endpoint == hung
    # A probe answered badly records nothing: the real calls report what they get.
    assert other.health.degraded() == []


async def test_a_source_down_is_asked_again_after_ask_again() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    ctx = context(prometheus_url=url)
    await REGISTRY.invoke("prometheus_query", {"query": "up"}, ctx)
    assert ctx.health.down("prometheus") is not None
    ctx.health.ask_again()  # a follow-up question
    again = await REGISTRY.invoke("prometheus_query", {"query": "up"}, ctx)
    await ctx.aclose()
    assert again.error is not None and "not asked again" not in again.error.message
    assert [d.source for d in ctx.health.degraded()] == ["prometheus"]


async def test_a_success_shaped_as_no_api_is_a_bad_response() -> None:
    with faulty_http("impostor") as url:
        ctx = context(prometheus_url=url)
        result = await REGISTRY.invoke("prometheus_query", {"query": "up"}, ctx)
        await ctx.aclose()
    assert result.error is not None and result.error.fault == "bad_response"
    assert result.error.message.startswith(
        f"prometheus at {url} answered a result not shaped as the query API's"
    )


# The smallest valid call of every tool: each must report its source's failure as a fault.
CALLS = {
    "kubernetes_describe": {"kind": "Pod", "namespace": "ml", "name": "trainer-0"},
    "kubernetes_events": {"namespace": "ml"},
    "kubernetes_find": {"name": "trainer"},
    "kubernetes_get": {"kind": "Pod", "namespace": "ml", "name": "trainer-0"},
    "kubernetes_list": {"kind": "Pod", "namespace": "ml"},
    "kubernetes_logs": {"namespace": "ml", "name": "trainer-0"},
    "kubernetes_lookup": {"names": ["trainer-0"], "namespace": "ml"},
    "kubernetes_kinds": {},
    "kubernetes_node": {"name": "gpu-node-1"},
    "kubernetes_autoscalers": {"namespace": "ml"},
    "kubernetes_rollout_history": {"namespace": "ml", "name": "trainer"},
    "prometheus_gpu_health": {},
    "prometheus_label_values": {"label": "job"},
    "prometheus_metric_names": {},
    "prometheus_query": {"query": "up"},
    "prometheus_query_range": {"query": "up"},
}
HTTP_FAULT_OF = {
    "html": "bad_response",
    "truncated": "bad_response",
    "http500": "server_error",
    "http403": "auth",
}


@pytest.mark.parametrize("fault", sorted(HTTP_FAULT_OF))
async def test_every_http_tool_reports_its_source_failing(fault: str, tmp_path) -> None:
    assert set(CALLS) == {t.name for t in REGISTRY.tools() if t.toolset != "hubble"}
    with faulty_http(fault) as url:
        kubeconfig = write_kubeconfig(url, tmp_path / "kubeconfig")
        for name, arguments in CALLS.items():
            ctx = context(prometheus_url=url, kubeconfig=kubeconfig)
            result = await REGISTRY.invoke(name, arguments, ctx)
            await ctx.aclose()
            assert result.error is not None, name
            assert (result.error.fault, result.error.endpoint) == (HTTP_FAULT_OF[fault], url), (
                name,
                result.error,
            )


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("unavailable", "unreachable"), ("internal", "server_error"), ("garbage", "bad_response")],
)
async def test_every_hubble_tool_reports_the_relay_failing(fault: str, expected: str) -> None:
    with faulty_hubble(fault) as address:
        for tool in REGISTRY.tools("hubble"):
            ctx = context(hubble_address=address)
            result = await REGISTRY.invoke(tool.name, {}, ctx)
            await ctx.aclose()
            assert result.error is not None, tool.name
            assert (result.error.fault, result.error.endpoint) == (expected, address), (
                tool.name,
                result.error,
            )
