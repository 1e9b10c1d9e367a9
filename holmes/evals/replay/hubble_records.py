"""hubble/flows.jsonl read the way Hubble's own file reader reads it: tolerantly.

`hubble observe --input-file` (hubble's `ioReaderObserver`) unmarshals each line into a
`GetFlowsResponse`; a line it cannot read is logged and skipped, never fatal to the file. Here:

- unknown fields (a newer Cilium's, a typo) are ignored
  (`json_format.ParseDict(..., ignore_unknown_fields=True)`) and counted, with their paths;
- `agent_event` and `debug_event` lines (what `hubble observe agent-events/debug-events -o
  jsonpb` prints) are not flow responses: skipped and counted, as Hubble's reader does;
  `lost_events` and `node_status` are kept and served where they fall in time;
- a record without `time` (a `lost_events` record often has none) is timed by its neighbours in
  the file (the previous timed line, else the next one);
- any other line that cannot be read (not JSON, a wrong value type) is skipped, and the load
  result names its line and the reason. Only a file of which no line can be read is an error.

Used by the Hubble replay server (hubble.py).
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from pydantic import BaseModel

from holmes.evals.bundle import Bundle
from holmes.evals.errors import BundleError
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.proto.observer import observer_pb2

log = logging.getLogger(__name__)

# Responses of the other Observer streams (GetAgentEvents, GetDebugEvents).
_OTHER_STREAMS = ("agent_event", "debug_event", "agentEvent", "debugEvent")


@dataclass(frozen=True)
class RecordedEvent:
    """One line of hubble/flows.jsonl as served: the response, its time and its flow if any."""

    time_ns: int
    response: observer_pb2.GetFlowsResponse

    @property
    def flow(self) -> flow_pb2.Flow | None:
        """The flow, or None for a lost-events or node-status line."""
        return self.response.flow if self.response.HasField("flow") else None


class SkippedLine(BaseModel):
    """A line of the flow file that was not served, and why."""

    line: int
    reason: str


@dataclass
class FlowLoad:
    """What reading a bundle's flow file gave: the events in time order and what was not
    read as written (skipped lines, ignored unknown fields, records timed by neighbours)."""

    events: list[RecordedEvent] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    unknown_fields: dict[str, int] = field(default_factory=dict)  # path -> lines
    timed_by_neighbours: list[int] = field(default_factory=list)  # line numbers

    def summary(self) -> str:
        """One sentence for a log or a report; "" when every line was read as written."""
        parts = []
        if self.skipped:
            shown = "; ".join(f"line {s.line}: {s.reason}" for s in self.skipped[:5])
            more = f" and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
            parts.append(f"{len(self.skipped)} lines skipped ({shown}{more})")
        if self.unknown_fields:
            names = ", ".join(f"{name} ({n})" for name, n in sorted(self.unknown_fields.items()))
            parts.append(f"unknown fields ignored: {names}")
        if self.timed_by_neighbours:
            lines = ", ".join(str(n) for n in self.timed_by_neighbours[:10])
            parts.append(f"records without time timed by their neighbours (lines {lines})")
        return "; ".join(parts)


def load_events(bundle: Bundle) -> FlowLoad:
    """Every readable line of the bundle's flow file as a GetFlowsResponse, in time order (line
    order on ties). Response-level and flow-level `time`/`node_name` fill each other."""
    path = bundle.path / "hubble" / "flows.jsonl"
    load = FlowLoad(
        skipped=[SkippedLine(line=s.line, reason=s.reason) for s in bundle.flow_skipped]
    )
    parsed: list[tuple[int, observer_pb2.GetFlowsResponse]] = []
    for record in bundle.flows:
        response = _parse(record.line, record.data, load)
        if response is not None:
            parsed.append((record.line, response))
    _time_by_neighbours(parsed, load)
    load.skipped.sort(key=lambda skipped: skipped.line)
    if not load.events and load.skipped and not parsed:
        first = load.skipped[0]
        raise BundleError(
            path, f"no line is a Hubble flow response: {first.reason}", str(first.line)
        )
    if load.summary():
        log.warning("%s: %s", path, load.summary())
    load.events.sort(key=lambda event: event.time_ns)
    return load


def _parse(line: int, data: dict[str, Any], load: FlowLoad) -> observer_pb2.GetFlowsResponse | None:
    other = [key for key in _OTHER_STREAMS if key in data]
    if other and not any(k in data for k in ("flow", "lost_events", "lostEvents", "node_status")):
        reason = f"{other[0]} is not a flow response (hubble observe skips it)"
        load.skipped.append(SkippedLine(line=line, reason=reason))
        return None
    response = observer_pb2.GetFlowsResponse()
    try:
        json_format.ParseDict(data, response, ignore_unknown_fields=True)
    except json_format.ParseError as error:
        load.skipped.append(SkippedLine(line=line, reason=f"not a Hubble flow: {error}"))
        return None
    for name in _unknown(data, response.DESCRIPTOR, ""):
        load.unknown_fields[name] = load.unknown_fields.get(name, 0) + 1
    if response.WhichOneof("response_types") is None:
        reason = "has no 'flow', 'lost_events' or 'node_status'"
        load.skipped.append(SkippedLine(line=line, reason=reason))
        return None
    if response.HasField("flow"):
        _share_time_and_node(response)
    return response


def _unknown(data: Any, descriptor: Descriptor, prefix: str) -> list[str]:
    """Paths of the keys (and enum names) that the message type does not know."""
    found: list[str] = []
    if not isinstance(data, dict) or descriptor.full_name.startswith("google.protobuf."):
        return found
    for key, value in data.items():
        spec = descriptor.fields_by_name.get(key) or descriptor.fields_by_camelcase_name.get(key)
        path = f"{prefix}{key}"
        if spec is None:
            found.append(path)
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if spec.type == FieldDescriptor.TYPE_MESSAGE:
                found += _unknown(item, spec.message_type, path + ".")
            elif (
                spec.type == FieldDescriptor.TYPE_ENUM
                and isinstance(item, str)
                and spec.enum_type.values_by_name.get(item) is None
            ):
                found.append(f"{path}={item}")
    return found


def _share_time_and_node(response: observer_pb2.GetFlowsResponse) -> None:
    flow = response.flow
    if flow.HasField("time") and not response.HasField("time"):
        response.time.CopyFrom(flow.time)
    elif response.HasField("time") and not flow.HasField("time"):
        flow.time.CopyFrom(response.time)
    response.node_name = response.node_name or flow.node_name
    flow.node_name = flow.node_name or response.node_name


def _time_by_neighbours(
    parsed: list[tuple[int, observer_pb2.GetFlowsResponse]], load: FlowLoad
) -> None:
    """Give each time-less record the time of the previous timed line (else the next)."""
    timed = [i for i, (_, response) in enumerate(parsed) if response.HasField("time")]
    for index, (line, response) in enumerate(parsed):
        if not response.HasField("time"):
            at = bisect.bisect_left(timed, index)
            neighbour = timed[at - 1] if at else (timed[at] if at < len(timed) else None)
            if neighbour is None:
                reason = "has no time, and no other line has one to time it by"
                load.skipped.append(SkippedLine(line=line, reason=reason))
                continue
            response.time.CopyFrom(parsed[neighbour][1].time)
            if response.HasField("flow"):
                response.flow.time.CopyFrom(response.time)
            load.timed_by_neighbours.append(line)
        load.events.append(RecordedEvent(response.time.ToNanoseconds(), response))
