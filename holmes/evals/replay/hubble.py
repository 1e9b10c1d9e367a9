"""The Hubble Relay replay: `observer.Observer` over gRPC, serving a bundle's recorded flows.

Tests, the demo and the eval runner start a `HubbleReplayServer` for a bundle and point the
Hubble toolset's real client at `server.address`, exactly as it would dial a Hubble Relay on
port 4245. Requests are answered the way a Hubble server answers them (Cilium's
`local_observer.go`, shared/reference/hubble.md):

- Flows are served in time order. `number` N gives the last N matching flows, or the first N
  with `first`; `number` 0 gives every matching flow (the CLI's default of 20 is client-side).
  `since` and `until` bound the flow time. As in Cilium's ring reader, `number` combines with
  them oddly, so clients should not combine them: with `since` the reading starts there and
  `number` caps from the start (first N); with `until` alone the last N are picked from all
  flows and then cut at `until`. `first` together with `follow` is refused.
- `follow` sends the initial batch and ends the stream: a replay has no future. As in Cilium,
  `follow` with `number` 0 and no `since` starts at the end, so that batch is empty.
- Filters follow `holmes.evals.replay.hubble_filters`; a bad filter, timestamp or field mask is
  INVALID_ARGUMENT with a message naming the field, a CEL filter UNIMPLEMENTED.
- Lost-event and node-status lines are served where they fall in time, unfiltered and not
  counted against `number`, as Hubble does with lost events. The file is read tolerantly, as
  Hubble's own reader does (hubble_records.py): unknown fields ignored and counted, lines it
  cannot read skipped and named in `load`, time-less records timed by their neighbours.
- ServerStatus, GetNodes and GetNamespaces answer as a Relay would, from the recorded flows,
  with the bundle's time as "now". The bundle has no agent or debug events: those streams end
  empty.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import grpc

from holmes.evals.bundle import Bundle
from holmes.evals.replay.hubble_filters import FilterError, FlowMatcher, UnsupportedFilter
from holmes.evals.replay.hubble_records import FlowLoad, RecordedEvent, load_events
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc
from holmes.tools.hubble.proto.relay import relay_pb2

VERSION = "holmes-replay"
# A Hubble agent's default ring capacity; a Relay reports the sum over its nodes.
RING_CAPACITY = 4095
_START_TIMEOUT_S = 10.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST_WITH_FOLLOW = "first: first cannot be specified with follow"
# Timestamp bounds of protobuf's well-known type (years 0001 to 9999).
_MIN_SECONDS, _MAX_SECONDS = -62135596800, 253402300799


def select_events(
    events: list[RecordedEvent], request: observer_pb2.GetFlowsRequest, matcher: FlowMatcher
) -> list[RecordedEvent]:
    """The events a Hubble server streams for `request`, before `follow` would wait for more.

    Mirrors Cilium's ring reader: find where reading starts (rewinding over matching flows),
    then read forward, stopping after `until` or after `number` flows.
    """
    since = request.since.ToNanoseconds() if request.HasField("since") else None
    until = request.until.ToNanoseconds() if request.HasField("until") else None
    chosen: list[RecordedEvent] = []
    served = 0
    for event in events[_start_index(events, request, matcher, since) :]:
        if request.number and served >= request.number:
            break
        if event.flow is None:
            chosen.append(event)
            continue
        if until is not None and event.time_ns > until:
            break
        if (since is not None and event.time_ns < since) or not matcher.matches(event.flow):
            continue
        chosen.append(event)
        served += 1
    return chosen


def _start_index(
    events: list[RecordedEvent],
    request: observer_pb2.GetFlowsRequest,
    matcher: FlowMatcher,
    since: int | None,
) -> int:
    if request.first and since is None:
        return 0
    if request.follow and not request.number and since is None:
        return len(events)
    matched = 0
    for index in range(len(events) - 1, -1, -1):
        flow = events[index].flow
        if flow is None or not matcher.matches(flow):
            continue
        if since is not None:
            if events[index].time_ns < since:
                return index + 1
        else:
            matched += 1
            if matched == request.number:
                return index
    return 0


def check_request(request: observer_pb2.GetFlowsRequest) -> None:
    """Refuse what Hubble refuses, naming the field: raise `FilterError`."""
    if request.first and request.follow:
        raise FilterError("first", _FIRST_WITH_FOLLOW.removeprefix("first: "))
    for name in ("since", "until"):
        stamp = getattr(request, name)
        if request.HasField(name) and not (
            _MIN_SECONDS <= stamp.seconds <= _MAX_SECONDS and 0 <= stamp.nanos < 1_000_000_000
        ):
            raise FilterError(name, "timestamp out of range")
    mask = request.field_mask
    if mask.paths and not mask.IsValidForDescriptor(flow_pb2.Flow.DESCRIPTOR):
        raise FilterError(
            "field_mask", f"{list(mask.paths)} names fields that flow.Flow does not have"
        )


class _ObserverServicer(observer_pb2_grpc.ObserverServicer):
    """observer.Observer over recorded events; `now_ns` is the bundle's time."""

    def __init__(self, events: list[RecordedEvent], now_ns: int) -> None:
        self._events = events
        self._flows = [event.flow for event in events if event.flow is not None]
        self._now_ns = now_ns
        self._nodes: dict[str, int] = {}
        for flow in self._flows:
            if flow.node_name:
                self._nodes[flow.node_name] = self._nodes.get(flow.node_name, 0) + 1
        first = min((event.time_ns for event in events), default=now_ns)
        self._uptime_ns = max(0, now_ns - first)

    async def GetFlows(self, request, context):
        """Stream the matching recorded flows (see the module docstring for the semantics)."""
        try:
            check_request(request)
            matcher = FlowMatcher(request.whitelist, request.blacklist)
        except FilterError as error:
            code = grpc.StatusCode.INVALID_ARGUMENT
            if isinstance(error, UnsupportedFilter):
                code = grpc.StatusCode.UNIMPLEMENTED
            await context.abort(code, str(error))
        for event in select_events(self._events, request, matcher):
            await context.write(_masked(event.response, request))

    async def GetAgentEvents(self, request, context):
        """End at once: a bundle records no agent events."""
        if request.first and request.follow:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, _FIRST_WITH_FOLLOW)

    async def GetDebugEvents(self, request, context):
        """End at once: a bundle records no debug events."""
        if request.first and request.follow:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, _FIRST_WITH_FOLLOW)

    async def ServerStatus(self, request, context):
        """Ring statistics as a Relay sums them over its nodes."""
        minute_ago = self._now_ns - 60 * 1_000_000_000
        last_minute = sum(
            1 for f in self._flows if minute_ago < f.time.ToNanoseconds() <= self._now_ns
        )
        response = observer_pb2.ServerStatusResponse(
            num_flows=len(self._flows),
            max_flows=max(len(self._flows), RING_CAPACITY * max(1, len(self._nodes))),
            seen_flows=len(self._flows),
            uptime_ns=self._uptime_ns,
            version=VERSION,
            flows_rate=last_minute / 60,
        )
        response.num_connected_nodes.value = len(self._nodes)
        response.num_unavailable_nodes.value = 0
        return response

    async def GetNodes(self, request, context):
        """One connected node per node name seen in the flows, sorted by name."""
        return observer_pb2.GetNodesResponse(
            nodes=[
                observer_pb2.Node(
                    name=name,
                    version=VERSION,
                    state=relay_pb2.NODE_CONNECTED,
                    tls=observer_pb2.TLS(enabled=False),
                    uptime_ns=self._uptime_ns,
                    num_flows=count,
                    max_flows=max(count, RING_CAPACITY),
                    seen_flows=count,
                )
                for name, count in sorted(self._nodes.items())
            ]
        )

    async def GetNamespaces(self, request, context):
        """Namespaces of the flows' endpoints, sorted by cluster then name."""
        seen = {
            (endpoint.cluster_name, endpoint.namespace)
            for flow in self._flows
            for endpoint in (flow.source, flow.destination)
            if endpoint.namespace
        }
        return observer_pb2.GetNamespacesResponse(
            namespaces=[
                observer_pb2.Namespace(cluster=cluster, namespace=namespace)
                for cluster, namespace in sorted(seen)
            ]
        )


def _masked(
    response: observer_pb2.GetFlowsResponse, request: observer_pb2.GetFlowsRequest
) -> observer_pb2.GetFlowsResponse:
    if not response.HasField("flow") or not request.field_mask.paths:
        return response
    masked = observer_pb2.GetFlowsResponse(node_name=response.node_name, time=response.time)
    request.field_mask.MergeMessage(response.flow, masked.flow)
    return masked


class HubbleReplayServer:
    """A grpc.aio `observer.Observer` server on 127.0.0.1 over a bundle's flows.

    It runs in a background thread with its own event loop, so synchronous and asynchronous
    callers use it alike:

        with HubbleReplayServer(bundle) as server:
            channel = grpc.aio.insecure_channel(server.address)
    """

    def __init__(self, bundle: Bundle) -> None:
        """Parse the bundle's flows up front: lines Hubble's reader would skip are skipped and
        named in `load`; a file with no readable line raises `BundleError`."""
        self.load: FlowLoad = load_events(bundle)
        now_ns = (bundle.time - _EPOCH) // timedelta(microseconds=1) * 1000
        self._servicer = _ObserverServicer(self.load.events, now_ns)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: grpc.aio.Server | None = None
        self._port: int | None = None

    def start(self) -> None:
        """Listen on 127.0.0.1 with a free port; return once the server accepts calls."""
        if self._thread is not None:
            raise RuntimeError("the Hubble replay server is already started")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="hubble-replay", daemon=True
        )
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        try:
            self._port = future.result(_START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise

    async def _serve(self) -> int:
        self._server = grpc.aio.server()
        observer_pb2_grpc.add_ObserverServicer_to_server(self._servicer, self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        await self._server.start()
        return port

    def stop(self) -> None:
        """Stop serving (cancelling open streams) and end the thread; safe to call twice."""
        loop, thread, server = self._loop, self._thread, self._server
        self._loop = self._thread = self._server = None
        self._port = None
        if loop is None or thread is None:
            return
        if server is not None:
            asyncio.run_coroutine_threadsafe(server.stop(grace=None), loop).result(_START_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_START_TIMEOUT_S)
        loop.close()

    @property
    def address(self) -> str:
        """`127.0.0.1:PORT`, the target for `grpc.aio.insecure_channel`."""
        if self._port is None:
            raise RuntimeError("the Hubble replay server is not started")
        return f"127.0.0.1:{self._port}"

    def __enter__(self) -> HubbleReplayServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
