"""Read the flows one tool call needs: plan the GetFlows request, read the stream, keep N flows.

Called by the flows and summary tools. Hubble's `number` does not combine cleanly with
`since`/`until` (a server reads its ring forward from `since` and caps there, so "last N since
10m" would come back as the FIRST N since 10m). So the request is planned per case:

    first N              number=N, first, since/until sent: the server reads forward
    last N, no until     number=N (the last N matching), flows before `since` dropped here
    last N, until given  number=0 over [since or the epoch, until], read up to a bound, the
                         last N kept here (a `since` is always sent: it makes the server read
                         forward from there, whatever it does with `number` 0 alone)

Lost events (flows Hubble dropped before they reached us) and node-status events are kept apart
so the tools can say the evidence may be incomplete.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from holmes.tools.context import ToolContext
from holmes.tools.hubble.client import hubble_client, rpc_timeout
from holmes.tools.hubble.filters import FlowFilterArgs, whitelist, window
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.proto.observer import observer_pb2
from holmes.tools.hubble.proto.relay import relay_pb2

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class LostEvents:
    """Events a Hubble node lost before they reached us: `count` of them, from `source`."""

    node: str
    source: str
    count: int


@dataclass
class FetchedFlows:
    """What one tool call read: the kept flows in time order, and what may be missing."""

    flows: list[flow_pb2.Flow]
    request: observer_pb2.GetFlowsRequest
    since: datetime | None
    until: datetime | None
    # More flows may match than were kept: `number` of them came back.
    capped: bool = False
    # The window was read only in part (its first `scanned` flows): the kept ones are the last
    # of those, not of the whole window.
    scan_cut: bool = False
    scanned: int = 0
    lost: list[LostEvents] = field(default_factory=list)
    unavailable_nodes: list[str] = field(default_factory=list)

    @property
    def lost_count(self) -> int:
        """How many events Hubble reported lost in total."""
        return sum(lost.count for lost in self.lost)


async def fetch_flows(
    ctx: ToolContext, args: FlowFilterArgs, *, number: int, first: bool = False
) -> FetchedFlows:
    """The last (or first) `number` flows matching `args` in its time window."""
    since, until = window(args, ctx.now())
    request = observer_pb2.GetFlowsRequest(whitelist=whitelist(args))
    if first or until is None:
        scan = request.number = number
        request.first = first
        if first:  # the server reads forward from `since`: send the window as it is
            _stamp(request, "since", since)
            _stamp(request, "until", until)
    else:
        # Read the whole window, bounded, and keep its last N here.
        scan = max(number, 10 * ctx.limits.max_items)
        _stamp(request, "since", since or _EPOCH)
        _stamp(request, "until", until)
    client = hubble_client(ctx)
    responses, cut = await client.get_flows(request, rpc_timeout(ctx), max_flows=scan)
    if ctx.recorder is not None:
        ctx.recorder.hubble_responses(responses)
    fetched = FetchedFlows(flows=[], request=request, since=since, until=until, scan_cut=cut)
    kept: deque[flow_pb2.Flow] = deque(maxlen=number)
    for response in responses:
        fetched.scanned += _collect(response, fetched, kept, since)
    fetched.flows = list(kept)
    fetched.capped = cut or len(kept) == number
    return fetched


def _collect(
    response: observer_pb2.GetFlowsResponse,
    fetched: FetchedFlows,
    kept: deque[flow_pb2.Flow],
    since: datetime | None,
) -> int:
    """File one response; return 1 for a flow (read, kept or not), else 0."""
    kind = response.WhichOneof("response_types")
    if kind == "flow":
        flow = response.flow
        flow.node_name = flow.node_name or response.node_name
        if since is None or flow.time.ToDatetime(tzinfo=since.tzinfo) >= since:
            kept.append(flow)
        return 1
    if kind == "lost_events":
        lost = response.lost_events
        fetched.lost.append(
            LostEvents(
                node=response.node_name or "?",
                source=flow_pb2.LostEventSource.Name(lost.source),
                count=lost.num_events_lost,
            )
        )
    elif kind == "node_status":
        status = response.node_status
        if status.state_change in (relay_pb2.NODE_UNAVAILABLE, relay_pb2.NODE_ERROR):
            fetched.unavailable_nodes.extend(status.node_names)
    return 0


def _stamp(request: observer_pb2.GetFlowsRequest, name: str, moment: datetime | None) -> None:
    if moment is not None:
        stamp = Timestamp()
        stamp.FromDatetime(moment)
        getattr(request, name).CopyFrom(stamp)
