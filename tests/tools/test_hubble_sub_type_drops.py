"""A drop that carries only `event_type.sub_type` (some exporters leave out drop_reason_desc)
is shown with its reason: sub_type of a drop event is the drop reason code (hubble.md, 5).
Through the tools against a replay of a flow file with such lines, an unknown field and an
agent event among them (read tolerantly, as Hubble's own reader does)."""

from __future__ import annotations

import json
from pathlib import Path

from google.protobuf import json_format

from holmes.tools.hubble.drop_reasons import flow_drop_reason
from holmes.tools.hubble.proto.flow import flow_pb2


def flow(**fields) -> flow_pb2.Flow:
    return json_format.ParseDict(fields, flow_pb2.Flow())


def test_the_reason_comes_from_sub_type_when_drop_reason_desc_is_absent() -> None:
    only_sub_type = flow(verdict="DROPPED", event_type={"type": 1, "sub_type": 133})
    assert flow_drop_reason(only_sub_type).name == "POLICY_DENIED"
    described = flow(verdict="DROPPED", drop_reason_desc="AUTH_REQUIRED",
                     event_type={"type": 1, "sub_type": 133})  # fmt: skip
    assert flow_drop_reason(described).name == "AUTH_REQUIRED"
    # a trace event's sub_type is an observation point, not a reason
    assert (
        flow_drop_reason(flow(verdict="FORWARDED", event_type={"type": 4, "sub_type": 3})) is None
    )


def write_bundle(root: Path) -> Path:
    folder = root / "hubble-sub-type"
    (folder / "hubble").mkdir(parents=True)
    (folder / "incident.yaml").write_text(
        "id: hubble-sub-type\ntime: '2026-05-02T08:00:00Z'\nquestion: why?\nsources: [hubble]\n"
    )
    drop = {
        "verdict": "DROPPED",
        "IP": {"source": "10.8.1.4", "destination": "10.8.2.9", "ipVersion": "IPv4"},
        "l4": {"TCP": {"source_port": 40112, "destination_port": 6379, "flags": {"SYN": True}}},
        "source": {"namespace": "feast", "pod_name": "feature-server-0"},
        "destination": {"namespace": "feast", "pod_name": "redis-0"},
        "event_type": {"type": 1, "sub_type": 133},
        "traffic_direction": "INGRESS",
        "a_field_from_a_newer_cilium": {"x": 1},
    }
    lines = [
        {"flow": {**drop, "uuid": f"u{i}", "time": f"2026-05-02T07:59:{i:02d}Z"}, "node_name": "n1"}
        for i in range(3)
    ]
    lines.insert(1, {"agent_event": {"type": "POLICY_UPDATED"}, "time": "2026-05-02T07:59:00Z"})
    text = "\n".join(json.dumps(line) for line in lines) + "\n"
    (folder / "hubble" / "flows.jsonl").write_text(text)
    return folder


async def test_sub_type_drops_are_named_through_the_tools(tmp_path, call) -> None:
    bundle = write_bundle(tmp_path)
    result = await call("hubble_flows", bundle, verdict="DROPPED")
    assert result.ok, result.error
    assert "POLICY_DENIED (133, Policy denied)" in result.text
    lines = [line for line in result.text.splitlines() if line.startswith("2026")]
    assert len(lines) == 3 and all("DROPPED POLICY_DENIED" in line for line in lines)
    summary = await call("hubble_flow_summary", bundle)
    assert summary.ok, summary.error
    assert "DROPPED 3: POLICY_DENIED" in summary.text
