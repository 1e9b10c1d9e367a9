"""How the Hubble tools fail: not configured, refused, hung, refused filters, bad TLS; and TLS.

Every failure must come back as a ToolError naming Hubble, the address and the reason, within
the call's time limit. The servers here are real sockets on loopback: a closed port, a TCP
server that never speaks, the Hubble replay, and a TLS observer with its own test CA.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from holmes.tools.base import ToolResult
from holmes.tools.context import HubbleTLS, Limits, SourceEndpoints, ToolContext
from holmes.tools.hubble import TOOLS
from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
NOW = datetime(2026, 9, 2, 16, 5, tzinfo=UTC)
SERVER_NAME = "instance.hubble-relay.cilium.io"


@pytest.fixture
async def call() -> AsyncIterator[Callable[..., Any]]:
    """`await call(tool, address, tls=None, timeout=2.0, **arguments)` on a fresh context."""
    contexts: list[ToolContext] = []

    async def invoke(
        tool: str,
        address: str | None,
        tls: HubbleTLS | None = None,
        timeout: float = 2.0,
        **arguments: Any,
    ) -> ToolResult:
        endpoints = SourceEndpoints(hubble_address=address, hubble_tls=tls)
        ctx = ToolContext(endpoints, now=NOW, limits=Limits(timeout_seconds=timeout))
        contexts.append(ctx)
        return await REGISTRY.invoke(tool, arguments, ctx)

    yield invoke
    for ctx in contexts:
        await ctx.aclose()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("tool", ["hubble_flows", "hubble_flow_summary", "hubble_server_status"])
async def test_no_address_is_unavailable_and_says_what_to_set(call, tool: str) -> None:
    result = await call(tool, None)
    assert result.error is not None
    assert (result.error.source, result.error.kind) == ("hubble", "unavailable")
    assert "set the Hubble Relay address (hubble_address" in result.error.message


@pytest.mark.parametrize("tool", ["hubble_flows", "hubble_server_status"])
async def test_closed_port_is_unavailable_naming_the_address(call, tool: str) -> None:
    address = f"127.0.0.1:{closed_port()}"
    result = await call(tool, address)
    assert result.error is not None and result.error.kind == "unavailable"
    assert result.error.message == f"Hubble Relay at {address} is not reachable: connection refused"
    assert result.duration_ms < 2000


async def test_a_server_that_never_answers_times_out_within_the_limit(call) -> None:
    held: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    address = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        result = await call("hubble_flows", address, timeout=0.5)
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
    assert result.error is not None and result.error.kind == "timeout"
    # The gRPC deadline (90% of the limit) names the address; on a loaded machine the
    # registry's limit may fire first and name only the source. Either says what stopped.
    assert result.error.message in (
        f"Hubble Relay at {address} did not answer within 0.45 s (deadline exceeded)",
        "hubble did not answer within 0.5 s",
    )
    assert 400 < result.duration_ms < 1000


async def test_a_filter_the_server_refuses_is_bad_arguments(call, replayed) -> None:
    address = replayed("hubble-policy-denied").hubble_address
    result = await call("hubble_flows", address, from_label="app in (a,")
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert result.error.message.startswith(f"Hubble Relay at {address} refused the request: ")
    assert "source_label" in result.error.message


async def test_bad_arguments_never_reach_the_server(call) -> None:
    result = await call("hubble_flows", None, verdict="BLOCKED", number=0)
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert "verdict:" in result.error.message and "number:" in result.error.message


async def test_unreadable_tls_file_is_unavailable_naming_it(call, tmp_path: Path) -> None:
    missing = tmp_path / "ca.crt"
    result = await call("hubble_server_status", "127.0.0.1:4245", tls=HubbleTLS(ca_file=missing))
    assert result.error is not None and result.error.kind == "unavailable"
    assert result.error.message == (
        f"cannot read the Hubble TLS CA file {missing}: No such file or directory"
    )


async def test_tls_to_a_plaintext_server_is_unavailable(call, replayed) -> None:
    address = replayed("hubble-policy-denied").hubble_address
    result = await call("hubble_server_status", f"tls://{address}")
    assert result.error is not None and result.error.kind == "unavailable"
    assert result.error.message.startswith(f"Hubble Relay at {address} is not reachable: ")


# -- TLS with a client certificate, as Hubble Relay serves it ----------------------------------


class StatusOnly(observer_pb2_grpc.ObserverServicer):
    """A Hubble server that answers ServerStatus only, as a single agent (no Relay) would."""

    async def ServerStatus(self, request, context):
        return observer_pb2.ServerStatusResponse(
            num_flows=4095, max_flows=4095, seen_flows=123456, uptime_ns=7_200_000_000_000,
            version="1.19.4", flows_rate=12.5,
        )  # fmt: skip


def _openssl(*arguments: str | Path) -> None:
    subprocess.run(["openssl", *map(str, arguments)], check=True, capture_output=True)


def make_pki(folder: Path) -> dict[str, Path]:
    """A test CA, a server cert for SERVER_NAME and a client cert, as PEM files."""
    files = {name: folder / name for name in ("ca.crt", "ca.key")}
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl("req", "-x509", *ec, "-subj", "/CN=test-ca", "-days", "1",
             "-keyout", files["ca.key"], "-out", files["ca.crt"])  # fmt: skip
    for who, name in (("server", SERVER_NAME), ("client", "holmes")):
        key, csr, crt = (folder / f"{who}.{ext}" for ext in ("key", "csr", "crt"))
        extensions = folder / f"{who}.ext"
        extensions.write_text(f"subjectAltName=DNS:{name}\n")
        _openssl("req", *ec, "-subj", f"/CN={name}", "-keyout", key, "-out", csr)
        _openssl("x509", "-req", "-in", csr, "-CA", files["ca.crt"], "-CAkey", files["ca.key"],
                 "-CAcreateserial", "-days", "1", "-out", crt, "-extfile", extensions)  # fmt: skip
        files[f"{who}.key"], files[f"{who}.crt"] = key, crt
    return files


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, Path]]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    pki = make_pki(tmp_path)
    credentials = grpc.ssl_server_credentials(
        [(pki["server.key"].read_bytes(), pki["server.crt"].read_bytes())],
        root_certificates=pki["ca.crt"].read_bytes(),
        require_client_auth=True,
    )
    server = grpc.aio.server()
    observer_pb2_grpc.add_ObserverServicer_to_server(StatusOnly(), server)
    port = server.add_secure_port("127.0.0.1:0", credentials)
    await server.start()
    yield f"127.0.0.1:{port}", pki
    await server.stop(grace=None)


async def test_tls_with_client_cert_and_server_name(call, tls_server) -> None:
    address, pki = tls_server
    tls = HubbleTLS(
        ca_file=pki["ca.crt"],
        cert_file=pki["client.crt"],
        key_file=pki["client.key"],
        server_name=SERVER_NAME,
    )
    result = await call("hubble_server_status", address, tls=tls)
    assert result.ok, result.error
    lines = result.text.splitlines()
    assert lines[0] == (
        f"Hubble at {address}, version 1.19.4: 4095 flows in the buffer of 4095 (100% full), "
        "123456 seen since start, 12.50 flows/s over the last minute, uptime 2h00m"
    )
    # A single agent has no node list: said, not failed.
    assert lines[1].startswith(f"Node list not available: Hubble Relay at {address} answered ")
    assert "UNIMPLEMENTED" in lines[1]


async def test_tls_without_the_server_name_says_to_set_it(call, tls_server) -> None:
    address, pki = tls_server
    tls = HubbleTLS(ca_file=pki["ca.crt"], cert_file=pki["client.crt"], key_file=pki["client.key"])
    result = await call("hubble_server_status", address, tls=tls)
    assert result.error is not None and result.error.kind == "unavailable"
    assert result.error.message == (
        f"Hubble Relay at {address} is not reachable: the server's TLS certificate does not "
        "name this address; set hubble_tls.server_name (Relay certificates name "
        "*.hubble-relay.cilium.io)"
    )


async def test_tls_without_a_client_certificate_points_at_hubble_tls(call, tls_server) -> None:
    address, pki = tls_server
    tls = HubbleTLS(ca_file=pki["ca.crt"], server_name=SERVER_NAME)
    result = await call("hubble_server_status", address, tls=tls)
    assert result.error is not None and result.error.kind == "unavailable"
    assert "check hubble_tls" in result.error.message
