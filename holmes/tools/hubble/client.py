"""The Hubble Relay client of one investigation, and the one place gRPC errors become ToolFailures.

The Hubble tools (`flows.py`, `summary.py`, `status.py`) call `hubble_client(ctx)`, which opens one
`grpc.aio` channel per investigation (through `ctx.client`, so parallel calls share it) to
`ctx.endpoints.hubble_address`, with TLS when `ctx.endpoints.hubble_tls` is set or the address
starts with `tls://` (as the Hubble CLI's `--server` does). Every RPC carries a deadline, so a
hung Relay cannot hold a call beyond the tool's time limit.

Errors, all raised as `ToolFailure(source="hubble", kind=...)` with the gRPC error as the cause
(and the source's `fault`, when the Relay itself failed):

    unavailable     no address configured (not_configured), TLS files unreadable, or
                    UNAVAILABLE: refused, DNS... (unreachable)
    timeout         DEADLINE_EXCEEDED (timeout)
    bad_arguments   INVALID_ARGUMENT, OUT_OF_RANGE (the Relay refused a filter; message quoted)
    not_found       NOT_FOUND
    forbidden       PERMISSION_DENIED, UNAUTHENTICATED (auth)
    error           INTERNAL, UNKNOWN, DATA_LOSS, RESOURCE_EXHAUSTED (server_error); answers
                    that do not decode as the observer's messages (bad_response); anything
                    else (UNIMPLEMENTED...: no fault, the Relay said what it does not do)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc

from holmes.tools.base import ErrorKind, ToolFailure
from holmes.tools.context import HubbleTLS, SourceEndpoints, ToolContext
from holmes.tools.health import SourceFault
from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc

SOURCE = "hubble"
_CLIENT_KEY = "hubble"
# The RPC deadline is a little shorter than the tool's limit so that the Relay's own deadline
# fires first and the error names the address, rather than the registry's generic timeout.
_DEADLINE_SHARE = 0.9
_KINDS: dict[grpc.StatusCode, ErrorKind] = {
    grpc.StatusCode.UNAVAILABLE: "unavailable",
    grpc.StatusCode.DEADLINE_EXCEEDED: "timeout",
    grpc.StatusCode.INVALID_ARGUMENT: "bad_arguments",
    grpc.StatusCode.OUT_OF_RANGE: "bad_arguments",
    grpc.StatusCode.NOT_FOUND: "not_found",
    grpc.StatusCode.PERMISSION_DENIED: "forbidden",
    grpc.StatusCode.UNAUTHENTICATED: "forbidden",
}
_FAULTS: dict[grpc.StatusCode, SourceFault] = {
    grpc.StatusCode.UNAVAILABLE: "unreachable",
    grpc.StatusCode.DEADLINE_EXCEEDED: "timeout",
    grpc.StatusCode.PERMISSION_DENIED: "auth",
    grpc.StatusCode.UNAUTHENTICATED: "auth",
    grpc.StatusCode.INTERNAL: "server_error",
    grpc.StatusCode.UNKNOWN: "server_error",
    grpc.StatusCode.DATA_LOSS: "server_error",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "server_error",
}
# What grpc says when an answer's bytes are not the message the stub expects.
_UNDECODABLE = "exception deserializing response"
_NOT_CONFIGURED = (
    "Hubble is not configured: set the Hubble Relay address (hubble_address, e.g. "
    "hubble-relay.kube-system.svc:80 in the cluster, or localhost:4245 after "
    "`cilium hubble port-forward`)"
)


@dataclass(frozen=True)
class Target:
    """Where to dial: the gRPC target, whether to use TLS, and the address to name in errors."""

    address: str
    tls: bool


def parse_target(address: str, tls: HubbleTLS | None) -> Target:
    """`host:port`, `tls://host:port` (TLS with system roots) or a `unix://` path."""
    address = address.strip()
    if address.startswith("tls://"):
        return Target(address.removeprefix("tls://"), True)
    return Target(address, tls is not None)


class HubbleClient:
    """One grpc.aio channel to a Hubble Relay and the observer calls the tools make."""

    def __init__(self, endpoints: SourceEndpoints) -> None:
        """Open the channel (lazily connected by gRPC); raise `ToolFailure` if not configured."""
        if not endpoints.hubble_address:
            raise ToolFailure(SOURCE, "unavailable", _NOT_CONFIGURED, fault="not_configured")
        self.target = parse_target(endpoints.hubble_address, endpoints.hubble_tls)
        self.address = self.target.address
        self._channel = _open_channel(self.target, endpoints.hubble_tls)
        self._stub = observer_pb2_grpc.ObserverStub(self._channel)

    async def get_flows(
        self, request: observer_pb2.GetFlowsRequest, timeout: float, max_flows: int
    ) -> tuple[list[observer_pb2.GetFlowsResponse], bool]:
        """Read the GetFlows stream, whole by `timeout` seconds, stopping after `max_flows` flows.

        Returns the responses (flows, lost events, node status) and whether the stream was cut.
        """
        responses: list[observer_pb2.GetFlowsResponse] = []
        flows = 0
        call = self._stub.GetFlows(request, timeout=timeout)
        with self.translated(timeout):
            try:
                async for response in call:
                    if response is None:  # grpc.aio yields None for bytes it cannot decode
                        raise self.undecodable("GetFlows")
                    if response.HasField("flow"):
                        if flows == max_flows:
                            return responses, True
                        flows += 1
                    responses.append(response)
            finally:
                call.cancel()  # a no-op once the stream has ended
        return responses, False

    async def server_status(self, timeout: float) -> observer_pb2.ServerStatusResponse:
        """Ring-buffer statistics (summed over nodes on a Relay)."""
        request = observer_pb2.ServerStatusRequest()
        call = self._stub.ServerStatus(request, timeout=timeout)
        return await self._unary("ServerStatus", call, timeout)

    async def get_nodes(self, timeout: float) -> observer_pb2.GetNodesResponse:
        """The Relay's nodes and their state (UNIMPLEMENTED on a single agent's server)."""
        request = observer_pb2.GetNodesRequest()
        return await self._unary("GetNodes", self._stub.GetNodes(request, timeout=timeout), timeout)

    async def get_namespaces(self, timeout: float) -> observer_pb2.GetNamespacesResponse:
        """Namespaces that had flows in the last hour."""
        request = observer_pb2.GetNamespacesRequest()
        call = self._stub.GetNamespaces(request, timeout=timeout)
        return await self._unary("GetNamespaces", call, timeout)

    async def _unary(self, method: str, call: Any, timeout: float) -> Any:
        """The answer of a unary call, its errors translated."""
        with self.translated(timeout):
            answer = await call
        if answer is None:  # grpc.aio answers None for bytes it cannot decode
            raise self.undecodable(method)
        return answer

    def undecodable(self, method: str) -> ToolFailure:
        """The failure for an answer whose bytes are not the observer's message."""
        message = (
            f"Hubble Relay at {self.address} answered {method} with bytes that do not decode "
            "as Hubble's messages (is this address a Hubble Relay?)"
        )
        return ToolFailure(SOURCE, "error", message, fault="bad_response", endpoint=self.address)

    @contextmanager
    def translated(self, timeout: float) -> Iterator[None]:
        """Turn a `grpc.RpcError` raised inside the block into a `ToolFailure`."""
        try:
            yield
        except grpc.RpcError as error:
            raise failure_for(error, self.address, timeout) from error

    async def aclose(self) -> None:
        """Close the channel; `ToolContext.aclose` calls this at the end of an investigation."""
        await self._channel.close()


def hubble_client(ctx: ToolContext) -> HubbleClient:
    """The investigation's shared client, opened on first use."""
    return ctx.client(_CLIENT_KEY, lambda: HubbleClient(ctx.endpoints))


async def probe(ctx: ToolContext) -> None:
    """Ask the Relay for its status: raises the `ToolFailure` of a Relay that does not answer
    (`holmes.tools.probe` calls it at the start of an investigation)."""
    await hubble_client(ctx).server_status(rpc_timeout(ctx))


def rpc_timeout(ctx: ToolContext) -> float:
    """The deadline of one RPC, derived from the tool call's time limit."""
    return ctx.limits.timeout_seconds * _DEADLINE_SHARE


def failure_for(error: grpc.RpcError, address: str, timeout: float) -> ToolFailure:
    """The ToolFailure for a gRPC error from the Relay at `address`, in words to act on."""
    code = error.code() if callable(getattr(error, "code", None)) else grpc.StatusCode.UNKNOWN
    details = (error.details() if callable(getattr(error, "details", None)) else "") or ""
    kind = _KINDS.get(code, "error")
    fault = _FAULTS.get(code)
    where = f"Hubble Relay at {address}"
    if _UNDECODABLE in details.lower():
        message = f"{where} answered bytes that do not decode as Hubble's messages ({details})"
        return ToolFailure(SOURCE, "error", message, fault="bad_response", endpoint=address)
    if kind == "unavailable":
        message = f"{where} is not reachable: {_reachability(details)}"
    elif kind == "timeout":
        message = f"{where} did not answer within {timeout:.3g} s (deadline exceeded)"
    elif kind == "bad_arguments":
        message = f"{where} refused the request: {details}"
    elif kind == "forbidden":
        message = f"{where} refused access ({code.name}): {details}; check the TLS client cert"
    else:
        message = f"{where} answered {code.name}: {details or 'no details'}"
    return ToolFailure(SOURCE, kind, message, fault=fault, endpoint=address)


# Substrings of gRPC's connect errors -> the cause in words; the first match wins.
_CAUSES = (
    ("connection refused", "connection refused"),
    ("hostname verification", "the server's TLS certificate does not name this address; set "
     "hubble_tls.server_name (Relay certificates name *.hubble-relay.cilium.io)"),
    ("domain name not found", "DNS lookup of the host failed"),
    ("dns resolution failed", "DNS lookup of the host failed"),
    ("handshake", "TLS handshake failed (is the server TLS? check hubble_tls)"),
    ("ssl", "TLS handshake failed (is the server TLS? check hubble_tls)"),
    ("socket closed", "the server closed the connection (does it expect TLS or a client "
     "certificate? check hubble_tls)"),
    ("timed out", "connection timed out"),
    ("connection reset", "connection reset"),
)  # fmt: skip


def _reachability(details: str) -> str:
    """gRPC's long connect error reduced to its cause (the full text is kept on the cause)."""
    lowered = details.lower()
    for needle, cause in _CAUSES:
        if needle in lowered:
            return cause
    return details.removeprefix("failed to connect to all addresses; ") or "unavailable"


def _open_channel(target: Target, tls: HubbleTLS | None) -> grpc.aio.Channel:
    if not target.tls:
        return grpc.aio.insecure_channel(target.address)
    tls = tls or HubbleTLS()
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(tls.ca_file, "CA"),
        private_key=_read(tls.key_file, "client key"),
        certificate_chain=_read(tls.cert_file, "client certificate"),
    )
    options = []
    if tls.server_name:
        # Relay certificates name `*.hubble-relay.cilium.io`, not the Service's DNS name.
        options.append(("grpc.ssl_target_name_override", tls.server_name))
    return grpc.aio.secure_channel(target.address, credentials, options=options)


def _read(path: object, what: str) -> bytes | None:
    if path is None:
        return None
    try:
        with open(str(path), "rb") as handle:
            return handle.read()
    except OSError as error:
        message = f"cannot read the Hubble TLS {what} file {path}: {error.strerror}"
        raise ToolFailure(SOURCE, "unavailable", message, fault="unreachable") from error
