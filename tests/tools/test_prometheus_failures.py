"""Prometheus failures become errors naming the source and the reason, within the timeout."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from holmes.tools.context import Limits, SourceEndpoints, ToolContext
from holmes.tools.prometheus import TOOLS
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
NOW = datetime(2026, 3, 18, 14, 32, tzinfo=UTC)

MakeContext = Callable[..., ToolContext]


def context(url: str | None, timeout: float = 2.0, **endpoints: object) -> ToolContext:
    return ToolContext(
        SourceEndpoints(prometheus_url=url, **endpoints),
        now=NOW,
        limits=Limits(timeout_seconds=timeout),
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def serve(handler: Callable) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections and reads requests, but never answers (until the test ends)."""
    release = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await release.wait()
        writer.close()

    async for url in serve(handler):
        yield url
        release.set()
        await asyncio.sleep(0.01)  # let the handlers end before the loop closes


@pytest.fixture
async def forbidding_server() -> AsyncIterator[tuple[str, list[bytes]]]:
    """Answers every request with HTTP 403 and records the request heads."""
    heads: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        body = b"forbidden\n"
        writer.write(
            b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    async for url in serve(handler):
        yield url, heads


async def test_prometheus_not_running_is_unavailable_within_the_timeout() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    started = time.perf_counter()
    result = await REGISTRY.invoke("prometheus_query", {"query": "up"}, context(url, 1.0))
    assert time.perf_counter() - started < 1.0
    assert result.error is not None and result.error.kind == "unavailable"
    assert result.error.message == f"prometheus at {url} is not reachable: connection refused"


async def test_a_server_that_never_answers_is_a_timeout(silent_server: str) -> None:
    started = time.perf_counter()
    result = await REGISTRY.invoke("prometheus_gpu_health", {}, context(silent_server, timeout=0.5))
    elapsed = time.perf_counter() - started
    assert result.error is not None and result.error.kind == "timeout"
    # The client's own deadline (90% of the limit) names the address; on a loaded machine the
    # registry's limit may fire first and name only the source. Either says what stopped.
    assert result.error.message in (
        f"prometheus at {silent_server} did not answer within 0.5 s",
        "prometheus did not answer within 0.5 s",
    )
    assert 0.4 < elapsed < 0.8


async def test_auth_headers_are_sent_and_403_is_forbidden(
    forbidding_server: tuple[str, list[bytes]],
) -> None:
    url, heads = forbidding_server
    ctx = context(url, prometheus_headers={"Authorization": "Bearer t0ken"})
    result = await REGISTRY.invoke("prometheus_label_values", {"label": "job"}, ctx)
    assert result.error is not None and result.error.kind == "forbidden"
    assert f"prometheus at {url} refused the request (HTTP 403)" in result.error.message
    assert b"authorization: Bearer t0ken" in heads[0].lower().replace(b"bearer", b"Bearer")
    assert heads[0].startswith(b"GET /api/v1/label/job/values?")


async def test_no_prometheus_configured_is_unavailable() -> None:
    result = await REGISTRY.invoke("prometheus_metric_names", {}, context(None))
    assert result.error is not None and result.error.kind == "unavailable"
    assert "prometheus is not configured" in result.error.message


async def test_bad_promql_is_bad_arguments_with_prometheus_message(
    tool_context: MakeContext,
) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    result = await REGISTRY.invoke("prometheus_query", {"query": "sum(rate(up[5m]"}, ctx)
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert result.error.message == (
        'prometheus rejected the query (bad_data): invalid parameter "query": 1:16: '
        "parse error: unclosed left parenthesis"
    )
    ranged = await REGISTRY.invoke("prometheus_query_range", {"query": "rate(up)"}, ctx)
    assert ranged.error is not None and ranged.error.kind == "bad_arguments"
    assert "expected type range vector" in ranged.error.message


async def test_a_wrong_path_prefix_is_not_found(tool_context: MakeContext) -> None:
    base = tool_context("gpu-xid-79-node-3").endpoints.prometheus_url
    result = await REGISTRY.invoke(
        "prometheus_query", {"query": "up"}, context(f"{base}/prefix", timeout=2.0)
    )
    assert result.error is not None and result.error.kind == "not_found"
    assert "has no /prefix/api/v1/query (HTTP 404)" in result.error.message
