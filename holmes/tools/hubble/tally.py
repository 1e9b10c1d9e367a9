"""Counting flows into a summary: verdicts, drop reasons, conversations, HTTP, DNS and policies.

Pure (no I/O): `tally(flows)` is called by the summary tool (`summary.py`), which renders the
result. A conversation is keyed by client -> server and the server's port: a reply flow
(`is_reply`) is counted under the request's direction, so replies to ephemeral ports do not
scatter into one pair per port. Endpoints are named by workload (Deployment...) when Hubble
knows it, by pod otherwise.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from holmes.tools.hubble import drop_reasons
from holmes.tools.hubble.naming import (
    POLICY_FIELDS,
    flow_time,
    policy_name,
    ports,
    rcode_name,
    workload_name,
)
from holmes.tools.hubble.proto.flow import flow_pb2


@dataclass
class Pair:
    """Flows of one conversation: client -> server on one protocol and port."""

    client: str
    server: str
    protocol: str
    port: int
    flows: int = 0
    replies: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    drop_reasons: Counter[str] = field(default_factory=Counter)
    directions: Counter[str] = field(default_factory=Counter)
    nodes: Counter[str] = field(default_factory=Counter)
    denied_by: Counter[str] = field(default_factory=Counter)
    last: datetime | None = None

    @property
    def service(self) -> str:
        """`TCP/8080`, or the protocol alone when it has no ports."""
        return f"{self.protocol}/{self.port}" if self.port else self.protocol or "no-L4"


@dataclass
class HttpStats:
    """HTTP exchanges with one server port, from L7 flows."""

    server: str
    port: int
    requests: int = 0
    codes: Counter[int] = field(default_factory=Counter)
    latencies_ns: list[int] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Responses with a 5xx status."""
        return sum(count for code, count in self.codes.items() if code >= 500)

    def percentile(self, share: float) -> int | None:
        """Latency at `share` (0..1), nearest rank; None without responses that carry one."""
        if not self.latencies_ns:
            return None
        ordered = sorted(self.latencies_ns)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class DnsStats:
    """One DNS name: requests, responses by rcode, answers and who asked."""

    query: str
    qtypes: set[str] = field(default_factory=set)
    requests: int = 0
    rcodes: Counter[str] = field(default_factory=Counter)
    ips: set[str] = field(default_factory=set)
    clients: Counter[str] = field(default_factory=Counter)

    @property
    def unanswered(self) -> int:
        """Requests without a response seen (timeouts, drops on the way to the DNS server)."""
        return max(0, self.requests - self.rcodes.total())

    @property
    def failed(self) -> bool:
        """True when a response was an error or a request went unanswered."""
        return self.unanswered > 0 or any(rcode != "NOERROR" for rcode in self.rcodes)


@dataclass
class Tally:
    """Everything counted over one set of flows."""

    flows: int = 0
    first: datetime | None = None
    last: datetime | None = None
    verdicts: Counter[str] = field(default_factory=Counter)
    drop_reasons: Counter[int] = field(default_factory=Counter)
    pairs: dict[str, Pair] = field(default_factory=dict)
    http: dict[str, HttpStats] = field(default_factory=dict)
    dns: dict[str, DnsStats] = field(default_factory=dict)
    policies: Counter[str] = field(default_factory=Counter)
    auth: Counter[str] = field(default_factory=Counter)
    nodes: Counter[str] = field(default_factory=Counter)


def as_data(counted: Tally) -> dict[str, Any]:
    """The tally as JSON-able data: counters as mappings, sets as sorted lists, RFC 3339 times."""
    return _plain(counted)


def _plain(value: Any) -> Any:
    # Not dataclasses.asdict: it rebuilds a Counter from (key, count) pairs, counting the pairs.
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def tally(flows: list[flow_pb2.Flow]) -> Tally:
    """Count `flows` (in time order) into a Tally."""
    result = Tally()
    for flow in flows:
        _count(result, flow)
    return result


def _count(result: Tally, flow: flow_pb2.Flow) -> None:
    moment = flow_time(flow)
    result.flows += 1
    result.first = result.first or moment
    result.last = moment
    verdict = flow_pb2.Verdict.Name(flow.verdict)
    result.verdicts[verdict] += 1
    reason = drop_reasons.flow_drop_reason(flow)
    if reason is not None:
        result.drop_reasons[reason.code] += 1
    if flow.node_name:
        result.nodes[flow.node_name] += 1
    if flow.auth_type:
        result.auth[flow_pb2.AuthType.Name(flow.auth_type)] += 1
    for name in POLICY_FIELDS:
        for policy in getattr(flow, name):
            result.policies[f"{name.replace('_', '-')}={policy_name(policy)}"] += 1
    pair = _pair(result, flow)
    pair.flows += 1
    pair.replies += int(flow.is_reply.value)
    pair.verdicts[verdict] += 1
    if reason is not None:
        pair.drop_reasons[reason.name] += 1
    if flow.traffic_direction:
        pair.directions[flow_pb2.TrafficDirection.Name(flow.traffic_direction)] += 1
    if flow.node_name:
        pair.nodes[flow.node_name] += 1
    for policy in (*flow.ingress_denied_by, *flow.egress_denied_by):
        pair.denied_by[policy_name(policy)] += 1
    pair.last = moment
    record = flow.l7.WhichOneof("record")
    if record == "http":
        _count_http(result, flow, pair)
    elif record == "dns":
        _count_dns(result, flow, pair)


def _pair(result: Tally, flow: flow_pb2.Flow) -> Pair:
    protocol, source_port, destination_port = ports(flow)
    source = workload_name(flow.source, flow.IP.source, list(flow.source_names))
    destination = workload_name(flow.destination, flow.IP.destination, list(flow.destination_names))
    if flow.is_reply.value:
        client, server, port = destination, source, source_port
    else:
        client, server, port = source, destination, destination_port
    key = f"{client}|{server}|{protocol}|{port}"
    if key not in result.pairs:
        result.pairs[key] = Pair(client=client, server=server, protocol=protocol, port=port)
    return result.pairs[key]


def _count_http(result: Tally, flow: flow_pb2.Flow, pair: Pair) -> None:
    key = f"{pair.server}|{pair.port}"
    stats = result.http.setdefault(key, HttpStats(server=pair.server, port=pair.port))
    http = flow.l7.http
    if flow.l7.type == flow_pb2.REQUEST:
        stats.requests += 1
    elif http.code:
        stats.codes[http.code] += 1
        if flow.l7.latency_ns:
            stats.latencies_ns.append(flow.l7.latency_ns)


def _count_dns(result: Tally, flow: flow_pb2.Flow, pair: Pair) -> None:
    dns = flow.l7.dns
    stats = result.dns.setdefault(dns.query, DnsStats(query=dns.query))
    stats.qtypes.update(dns.qtypes)
    stats.clients[pair.client] += 1
    if flow.l7.type == flow_pb2.REQUEST:
        stats.requests += 1
    else:
        stats.rcodes[rcode_name(dns.rcode)] += 1
        stats.ips.update(dns.ips)


def status_classes(codes: Counter[int]) -> str:
    """`5xx 30 (503 x30), 2xx 90`: classes worst first, with the exact codes of errors."""
    classes: Counter[int] = Counter()
    for code, count in codes.items():
        classes[code // 100] += count
    words = []
    for klass in sorted(classes, reverse=True):
        exact = sorted((c, n) for c, n in codes.items() if c // 100 == klass)
        detail = ""
        if klass >= 4:
            detail = " (" + ", ".join(f"{c} x{n}" for c, n in exact) + ")"
        words.append(f"{klass}xx {classes[klass]}{detail}")
    return ", ".join(words)
