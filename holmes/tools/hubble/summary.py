"""The `hubble_flow_summary` tool: many flows read, counted, and told in a few decisive lines.

Called through the registry by the runbook engine and the LLM agent. It reads up to
`SUMMARY_FLOWS` flows (the latest matching ones) and renders, decisive facts first:

    the window and the verdict counts; what may be missing (lost events, bound reached)
    each drop reason with its meaning and the conversations it hit
    HTTP servers answering 5xx, with status classes and latency p50/p95/max
    DNS names that failed (NXDOMAIN, SERVFAIL..., requests without a response)
    the top conversations, policies that allowed or denied, mutual auth, nodes

Counting is done by `tally.py`; this module fetches and writes the text.
"""

from __future__ import annotations

from pydantic import Field

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.text import ago, rfc3339
from holmes.tools.hubble import drop_reasons
from holmes.tools.hubble.fetch import FetchedFlows, fetch_flows
from holmes.tools.hubble.filters import FlowFilterArgs, describe
from holmes.tools.hubble.flows import gaps
from holmes.tools.hubble.naming import latency_text
from holmes.tools.hubble.tally import (
    DnsStats,
    HttpStats,
    Pair,
    Tally,
    as_data,
    as_lists,
    status_classes,
    tally,
)

# A summary needs many flows to see patterns; 5000 is more than one agent's default ring (4095).
# Measured here: reading 5000 flows costs the client ~0.3 s and counting them ~0.2 s (the replay
# server itself needs ~1.5 s to stream them), well inside the default 10 s call limit.
SUMMARY_FLOWS = 5000
_TOP_PAIRS = 8
_PAIRS_PER_REASON = 4
_TOP_HTTP = 5
_TOP_DNS = 8


class SummaryInput(FlowFilterArgs):
    """Arguments of hubble_flow_summary: the same filters as hubble_flows."""

    max_flows: int = Field(
        SUMMARY_FLOWS, ge=10, le=20000, description="How many of the latest flows to read."
    )


class HubbleFlowSummary(Tool):
    """Counts and patterns over the latest flows matching the filters."""

    name = "hubble_flow_summary"
    toolset = "hubble"
    description = (
        "Summarise Cilium Hubble network flows instead of listing them: counts by verdict and "
        "drop reason (each reason with what it usually means, e.g. POLICY_DENIED = no network "
        "policy allows it, AUTH_REQUIRED = mutual auth missing), the top source -> destination "
        "conversations with ports and verdicts, HTTP status classes and latency (p50/p95/max) "
        "per server, DNS names with their rcodes (NXDOMAIN, SERVFAIL) and unanswered "
        "requests, and the policies that allowed or denied traffic. Start here for any network "
        "symptom (timeouts, connection refused, 5xx, DNS failures) in a namespace or for a "
        "pod; then use hubble_flows for individual flows. Takes the same filters."
    )
    Input = SummaryInput

    async def run(self, args: SummaryInput, ctx: ToolContext) -> ToolOutput:
        """Fetch up to `max_flows` of the latest matching flows and summarise them."""
        fetched = await fetch_flows(ctx, args, number=args.max_flows)
        counted = tally(fetched.flows)
        data = {
            "filters": args.model_dump(include=set(FlowFilterArgs.model_fields), exclude_none=True),
            "capped": fetched.capped,
            "lost_events": [vars(lost) for lost in fetched.lost],
            "summary": as_data(counted),
            **as_lists(counted),
        }
        return ToolOutput(data=data, text=render_summary(counted, fetched, args, ctx))


def render_summary(
    counted: Tally, fetched: FetchedFlows, args: SummaryInput, ctx: ToolContext
) -> str:
    """The summary's compact text, decisive facts first."""
    lines = [_headline(counted, args, ctx)]
    if fetched.capped:
        lines.append(
            f"Bound reached: read the latest {len(fetched.flows)} matching flows; older ones "
            "were not counted (narrow the filters or the window)"
        )
    lines.extend(gaps(fetched))
    if not counted.flows:
        lines.append(
            "No flow matched: Hubble answered, so none is in its buffer for these filters "
            "and window; widen since or drop a filter."
        )
        return "\n".join(lines)
    lines.extend(_drops(counted))
    lines.extend(_http(counted))
    lines.extend(_dns(counted))
    lines.extend(_top_pairs(counted))
    lines.extend(_policies_auth_nodes(counted))
    return "\n".join(lines)


def _headline(counted: Tally, args: FlowFilterArgs, ctx: ToolContext) -> str:
    head = f"Hubble flow summary [{describe(args)}]: {counted.flows} flows"
    if counted.first and counted.last:
        head += f", {rfc3339(counted.first)} .. {rfc3339(counted.last)}"
        head += f" (latest {ago(counted.last, ctx.now(), padded=True)})"
    if counted.verdicts:
        ordered = sorted(counted.verdicts.items(), key=lambda v: (v[0] == "FORWARDED", -v[1]))
        head += ": " + ", ".join(f"{count} {verdict}" for verdict, count in ordered)
    return head


def _drops(counted: Tally) -> list[str]:
    lines = []
    reasons = [drop_reasons.describe(code) for code in counted.drop_reasons]
    # Harmful reasons first, then by count: benign noise must not hide a policy drop.
    reasons.sort(key=lambda r: (r.noise, -counted.drop_reasons[r.code]))
    for reason in reasons:
        count = counted.drop_reasons[reason.code]
        lines.append(f"DROPPED {count}: {drop_reasons.headline(reason)}")
        pairs = [p for p in counted.pairs.values() if p.drop_reasons[reason.name]]
        pairs.sort(key=lambda p: -p.drop_reasons[reason.name])
        for pair in pairs[:_PAIRS_PER_REASON]:
            lines.append(f"  {pair.drop_reasons[reason.name]} {_pair_text(pair)}")
        if len(pairs) > _PAIRS_PER_REASON:
            lines.append(f"  {len(pairs) - _PAIRS_PER_REASON} more conversations not shown")
    return lines


def _pair_text(pair: Pair) -> str:
    words = [f"{pair.client} -> {pair.server} {pair.service}"]
    if pair.directions:
        words.append("/".join(sorted(pair.directions)))
    if pair.nodes:
        words.append("node " + ",".join(sorted(pair.nodes)))
    if pair.denied_by:
        words.append("denied by " + ",".join(sorted(pair.denied_by)))
    if pair.last:
        words.append(f"last {rfc3339(pair.last)}")
    return " ".join(words)


def _http(counted: Tally) -> list[str]:
    servers = sorted(counted.http.values(), key=lambda s: (-s.errors, -s.codes.total()))
    lines = [_http_line(stats) for stats in servers[:_TOP_HTTP]]
    if len(servers) > _TOP_HTTP:
        lines.append(f"  {len(servers) - _TOP_HTTP} more HTTP servers not shown")
    return lines


def _http_line(stats: HttpStats) -> str:
    line = f"HTTP {stats.server}:{stats.port}: {stats.codes.total()} responses"
    if stats.codes:
        line += f" ({status_classes(stats.codes)})"
    if stats.requests:
        line += f", {stats.requests} requests"
    p50, p95 = stats.percentile(0.5), stats.percentile(0.95)
    if p50 is not None and p95 is not None:
        slowest = max(stats.latencies_ns)
        line += (
            f"; latency p50 {latency_text(p50)} p95 {latency_text(p95)} max {latency_text(slowest)}"
        )
    return line


def _dns(counted: Tally) -> list[str]:
    names = sorted(counted.dns.values(), key=lambda d: (not d.failed, -d.requests))
    lines = [_dns_line(stats) for stats in names[:_TOP_DNS]]
    if len(names) > _TOP_DNS:
        lines.append(f"  {len(names) - _TOP_DNS} more DNS names not shown")
    return lines


def _dns_line(stats: DnsStats) -> str:
    qtypes = ",".join(sorted(stats.qtypes))
    line = f"DNS {stats.query} {qtypes}: {stats.requests} requests".replace("  ", " ")
    if stats.rcodes:
        ordered = sorted(stats.rcodes.items(), key=lambda r: (r[0] == "NOERROR", -r[1]))
        line += ", responses " + ", ".join(f"{rcode} {n}" for rcode, n in ordered)
    if stats.unanswered:
        line += f", {stats.unanswered} without a response (timeout or dropped)"
    if stats.ips:
        shown = sorted(stats.ips)
        line += " -> " + ",".join(shown[:3]) + (f" (+{len(shown) - 3})" if len(shown) > 3 else "")
    clients = [client for client, _ in stats.clients.most_common(3)]
    return line + " from " + ", ".join(clients)


def _top_pairs(counted: Tally) -> list[str]:
    pairs = sorted(counted.pairs.values(), key=lambda p: -p.flows)
    lines = [f"Top conversations ({len(pairs)}):"]
    for pair in pairs[:_TOP_PAIRS]:
        verdicts = ", ".join(f"{n} {v}" for v, n in pair.verdicts.most_common())
        replies = f", {pair.replies} replies" if pair.replies else ""
        lines.append(
            f"  {pair.flows} {pair.client} -> {pair.server} {pair.service}: {verdicts}{replies}"
        )
    if len(pairs) > _TOP_PAIRS:
        lines.append(f"  {len(pairs) - _TOP_PAIRS} more conversations not shown")
    return lines


def _policies_auth_nodes(counted: Tally) -> list[str]:
    lines = []
    if counted.policies:
        ordered = sorted(counted.policies.items(), key=lambda p: ("-denied-" not in p[0], -p[1]))
        lines.append("Policies: " + ", ".join(f"{name} ({n} flows)" for name, n in ordered))
    if counted.auth:
        lines.append(
            "Mutual authentication required on "
            + ", ".join(f"{n} flows ({kind})" for kind, n in counted.auth.most_common())
        )
    if counted.nodes:
        lines.append(
            "Nodes: " + ", ".join(f"{node} {n}" for node, n in sorted(counted.nodes.items()))
        )
    return lines
