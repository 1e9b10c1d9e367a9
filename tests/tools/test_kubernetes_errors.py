"""Failures of the Kubernetes source become ToolErrors naming it, within the time limit.

A kubeconfig pointing at a closed port (unavailable), at a server that accepts TCP and never
answers (timeout, a tiny asyncio server on loopback), no configuration at all, an unusable
kubeconfig, and a missing object on the replay (not_found).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holmes.tools.context import Limits, SourceEndpoints, ToolContext
from holmes.tools.kubernetes import TOOLS
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
NOW = datetime(2026, 3, 18, 14, 32, tzinfo=UTC)


def kubeconfig(path: Path, server: str) -> Path:
    """A kubeconfig for `server` with a token user."""
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "{server}"}}}}]
users: [{{name: u, user: {{token: t}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u}}}}]
current-context: x
"""
    )
    return path


def context(config: Path | None, timeout: float = 2.0) -> ToolContext:
    return ToolContext(
        SourceEndpoints(kubeconfig=config),
        now=NOW,
        limits=Limits(timeout_seconds=timeout),
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """An address that accepts TCP connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_closed_port_is_unavailable_naming_kubernetes(tmp_path: Path) -> None:
    server = f"http://127.0.0.1:{closed_port()}"
    ctx = context(kubeconfig(tmp_path / "kubeconfig", server))
    started = time.perf_counter()
    result = await REGISTRY.invoke("kubernetes_list", {"kind": "Pod"}, ctx)
    assert time.perf_counter() - started < 2.0
    assert result.error is not None
    assert result.error.kind == "unavailable"
    assert result.error.source == "kubernetes"
    assert (
        result.error.message == f"kubernetes API at {server} is not reachable: connection refused"
    )
    await ctx.aclose()


async def test_server_that_never_answers_times_out_within_the_limit(
    tmp_path: Path, silent_server: str
) -> None:
    ctx = context(kubeconfig(tmp_path / "kubeconfig", silent_server), timeout=0.5)
    started = time.perf_counter()
    result = await REGISTRY.invoke(
        "kubernetes_describe", {"kind": "Pod", "name": "x", "namespace": "y"}, ctx
    )
    elapsed = time.perf_counter() - started
    assert result.error is not None and result.error.kind == "timeout"
    # The client's own deadline names the address; on a loaded machine the registry's limit
    # may fire first and name only the source. Either says what stopped.
    assert result.error.message in (
        f"kubernetes API at {silent_server} did not answer within 0.5 s",
        "kubernetes did not answer within 0.5 s",
    )
    assert 0.4 < elapsed < 1.2
    await ctx.aclose()


async def test_not_configured_and_bad_kubeconfig_are_unavailable(tmp_path: Path) -> None:
    none = await REGISTRY.invoke("kubernetes_node", {"name": "n"}, context(None))
    assert none.error is not None and none.error.kind == "unavailable"
    assert none.error.message.startswith("kubernetes is not configured")
    broken = tmp_path / "broken"
    broken.write_text("not: [a kubeconfig")
    bad = await REGISTRY.invoke("kubernetes_node", {"name": "n"}, context(broken))
    assert bad.error is not None and bad.error.kind == "unavailable"
    assert f"kubernetes kubeconfig {broken} is unusable" in bad.error.message


async def test_bad_selector_is_bad_arguments_with_the_servers_words(tool_context) -> None:
    ctx = tool_context("crashloop-config-error")
    result = await REGISTRY.invoke(
        "kubernetes_list", {"kind": "Pod", "field_selector": "spec.color=blue"}, ctx
    )
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert "field label not supported: spec.color" in result.error.message
    await ctx.aclose()
