"""The Hubble observer replay over loopback: a real grpc.aio client against HubbleReplayServer.

Most tests replay the sample bundle `hubble-policy-denied` (frontend -> backend TCP 8080 dropped
with POLICY_DENIED, plus DNS, forwarded and host noise) and compare what the server streams with
what the bundle's JSON lines say, computed here without our code. Features the sample lacks
(HTTP 5xx, lost events, bad lines) use small bundles written into tmp_path.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format

from holmes.evals import BundleError, load_bundle
from holmes.evals.replay.hubble import HubbleReplayServer
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc
from holmes.tools.hubble.proto.relay import relay_pb2
from tests.conftest import INCIDENTS

SAMPLE = INCIDENTS / "hubble-policy-denied"
Filter = dict[str, Any]


def _lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SAMPLE / "hubble" / "flows.jsonl").open()]


def _uuids(keep: Callable[[dict[str, Any]], bool]) -> list[str]:
    """Uuids of the sample's flows that `keep` accepts, in time order: the expected answer."""
    flows = [line["flow"] for line in _lines() if "flow" in line]
    return [f["uuid"] for f in sorted(flows, key=lambda f: f["time"]) if keep(f)]


def _dropped_to_backend(f: dict[str, Any]) -> bool:
    destination = f.get("destination", {})
    return (
        f.get("verdict") == "DROPPED"
        and destination.get("namespace") == "shop"
        and destination.get("pod_name", "").startswith("backend")
    )


@pytest.fixture(scope="module")
def server() -> Iterator[HubbleReplayServer]:
    with HubbleReplayServer(load_bundle(SAMPLE)) as started:
        yield started


@pytest.fixture
async def stub(server: HubbleReplayServer) -> AsyncIterator[observer_pb2_grpc.ObserverStub]:
    async with grpc.aio.insecure_channel(server.address) as channel:
        yield observer_pb2_grpc.ObserverStub(channel)


def request(
    whitelist: Sequence[Filter] = (), blacklist: Sequence[Filter] = (), **fields: Any
) -> observer_pb2.GetFlowsRequest:
    return json_format.ParseDict(
        {"whitelist": list(whitelist), "blacklist": list(blacklist), **fields},
        observer_pb2.GetFlowsRequest(),
    )


async def flows(stub, req: observer_pb2.GetFlowsRequest) -> list[observer_pb2.GetFlowsResponse]:
    return [response async for response in stub.GetFlows(req)]


def uuids(responses: list[observer_pb2.GetFlowsResponse]) -> list[str]:
    return [response.flow.uuid for response in responses]


DROPPED_TO_BACKEND = {"verdict": ["DROPPED"], "destination_pod": ["shop/backend"]}


async def test_dropped_to_backend_in_time_order(stub) -> None:
    got = await flows(stub, request([DROPPED_TO_BACKEND]))
    expected = _uuids(_dropped_to_backend)
    assert len(expected) == 88
    assert uuids(got) == expected
    times = [response.time.ToNanoseconds() for response in got]
    assert times == sorted(times)
    first = got[0]
    assert first.flow.drop_reason_desc == flow_pb2.POLICY_DENIED
    assert first.node_name == first.flow.node_name and first.node_name.startswith("kind-worker")
    assert first.time == first.flow.time


async def test_number_gives_the_last_n_and_first_the_first_n(stub) -> None:
    expected = _uuids(_dropped_to_backend)
    assert uuids(await flows(stub, request([DROPPED_TO_BACKEND], number="5"))) == expected[-5:]
    first = request([DROPPED_TO_BACKEND], number="5", first=True)
    assert uuids(await flows(stub, first)) == expected[:5]
    everything = await flows(stub, request())
    assert len(everything) == 164  # number 0: every flow, as a Hubble server does


async def test_blacklist_removes_matching_flows(stub) -> None:
    got = await flows(stub, request([DROPPED_TO_BACKEND], [{"node_name": ["kind-worker2"]}]))
    expected = _uuids(lambda f: _dropped_to_backend(f) and f["node_name"] != "kind-worker2")
    assert uuids(got) == expected and 0 < len(expected) < 88


async def test_namespace_is_two_ored_filters(stub) -> None:
    got = await flows(
        stub, request([{"source_pod": ["kube-system/"]}, {"destination_pod": ["kube-system/"]}])
    )
    expected = _uuids(
        lambda f: "kube-system" in (f["source"].get("namespace"), f["destination"].get("namespace"))
    )
    assert uuids(got) == expected and len(expected) == 22


async def test_since_and_until_bound_the_time(stub) -> None:
    since, until = "2026-09-02T15:57:00Z", "2026-09-02T15:59:00Z"
    got = await flows(stub, request([DROPPED_TO_BACKEND], since=since, until=until))
    expected = _uuids(lambda f: _dropped_to_backend(f) and since <= f["time"] <= until)
    assert uuids(got) == expected and 0 < len(expected) < 88
    # With `since`, reading starts there, so `number` caps from the start (Cilium's ring reader).
    capped = await flows(stub, request([DROPPED_TO_BACKEND], since=since, number="3"))
    assert uuids(capped) == expected[:3]
    # With `until` alone, the last N come from all flows and are then cut at `until`.
    cut = await flows(stub, request([DROPPED_TO_BACKEND], until=until, number="3"))
    assert cut == []


async def test_dns_query_regex_and_protocol(stub) -> None:
    got = await flows(stub, request([{"dns_query": [r"^backend\.shop\.svc\."]}]))
    expected = _uuids(lambda f: "dns" in f.get("l7", {}))
    assert uuids(got) == expected and len(expected) == 22
    assert uuids(await flows(stub, request([{"protocol": ["dns"]}]))) == expected


async def test_label_selectors(stub) -> None:
    selected = request(
        [{"source_label": ["app=frontend"], "destination_label": ["k8s:app in (backend)"]}]
    )
    expected = _uuids(
        lambda f: (
            "k8s:app=frontend" in f["source"].get("labels", [])
            and "k8s:app=backend" in f["destination"].get("labels", [])
        )
    )
    assert uuids(await flows(stub, selected)) == expected
    assert expected == _uuids(_dropped_to_backend)
    world = await flows(stub, request([{"destination_label": ["reserved:world"]}]))
    assert len(world) == 6 and all(r.node_name == "kind-control-plane" for r in world)


async def test_cidr_filter(stub) -> None:
    got = await flows(
        stub, request([{"destination_ip": ["10.244.2.0/24"], "verdict": ["DROPPED"]}])
    )
    expected = _uuids(
        lambda f: f["IP"]["destination"].startswith("10.244.2.") and f["verdict"] == "DROPPED"
    )
    assert uuids(got) == expected and len(expected) > 0


async def test_follow_sends_the_initial_batch_then_ends(stub) -> None:
    got = await flows(stub, request([DROPPED_TO_BACKEND], number="2", follow=True))
    assert uuids(got) == _uuids(_dropped_to_backend)[-2:]
    # Like Hubble: follow without number or since starts at the end, and a replay has no future.
    assert await flows(stub, request(follow=True)) == []


async def test_field_mask_keeps_only_the_named_fields(stub) -> None:
    masked = request(
        [DROPPED_TO_BACKEND], number="1", field_mask="source.podName,verdict"
    )  # JSON: camelCase
    (response,) = await flows(stub, masked)
    assert response.flow.verdict == flow_pb2.DROPPED
    assert response.flow.source.pod_name.startswith("frontend")
    assert not response.flow.uuid and not response.flow.HasField("destination")
    assert response.node_name and response.HasField("time")


@pytest.mark.parametrize(
    ("fields", "code", "named"),
    [
        ({"whitelist": [{"dns_query": ["(bad"]}]}, "INVALID_ARGUMENT", "whitelist[0].dns_query"),
        ({"blacklist": [{"source_ip": ["10.1.0.0/40"]}]}, "INVALID_ARGUMENT", "blacklist[0]"),
        ({"whitelist": [{"http_status_code": ["5xx"]}]}, "INVALID_ARGUMENT", "http_status_code"),
        ({"first": True, "follow": True}, "INVALID_ARGUMENT", "first"),
        ({"field_mask": "source.nope"}, "INVALID_ARGUMENT", "field_mask"),
        (
            {"whitelist": [{"experimental": {"cel_expression": ["true"]}}]},
            "UNIMPLEMENTED",
            "cel_expression",
        ),
    ],
)
async def test_invalid_requests_name_the_field(stub, fields: Filter, code: str, named: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await flows(stub, json_format.ParseDict(fields, observer_pb2.GetFlowsRequest()))
    assert caught.value.code() == getattr(grpc.StatusCode, code)
    assert named in caught.value.details()


async def test_server_status_is_a_relays(stub) -> None:
    status = await stub.ServerStatus(observer_pb2.ServerStatusRequest())
    assert status.num_flows == status.seen_flows == 164
    assert status.max_flows == 3 * 4095
    assert status.num_connected_nodes.value == 3
    assert status.HasField("num_unavailable_nodes") and status.num_unavailable_nodes.value == 0
    assert status.version == "holmes-replay"
    # From the first flow (15:55:30.000000123) to the incident's "now" (16:05:00).
    assert status.uptime_ns == 570 * 10**9 - 123


async def test_get_nodes_and_namespaces(stub) -> None:
    nodes = (await stub.GetNodes(observer_pb2.GetNodesRequest())).nodes
    counts = {}
    for line in _lines():
        counts[line["node_name"]] = counts.get(line["node_name"], 0) + 1
    assert [(n.name, n.num_flows) for n in nodes] == sorted(counts.items())
    assert {n.state for n in nodes} == {relay_pb2.NODE_CONNECTED}
    namespaces = (await stub.GetNamespaces(observer_pb2.GetNamespacesRequest())).namespaces
    assert [(n.cluster, n.namespace) for n in namespaces] == [
        ("default", "kube-system"),
        ("default", "monitoring"),
        ("default", "shop"),
    ]


async def test_agent_and_debug_event_streams_are_empty(stub) -> None:
    assert [e async for e in stub.GetAgentEvents(observer_pb2.GetAgentEventsRequest())] == []
    assert [e async for e in stub.GetDebugEvents(observer_pb2.GetDebugEventsRequest())] == []


# -- small bundles written here ------------------------------------------------------------------


def write_bundle(root: Path, lines: list[str]) -> Path:
    folder = root / "hubble-tmp"
    (folder / "hubble").mkdir(parents=True)
    (folder / "incident.yaml").write_text(
        "id: hubble-tmp\ntime: '2026-03-18T14:32:00Z'\nquestion: why?\nsources: [hubble]\n"
    )
    (folder / "hubble" / "flows.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def http_line(uuid: str, second: int, code: int, *, on_response_only: bool = False) -> str:
    stamp = f"2026-03-18T14:30:{second:02d}Z"
    flow = {
        "uuid": uuid,
        "verdict": "FORWARDED",
        "Type": "L7",
        "event_type": {"type": 129},
        "source": {"namespace": "shop", "pod_name": "frontend-1"},
        "destination": {"namespace": "shop", "pod_name": "cart-0"},
        "l7": {"type": "RESPONSE", "http": {"code": code, "method": "GET", "url": "/api"}},
    }
    if on_response_only:  # time and node only at the response level
        return json.dumps({"flow": flow, "node_name": "node-a", "time": stamp})
    return json.dumps({"flow": {**flow, "time": stamp, "node_name": "node-b"}})


async def test_http_status_ranges_and_lost_events(tmp_path: Path) -> None:
    lost = {
        "lost_events": {"source": "HUBBLE_RING_BUFFER", "num_events_lost": "42"},
        "node_name": "node-a",
        "time": "2026-03-18T14:30:02Z",
    }
    lines = [
        http_line("a", 3, 503, on_response_only=True),
        http_line("b", 1, 200),
        json.dumps(lost),
        http_line("c", 4, 404),
        http_line("d", 5, 502),
    ]
    with HubbleReplayServer(load_bundle(write_bundle(tmp_path, lines))) as server:
        async with grpc.aio.insecure_channel(server.address) as channel:
            stub = observer_pb2_grpc.ObserverStub(channel)
            got = await flows(stub, request([{"http_status_code": ["5+"]}]))
            # The lost event is served where it falls in time, unfiltered and uncounted.
            assert [r.WhichOneof("response_types") for r in got] == ["lost_events", "flow", "flow"]
            assert uuids(got[1:]) == ["a", "d"]
            assert got[1].flow.node_name == "node-a" and got[1].flow.time.seconds % 60 == 3
            assert uuids(await flows(stub, request([{"http_status_code": ["404", "2+"]}]))) == [
                "b",
                "",
                "c",
            ]
            last = await flows(stub, request([{"http_status_code": ["5+"]}], number="1"))
            assert uuids(last) == ["d"]
            nodes = (await stub.GetNodes(observer_pb2.GetNodesRequest())).nodes
            assert [(n.name, n.num_flows) for n in nodes] == [("node-a", 1), ("node-b", 3)]


@pytest.mark.parametrize(
    ("bad", "skipped", "unknown"),
    [
        # unknown fields and enum names are ignored and counted, as protojson's DiscardUnknown
        ('{"flow": {"time": "2026-03-18T14:30:01Z", "verdict": "MAYBE"}}', "",
         "flow.verdict=MAYBE"),
        ('{"flow": {"time": "2026-03-18T14:30:01Z", "verdikt": "DROPPED"}}', "", "flow.verdikt"),
        # lines that cannot be read are skipped, named with their reason
        ('{"flow": {"time": "2026-03-18T14:30:01Z", "l4": {"TCP": {"source_port": 1.5}}}}',
         "1.5", ""),
        ('{"node_name": "n", "time": "2026-03-18T14:30:00Z"}', "no 'flow'", ""),
        ('{"agent_event": {"type": "AGENT_STARTED"}, "time": "2026-03-18T14:30:00Z"}',
         "agent_event is not a flow response", ""),
        ('{"debug_event": {"type": "DBG_GENERIC"}, "time": "2026-03-18T14:30:00Z"}',
         "debug_event is not a flow response", ""),
        ('{"flow": {"verdict": ', "not a JSON object", ""),
    ],
)  # fmt: skip
def test_a_bad_line_is_skipped_and_named_not_fatal(
    tmp_path: Path, bad: str, skipped: str, unknown: str
) -> None:
    folder = write_bundle(tmp_path, [http_line("a", 1, 200), bad, http_line("b", 2, 200)])
    server = HubbleReplayServer(load_bundle(folder))
    load = server.load
    served = [e.flow.uuid for e in load.events if e.flow is not None]
    if skipped:
        assert served == ["a", "b"]
        assert [s.line for s in load.skipped] == [2] and skipped in load.skipped[0].reason
        assert "line 2: " in load.summary()
    else:
        assert served == ["a", "", "b"] and not load.skipped
        assert load.unknown_fields == {unknown: 1} and unknown in load.summary()


def test_a_file_with_no_readable_line_fails_naming_file_and_line(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path, ['{"agent_event": {}}', "[1]"])
    with pytest.raises(BundleError) as caught:
        HubbleReplayServer(load_bundle(folder))
    assert caught.value.path == folder / "hubble" / "flows.jsonl"
    assert caught.value.where == "1" and "agent_event" in caught.value.problem


async def test_time_less_records_are_timed_by_their_neighbours(tmp_path: Path) -> None:
    lost = {"lost_events": {"source": "HUBBLE_RING_BUFFER", "num_events_lost": "7"}}
    lines = [json.dumps(lost), http_line("a", 5, 200), json.dumps(lost), http_line("b", 9, 200)]
    server = HubbleReplayServer(load_bundle(write_bundle(tmp_path, lines)))
    assert server.load.timed_by_neighbours == [1, 3]
    seconds = [
        (e.response.WhichOneof("response_types"), e.response.time.seconds % 60)
        for e in server.load.events
    ]
    # the first takes the next line's time (nothing before it), the other the previous one's
    assert seconds == [("lost_events", 5), ("flow", 5), ("lost_events", 5), ("flow", 9)]
    with server:
        async with grpc.aio.insecure_channel(server.address) as channel:
            got = await flows(observer_pb2_grpc.ObserverStub(channel), request([]))
            assert [r.WhichOneof("response_types") for r in got].count("lost_events") == 2


def test_start_is_fast_and_stop_is_idempotent(tmp_path: Path) -> None:
    server = HubbleReplayServer(load_bundle(write_bundle(tmp_path, [http_line("a", 1, 200)])))
    with pytest.raises(RuntimeError):
        _ = server.address
    started = time.perf_counter()
    server.start()
    elapsed = time.perf_counter() - started
    try:
        host, port = server.address.split(":")
        assert host == "127.0.0.1" and int(port) > 0
        with pytest.raises(RuntimeError):
            server.start()
    finally:
        server.stop()
    server.stop()
    # Typically a few milliseconds; the margin keeps a busy CI machine from failing it.
    assert elapsed < 0.1 * 3
    with pytest.raises(RuntimeError):
        _ = server.address
