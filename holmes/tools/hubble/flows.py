"""The `hubble_flows` tool: recent flows matching filters, one compact line per flow.

Called through the registry by the runbook engine and the LLM agent. A line reads like
`hubble observe`'s compact output, with the facts needed to judge a flow on one line:

    2026-09-02T16:04:50.005Z shop/frontend-6c9f7d8b5-k7p2m:45891 ->
        shop/backend-58d4b9c7f6-x2x9q:8080 TCP SYN INGRESS DROPPED POLICY_DENIED node=kind-worker2

(one line in the output). Above the lines, a header gives the verdict and drop-reason counts,
each drop reason's meaning, and whether events were lost. Lines that would not fit the output
limit are left out oldest first, and the text says how many.
"""

from __future__ import annotations

from collections import Counter

from google.protobuf import json_format
from pydantic import Field

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.text import ago, rfc3339
from holmes.tools.hubble import drop_reasons
from holmes.tools.hubble.fetch import FetchedFlows, fetch_flows
from holmes.tools.hubble.filters import FlowFilterArgs, describe
from holmes.tools.hubble.naming import (
    destination_of,
    flow_time,
    l4_text,
    l7_text,
    policies_text,
    ports,
    source_of,
)
from holmes.tools.hubble.proto.flow import flow_pb2

# Cilium monitor message type of policy-verdict events (shared/reference/hubble.md, section 5).
_POLICY_VERDICT_EVENT = 5


class FlowsInput(FlowFilterArgs):
    """Arguments of hubble_flows: the shared filters plus how many flows."""

    number: int = Field(
        20,
        ge=1,
        le=1000,
        description="How many flows: the last N (the first N with first); at most the "
        "investigation's item limit (200 by default).",
    )
    first: bool = Field(False, description="Take the oldest N flows of the window instead.")


class HubbleFlows(Tool):
    """Flows from Hubble Relay, filtered as `hubble observe` filters them."""

    name = "hubble_flows"
    toolset = "hubble"
    description = (
        "List individual network flows observed by Cilium Hubble, newest last, one line per "
        "flow: time, source (namespace/pod, or identity and IP) -> destination with port, "
        "protocol and TCP flags, direction, verdict (FORWARDED, DROPPED...), drop reason, the "
        "L7 record (HTTP method, URL, status, latency; DNS query, rcode, answers), node, and "
        "the network policies that allowed or denied it. Use it to see the exact packets "
        "behind a connectivity problem, e.g. verdict=DROPPED to_pod=shop/backend, or "
        "protocol=dns namespace=shop. For counts and patterns over many flows, use "
        "hubble_flow_summary. Filters are ANDed; namespace, pod and port match either side."
    )
    Input = FlowsInput

    async def run(self, args: FlowsInput, ctx: ToolContext) -> ToolOutput:
        """Fetch the flows and render them."""
        number = min(args.number, ctx.limits.max_items)
        fetched = await fetch_flows(ctx, args, number=number, first=args.first)
        notes = []
        if number < args.number:
            notes.append(f"number lowered from {args.number} to the limit of {number} flows")
        text = render_flows(fetched, args, ctx, notes)
        return ToolOutput(data=flows_data(fetched, args, number), text=text)


def flow_line(flow: flow_pb2.Flow) -> str:
    """One flow as one line of compact text."""
    _, source_port, destination_port = ports(flow)
    source = source_of(flow) + (f":{source_port}" if source_port else "")
    destination = destination_of(flow) + (f":{destination_port}" if destination_port else "")
    words = [rfc3339(flow_time(flow), milliseconds=True), source, "->", destination]
    words.append(l4_text(flow))
    if flow.event_type.type == _POLICY_VERDICT_EVENT:
        words.append("policy-verdict")
    if flow.is_reply.value:
        words.append("reply")
    if flow.traffic_direction:
        words.append(flow_pb2.TrafficDirection.Name(flow.traffic_direction))
    words.append(flow_pb2.Verdict.Name(flow.verdict))
    reason = drop_reasons.flow_drop_reason(flow)
    if reason is not None:
        words.append(reason.name)
    if flow.auth_type:
        words.append(f"auth={flow_pb2.AuthType.Name(flow.auth_type)}")
    words.append(l7_text(flow))
    if flow.node_name:
        words.append(f"node={flow.node_name}")
    words.append(policies_text(flow))
    return " ".join(word for word in words if word)


def render_flows(
    fetched: FetchedFlows, args: FlowFilterArgs, ctx: ToolContext, notes: list[str]
) -> str:
    """Header (counts, drop meanings, gaps) then flow lines, within the output limit."""
    head = [_headline(fetched, args, ctx), *notes, *gaps(fetched)]
    reasons = Counter(
        reason.code
        for flow in fetched.flows
        if (reason := drop_reasons.flow_drop_reason(flow)) is not None
    )
    head.extend(drop_reasons.headline(drop_reasons.describe(code)) for code in reasons)
    if not fetched.flows:
        head.append(
            "No flow matched: Hubble answered, so none is in its buffer for these filters "
            "and window; widen since or drop a filter."
        )
        return "\n".join(head)
    lines = [flow_line(flow) for flow in fetched.flows]
    # Keep the newest lines that fit, leaving room for the header and the "not shown" line.
    budget = ctx.limits.max_output_chars - len("\n".join(head)) - len(_hidden(len(lines))) - 2
    shown: list[str] = []
    for line in reversed(lines):
        budget -= len(line) + 1
        if budget < 0 and shown:
            break
        shown.append(line)
    if len(shown) < len(lines):
        head.append(_hidden(len(lines) - len(shown)))
    return "\n".join(head + shown[::-1])


def _hidden(count: int) -> str:
    return (
        f"{count} earlier flows not shown (output limit); "
        "narrow the filters or use hubble_flow_summary"
    )


def _headline(fetched: FetchedFlows, args: FlowFilterArgs, ctx: ToolContext) -> str:
    flows = fetched.flows
    which = "first" if fetched.request.first else "last"
    more = " (more may match)" if fetched.capped else ""
    head = f"Hubble flows [{describe(args)}]: {len(flows)} flows, the {which} matching{more}"
    if flows:
        start, end = flow_time(flows[0]), flow_time(flows[-1])
        head += f", {rfc3339(start)} .. {rfc3339(end)} ({ago(end, ctx.now(), padded=True)})"
        verdicts = Counter(flow_pb2.Verdict.Name(flow.verdict) for flow in flows)
        ordered = sorted(verdicts.items(), key=lambda item: (item[0] == "FORWARDED", -item[1]))
        head += ": " + ", ".join(f"{count} {verdict}" for verdict, count in ordered)
    return head


def gaps(fetched: FetchedFlows) -> list[str]:
    """Lines saying what the evidence may be missing: lost events, nodes, a partly read window."""
    lines = []
    if fetched.lost:
        per_node = ", ".join(
            f"{lost.count} on {lost.node} ({lost.source})" for lost in fetched.lost
        )
        lines.append(
            f"Evidence may be incomplete: Hubble lost {fetched.lost_count} events: {per_node}"
        )
    if fetched.unavailable_nodes:
        nodes = ", ".join(sorted(set(fetched.unavailable_nodes)))
        lines.append(f"Evidence may be incomplete: nodes unavailable to the Relay: {nodes}")
    if fetched.scan_cut:
        lines.append(
            f"Only the first {fetched.scanned} flows of the window were read (bound); "
            "later flows were not seen"
        )
    return lines


def flows_data(fetched: FetchedFlows, args: FlowFilterArgs, number: int) -> dict:
    """The structured result: filters, request, and every flow in Hubble's JSON form."""
    return {
        "filters": args.model_dump(exclude_none=True),
        "number": number,
        "request": _json(fetched.request),
        "capped": fetched.capped,
        "scan_cut": fetched.scan_cut,
        "lost_events": [vars(lost) for lost in fetched.lost],
        "unavailable_nodes": sorted(set(fetched.unavailable_nodes)),
        "flows": [_json(flow) for flow in fetched.flows],
    }


def _json(message) -> dict:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)
