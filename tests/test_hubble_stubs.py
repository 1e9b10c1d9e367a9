"""Our Hubble proto subset: the committed stubs are exactly what the generator makes, and the JSON
that `hubble observe -o jsonpb` prints parses into our messages and prints back unchanged."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import json_format

from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.proto.observer import observer_pb2
from holmes.tools.hubble.proto.relay import relay_pb2
from tests.conftest import REPO

PROTO_DIR = Path("holmes/tools/hubble/proto")
GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py", "_pb2.pyi")
# The generator stamps its own version into the code (grpcio-tools' GRPC_GENERATED_VERSION,
# protobuf's gencode version); a newer patch release of the generator changes nothing else. The
# test checks that the committed stubs come from the committed protos, so the stamps are masked.
VERSION_STAMPS = (
    re.compile(rb"GRPC_GENERATED_VERSION = '[^']*'"),
    re.compile(rb"# Protobuf Python Version: \S+"),
    re.compile(rb"ValidateProtobufRuntimeVersion\(\s*_runtime_version\.Domain\.PUBLIC,[^)]*\)"),
)


def _without_version_stamps(code: bytes) -> bytes:
    for stamp in VERSION_STAMPS:
        code = stamp.sub(b"<generator version>", code)
    return code


# shared/reference/hubble.md, section 8: an ingress drop because mutual auth was not established.
EXAMPLE_LINE = (
    '{"flow":{"time":"2026-11-02T10:15:30.123456789Z","uuid":"5b0f5a3e-0000-4000-8000-000000000001",'
    '"verdict":"DROPPED","IP":{"source":"10.0.1.12","destination":"10.0.2.34","ipVersion":"IPv4"},'
    '"l4":{"TCP":{"source_port":43122,"destination_port":8080,"flags":{"SYN":true}}},'
    '"source":{"ID":1234,"identity":5678,"namespace":"shop","labels":["k8s:app=frontend"],'
    '"pod_name":"frontend-6c9f7d-abcde","workloads":[{"name":"frontend","kind":"Deployment"}]},'
    '"destination":{"identity":9012,"namespace":"shop","labels":["k8s:app=cart"],'
    '"pod_name":"cart-0"},"Type":"L3_L4","node_name":"kind-worker",'
    '"event_type":{"type":1,"sub_type":189},"traffic_direction":"INGRESS",'
    '"drop_reason_desc":"AUTH_REQUIRED","is_reply":false,"auth_type":"SPIRE",'
    '"Summary":"TCP Flags: SYN"},"node_name":"kind-worker","time":"2026-11-02T10:15:30.123456789Z"}'
)
L7_LINE = {
    "flow": {
        "Type": "L7",
        "event_type": {"type": 129},
        "l7": {
            "type": "RESPONSE",
            "latency_ns": "2350000",
            "http": {
                "code": 503,
                "method": "GET",
                "url": "http://cart.shop.svc:8080/api/items",
                "protocol": "HTTP/1.1",
            },
        },
    },
    "node_name": "kind-worker",
}
DNS_LINE = {
    "flow": {
        "l7": {
            "type": "RESPONSE",
            "dns": {
                "query": "cart.shop.svc.cluster.local.",
                "rcode": 3,
                "qtypes": ["A"],
                "observation_source": "proxy",
            },
        }
    }
}
LOST_LINE = {
    "lost_events": {"source": "HUBBLE_RING_BUFFER", "num_events_lost": "42"},
    "node_name": "kind-worker",
    "time": "2026-11-02T10:15:31Z",
}


def _committed() -> dict[str, bytes]:
    return {
        str(path.relative_to(REPO / PROTO_DIR)): path.read_bytes()
        for path in sorted((REPO / PROTO_DIR).rglob("*"))
        if path.name.endswith(GENERATED_SUFFIXES)
    }


def test_committed_stubs_equal_freshly_generated_ones(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable}
    subprocess.run(
        ["bash", str(REPO / "scripts" / "generate_hubble_stubs.sh"), str(tmp_path)],
        check=True,
        env=env,
        capture_output=True,
    )
    fresh = {
        str(path.relative_to(tmp_path / PROTO_DIR)): path.read_bytes()
        for path in sorted((tmp_path / PROTO_DIR).rglob("*"))
        if path.name.endswith(GENERATED_SUFFIXES)
    }
    committed = _committed()
    assert sorted(fresh) == sorted(committed)
    changed = [
        name
        for name in fresh
        if _without_version_stamps(fresh[name]) != _without_version_stamps(committed[name])
    ]
    assert not changed, f"regenerate with scripts/generate_hubble_stubs.sh: {changed} differ"


def test_version_stamps_are_masked_and_nothing_else() -> None:
    committed = _committed()["observer/observer_pb2_grpc.py"]
    assert b"GRPC_GENERATED_VERSION = '" in committed
    bumped = re.sub(
        rb"GRPC_GENERATED_VERSION = '[^']*'", b"GRPC_GENERATED_VERSION = '9.9.9'", committed
    )
    assert _without_version_stamps(bumped) == _without_version_stamps(committed)
    edited = committed.replace(b"GetFlows", b"GetFlowz", 1)
    assert _without_version_stamps(edited) != _without_version_stamps(committed)


def test_generated_code_imports_are_package_qualified() -> None:
    observer_source = (REPO / PROTO_DIR / "observer" / "observer_pb2.py").read_text()
    assert "from holmes.tools.hubble.proto.flow import flow_pb2" in observer_source
    assert "from holmes.tools.hubble.proto.relay import relay_pb2" in observer_source
    # `import public` of flow: the observer module re-exports every flow name, as in Cilium.
    assert observer_pb2.FlowFilter is flow_pb2.FlowFilter
    assert observer_pb2.DROPPED == flow_pb2.DROPPED == 2


def test_reference_example_line_round_trips() -> None:
    response = json_format.Parse(EXAMPLE_LINE, observer_pb2.GetFlowsResponse())
    flow = response.flow
    assert response.WhichOneof("response_types") == "flow"
    assert flow.verdict == flow_pb2.DROPPED
    assert flow.drop_reason_desc == flow_pb2.AUTH_REQUIRED == 189
    assert flow.auth_type == flow_pb2.SPIRE
    assert flow.l4.TCP.flags.SYN and not flow.l4.TCP.flags.ACK
    assert flow.IP.ipVersion == flow_pb2.IPv4
    assert flow.source.ID == 1234 and flow.Type == flow_pb2.L3_L4
    assert flow.HasField("is_reply") and flow.is_reply.value is False
    assert flow.time.nanos == 123456789
    printed = json_format.MessageToJson(response, preserving_proto_field_name=True, indent=None)
    assert json.loads(printed) == json.loads(EXAMPLE_LINE)
    # Proto field names, as Hubble prints them (not the lowerCamel JSON names).
    assert '"drop_reason_desc"' in printed and '"IP"' in printed and '"Type"' in printed


@pytest.mark.parametrize("line", [L7_LINE, DNS_LINE, LOST_LINE], ids=["l7", "dns", "lost"])
def test_reference_fragments_round_trip(line: dict) -> None:
    response = json_format.ParseDict(line, observer_pb2.GetFlowsResponse())
    assert json_format.MessageToDict(response, preserving_proto_field_name=True) == line


def test_camel_case_json_names_are_accepted_too() -> None:
    flow = json_format.Parse(
        '{"dropReasonDesc": "POLICY_DENIED", "isReply": true, "trafficDirection": "EGRESS"}',
        flow_pb2.Flow(),
    )
    assert flow.drop_reason_desc == flow_pb2.POLICY_DENIED
    assert flow.is_reply.value is True and flow.traffic_direction == flow_pb2.EGRESS


def _number(message: type, field: str) -> int:
    return message.DESCRIPTOR.fields_by_name[field].number


# Field numbers that are easy to get wrong (non-sequential in Cilium's protos).
@pytest.mark.parametrize(
    ("message", "field", "number"),
    [
        (flow_pb2.Flow, "uuid", 34),
        (flow_pb2.Flow, "emitter", 41),
        (flow_pb2.Flow, "auth_type", 35),
        (flow_pb2.Flow, "tunnel", 39),
        (flow_pb2.Flow, "node_labels", 37),
        (flow_pb2.Flow, "trace_reason", 36),
        (flow_pb2.Flow, "file", 38),
        (flow_pb2.Flow, "ip_trace_id", 40),
        (flow_pb2.Flow, "drop_reason_desc", 25),
        (flow_pb2.Flow, "is_reply", 26),
        (flow_pb2.Flow, "Summary", 100000),
        (flow_pb2.Flow, "extensions", 150000),
        (flow_pb2.Flow, "egress_denied_by", 21004),
        (flow_pb2.Flow, "aggregate", 21007),
        (flow_pb2.Endpoint, "cluster_name", 7),
        (flow_pb2.IP, "source_xlated", 5),
        (flow_pb2.FlowFilter, "uuid", 29),
        (flow_pb2.FlowFilter, "source_ip_xlated", 34),
        (flow_pb2.FlowFilter, "drop_reason_desc", 33),
        (flow_pb2.FlowFilter, "http_url", 31),
        (flow_pb2.FlowFilter, "encrypted", 40),
        (flow_pb2.FlowFilter, "experimental", 999),
        (observer_pb2.GetFlowsRequest, "first", 9),
        (observer_pb2.GetFlowsRequest, "field_mask", 10),
        (observer_pb2.GetFlowsResponse, "node_name", 1000),
        (observer_pb2.GetFlowsResponse, "time", 1001),
        (observer_pb2.GetAgentEventsRequest, "follow", 2),
    ],
)
def test_field_numbers_match_the_reference(message: type, field: str, number: int) -> None:
    assert _number(message, field) == number


def test_enum_values_match_the_reference() -> None:
    assert flow_pb2.TO_ENDPOINT == 101
    assert flow_pb2.POLICY_DENIED == 133 and flow_pb2.POLICY_DENY == 181
    assert flow_pb2.DROP_PUNT_PROXY == 205
    assert 159 not in flow_pb2.DropReason.values()
    assert len(flow_pb2.DropReason.values()) == 76
    assert relay_pb2.NODE_ERROR == 4
    assert flow_pb2.Tunnel.GENEVE == 2


def test_observer_service_methods_are_wire_named() -> None:
    service = observer_pb2.DESCRIPTOR.services_by_name["Observer"]
    assert service.full_name == "observer.Observer"
    assert sorted(method.name for method in service.methods) == [
        "GetAgentEvents",
        "GetDebugEvents",
        "GetFlows",
        "GetNamespaces",
        "GetNodes",
        "ServerStatus",
    ]
    assert observer_pb2.GetFlowsResponse.DESCRIPTOR.full_name == "observer.GetFlowsResponse"
    assert flow_pb2.Flow.DESCRIPTOR.full_name == "flow.Flow"
