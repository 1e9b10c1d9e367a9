"""`holmes doctor`'s checks of Hubble: the Relay reachable (ServerStatus: version, flows in the
buffer and seen), its nodes (connected and unavailable, GetNodes' count), and flows present.

Called by `holmes doctor` with the investigation's `ToolContext`; a Relay that is down, or a
TLS mismatch, is one failed check naming the address and the fix.
"""

from __future__ import annotations

import asyncio

from holmes.tools.base import ToolFailure
from holmes.tools.checks import Check
from holmes.tools.context import ToolContext
from holmes.tools.hubble.client import hubble_client, rpc_timeout
from holmes.tools.hubble.proto.observer import observer_pb2
from holmes.tools.hubble.proto.relay import relay_pb2

SOURCE = "hubble"
_UNREACHABLE_FIX = (
    "check sources.hubble.address (--hubble-address, HOLMES_HUBBLE_ADDRESS): hubble-relay's "
    "Service, e.g. `kubectl -n kube-system port-forward svc/hubble-relay 4245:80`, and its TLS "
    "(sources.hubble.tls / ca_file)"
)


async def hubble_checks(ctx: ToolContext) -> list[Check]:
    """Reachability and version, nodes, and flows; a warning when no Relay is configured."""
    if not ctx.endpoints.hubble_address:
        return [
            Check(
                source=SOURCE,
                name="configured",
                status="warn",
                detail="no Hubble Relay address: the network runbooks will have no flows",
                fix="pass --hubble-address or set sources.hubble.address (HOLMES_HUBBLE_ADDRESS)",
            )
        ]
    try:
        client = hubble_client(ctx)
    except ToolFailure as failure:  # unreadable TLS files
        return [_unreachable(failure)]
    timeout = rpc_timeout(ctx)
    status, nodes = await asyncio.gather(
        client.server_status(timeout), client.get_nodes(timeout), return_exceptions=True
    )
    if isinstance(status, ToolFailure):
        return [_unreachable(status)]
    if isinstance(status, BaseException):
        raise status
    version = Check(
        source=SOURCE,
        name="version",
        status="ok",
        detail=f"Hubble {status.version or '(version unknown)'} at {client.address}",
    )
    return [version, _nodes_check(status, nodes), _flows_check(status)]


def _unreachable(failure: ToolFailure) -> Check:
    return Check(
        source=SOURCE,
        name="reachable",
        status="fail",
        detail=failure.error.message,
        fix=_UNREACHABLE_FIX,
    )


def _nodes_check(
    status: observer_pb2.ServerStatusResponse,
    nodes: observer_pb2.GetNodesResponse | BaseException,
) -> Check:
    connected = status.num_connected_nodes.value
    unavailable = status.num_unavailable_nodes.value
    listed = ""
    if not isinstance(nodes, BaseException):
        up = sum(1 for node in nodes.nodes if node.state == relay_pb2.NODE_CONNECTED)
        listed = f"; GetNodes lists {len(nodes.nodes)} nodes ({up} connected)"
    detail = f"{connected} nodes connected, {unavailable} unavailable{listed}"
    if unavailable or status.unavailable_nodes:
        names = ", ".join(status.unavailable_nodes) or f"{unavailable} nodes"
        return Check(
            source=SOURCE,
            name="nodes",
            status="warn",
            detail=f"{detail}: flows of {names} are missing",
            fix="check the cilium agent on those nodes (`cilium status`) and that hubble-relay "
            "reaches their port 4244",
        )
    if not status.HasField("num_connected_nodes"):
        detail = "a single agent's Hubble server (not a Relay): flows of one node only"
        return Check(
            source=SOURCE,
            name="nodes",
            status="warn",
            detail=detail,
            fix="point sources.hubble.address at hubble-relay",
        )
    return Check(source=SOURCE, name="nodes", status="ok", detail=detail)


def _flows_check(status: observer_pb2.ServerStatusResponse) -> Check:
    detail = (
        f"{status.num_flows} flows in the buffer of {status.max_flows}, {status.seen_flows} seen"
    )
    if status.seen_flows == 0:
        return Check(
            source=SOURCE,
            name="flows",
            status="warn",
            detail=detail + ": none yet",
            fix="enable Hubble in Cilium (hubble.enabled=true) and check its agents",
        )
    return Check(source=SOURCE, name="flows", status="ok", detail=detail)
