"""The `hubble_server_status` tool: is Hubble seeing flows, and on which nodes?

Called through the registry, typically first in a network investigation: an empty buffer, a
node the Relay cannot reach, or lost flows change how far flow evidence can be trusted. It
asks ServerStatus, GetNodes and GetNamespaces at once; the last two exist only on a Relay, so
their failure is reported in a line while ServerStatus's failure fails the call.
"""

from __future__ import annotations

import asyncio

from google.protobuf import json_format
from google.protobuf.message import Message
from pydantic import BaseModel, ConfigDict

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.hubble.client import hubble_client, rpc_timeout
from holmes.tools.hubble.proto.observer import observer_pb2
from holmes.tools.hubble.proto.relay import relay_pb2

_NS_PER_S = 1_000_000_000


class StatusInput(BaseModel):
    """hubble_server_status takes no arguments."""

    model_config = ConfigDict(extra="forbid")


class HubbleServerStatus(Tool):
    """Hubble Relay health: flows buffered and seen, nodes connected and unavailable."""

    name = "hubble_server_status"
    toolset = "hubble"
    description = (
        "Check Cilium Hubble itself before trusting flow evidence: flows in the ring buffer and "
        "its capacity, flows seen since start, flow rate, version, uptime, nodes connected to "
        "the Relay and the ones unavailable (their flows are missing), per-node flow counts, "
        "and the namespaces that had flows in the last hour. No arguments."
    )
    Input = StatusInput

    async def run(self, args: StatusInput, ctx: ToolContext) -> ToolOutput:
        """Ask the three RPCs concurrently and render them."""
        client = hubble_client(ctx)
        timeout = rpc_timeout(ctx)
        status, nodes, namespaces = await asyncio.gather(
            client.server_status(timeout),
            client.get_nodes(timeout),
            client.get_namespaces(timeout),
            return_exceptions=True,
        )
        if isinstance(status, BaseException):
            raise status
        lines = [_status_line(client.address, status)]
        lines.extend(_nodes_lines(status, nodes))
        lines.append(_namespaces_line(namespaces))
        return ToolOutput(data=_data(status, nodes, namespaces), text="\n".join(lines))


def _status_line(address: str, status: observer_pb2.ServerStatusResponse) -> str:
    used = f" ({status.num_flows * 100 // status.max_flows}% full)" if status.max_flows else ""
    return (
        f"Hubble at {address}, version {status.version or 'unknown'}: {status.num_flows} flows "
        f"in the buffer of {status.max_flows}{used}, {status.seen_flows} seen since start, "
        f"{status.flows_rate:.2f} flows/s over the last minute, "
        f"uptime {_duration(status.uptime_ns)}"
    )


def _nodes_lines(
    status: observer_pb2.ServerStatusResponse,
    nodes: observer_pb2.GetNodesResponse | BaseException,
) -> list[str]:
    lines = []
    if status.HasField("num_connected_nodes") or status.HasField("num_unavailable_nodes"):
        line = (
            f"Nodes: {status.num_connected_nodes.value} connected, "
            f"{status.num_unavailable_nodes.value} unavailable"
        )
        if status.unavailable_nodes:
            line += " (" + ", ".join(status.unavailable_nodes) + "): their flows are missing"
        lines.append(line)
    if isinstance(nodes, BaseException):
        lines.append(f"Node list not available: {_reason(nodes)}")
        return lines
    # Unavailable nodes first: they decide what the flows cannot show.
    ordered = sorted(nodes.nodes, key=lambda n: (n.state == relay_pb2.NODE_CONNECTED, n.name))
    for node in ordered:
        state = relay_pb2.NodeState.Name(node.state).removeprefix("NODE_").lower()
        lines.append(
            f"node {node.name}: {state}, {node.num_flows} flows of {node.max_flows}, "
            f"{node.seen_flows} seen, version {node.version or 'unknown'}"
            + (f", address {node.address}" if node.address else "")
        )
    return lines


def _namespaces_line(namespaces: observer_pb2.GetNamespacesResponse | BaseException) -> str:
    if isinstance(namespaces, BaseException):
        return f"Namespaces not available: {_reason(namespaces)}"
    names = [
        f"{ns.cluster}/{ns.namespace}" if ns.cluster and ns.cluster != "default" else ns.namespace
        for ns in namespaces.namespaces
    ]
    return "Namespaces with flows in the last hour: " + (", ".join(names) or "none")


def _reason(error: BaseException) -> str:
    if isinstance(error, ToolFailure):
        return error.error.message
    return f"{type(error).__name__}: {error}"


def _duration(nanoseconds: int) -> str:
    seconds = nanoseconds // _NS_PER_S
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def _data(*answers: Message | BaseException) -> dict:
    """ServerStatus, GetNodes and GetNamespaces as Hubble's JSON, or the error of each."""
    dumped = [
        {"error": _reason(answer)}
        if isinstance(answer, BaseException)
        else json_format.MessageToDict(answer, preserving_proto_field_name=True)
        for answer in answers
    ]
    return dict(zip(("status", "nodes", "namespaces"), dumped, strict=True))
