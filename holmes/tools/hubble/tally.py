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
    auth: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    # Namespaces and Kubernetes labels of both ends (from the first flow; `k8s:` prefix cut).
    client_namespace: str = ""
    server_namespace: str = ""
    client_labels: dict[str, str] = field(default_factory=dict)
    server_labels: dict[str, str] = field(default_factory=dict)
    # The server's workload kind when Hubble knows it (Deployment, StatefulSet...).
    server_kind: str = ""

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
    namespace: str = ""
    kind: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    clients: Counter[str] = field(default_factory=Counter)
    # Latencies by status code: a 503 in 2 ms (load shedding) reads unlike a 504 after 60 s.
    code_latencies_ns: dict[int, list[int]] = field(default_factory=dict)

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


def as_lists(counted: Tally) -> dict[str, Any]:
    """The same counts as lists that rules can filter, most telling first.

    `drops`: one entry per drop reason (harmful before noise, then by count) with its meaning
    and its conversations; `conversations`: every pair by flows; `http_servers`: per server
    port, 5xx first, with status counts, error codes and latency per code; `dns_names`: per
    query, failed first, with rcodes and the Service and namespace a cluster name points at.
    """
    pairs = sorted(counted.pairs.values(), key=lambda p: -p.flows)
    drops = []
    for code, count in counted.drop_reasons.items():
        reason = drop_reasons.describe(code)
        hit = sorted(
            (p for p in pairs if p.drop_reasons[reason.name]),
            key=lambda p: -p.drop_reasons[reason.name],
        )
        drops.append(
            {
                "reason": reason.name,
                "code": code,
                "text": reason.text,
                "meaning": reason.meaning,
                "noise": reason.noise,
                "count": count,
                "pairs": [_pair_view(p, reason.name) for p in hit],
            }
        )
    drops.sort(key=lambda d: (d["noise"], -d["count"]))
    servers = sorted(counted.http.values(), key=lambda s: (-s.errors, -s.codes.total()))
    names = sorted(counted.dns.values(), key=lambda d: (not d.failed, -d.requests))
    return {
        "drops": drops,
        "conversations": [_pair_view(p) for p in pairs],
        "http_servers": [_http_view(s) for s in servers],
        "dns_names": [_dns_view(d) for d in names],
    }


def _pair_view(pair: Pair, reason: str = "") -> dict[str, Any]:
    view = _plain(pair)
    view.update(
        service=pair.service,
        count=pair.drop_reasons[reason] if reason else pair.flows,
        direction=pair.directions.most_common(1)[0][0] if pair.directions else "",
        nodes=sorted(pair.nodes),
        denied_by=sorted(pair.denied_by),
        auth=sorted(pair.auth),
    )
    return view


def _http_view(stats: HttpStats) -> dict[str, Any]:
    total = stats.codes.total()
    errors = sorted(code for code in stats.codes if code >= 500)
    by_code = {}
    for code, latencies in sorted(stats.code_latencies_ns.items()):
        ordered = sorted(latencies)
        by_code[str(code)] = {
            "count": stats.codes[code],
            "p50_seconds": round(ordered[(len(ordered) - 1) // 2] / 1e9, 3),
            "max_seconds": round(ordered[-1] / 1e9, 3),
        }
    p50, p95 = stats.percentile(0.5), stats.percentile(0.95)
    return {
        "server": stats.server,
        "namespace": stats.namespace,
        "kind": stats.kind,
        "labels": stats.labels,
        "port": stats.port,
        "requests": stats.requests,
        "responses": total,
        "codes": {str(code): count for code, count in sorted(stats.codes.items())},
        "errors": stats.errors,
        "error_codes": errors,
        "client_errors": sum(n for code, n in stats.codes.items() if 400 <= code < 500),
        "error_share": round(stats.errors / total, 3) if total else 0.0,
        "latency_by_code": by_code,
        "p50_seconds": round(p50 / 1e9, 3) if p50 is not None else None,
        "p95_seconds": round(p95 / 1e9, 3) if p95 is not None else None,
        "max_seconds": round(max(stats.latencies_ns) / 1e9, 3) if stats.latencies_ns else None,
        "clients": [client for client, _ in stats.clients.most_common()],
    }


def _dns_view(stats: DnsStats) -> dict[str, Any]:
    view = _plain(stats)
    name = stats.query.rstrip(".")
    parts = name.split(".")
    service = namespace = ""
    if len(parts) >= 3 and parts[2] == "svc":
        service, namespace = parts[0], parts[1]
    view.update(
        name=name,
        failed=stats.failed,
        unanswered=stats.unanswered,
        errors=sum(n for rcode, n in stats.rcodes.items() if rcode != "NOERROR"),
        clients=[client for client, _ in stats.clients.most_common()],
        service=service,
        service_namespace=namespace,
    )
    return view


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
    if flow.auth_type:
        pair.auth[flow_pb2.AuthType.Name(flow.auth_type)] += 1
    pair.first = pair.first or moment
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
        ends = (
            (flow.destination, flow.source)
            if flow.is_reply.value
            else (flow.source, flow.destination)
        )
        result.pairs[key] = Pair(
            client=client,
            server=server,
            protocol=protocol,
            port=port,
            client_namespace=ends[0].namespace,
            server_namespace=ends[1].namespace,
            client_labels=endpoint_labels(ends[0]),
            server_labels=endpoint_labels(ends[1]),
            server_kind=ends[1].workloads[0].kind if ends[1].workloads else "",
        )
    return result.pairs[key]


def endpoint_labels(endpoint: flow_pb2.Endpoint) -> dict[str, str]:
    """An endpoint's labels as a mapping: `k8s:app=web` -> {"app": "web"}; reserved ones kept."""
    labels: dict[str, str] = {}
    for label in endpoint.labels:
        key, _, value = label.partition("=")
        labels[key.removeprefix("k8s:")] = value
    return labels


def _count_http(result: Tally, flow: flow_pb2.Flow, pair: Pair) -> None:
    key = f"{pair.server}|{pair.port}"
    stats = result.http.setdefault(
        key,
        HttpStats(
            server=pair.server,
            port=pair.port,
            namespace=pair.server_namespace,
            kind=pair.server_kind,
            labels=pair.server_labels,
        ),
    )
    http = flow.l7.http
    stats.clients[pair.client] += 1
    if flow.l7.type == flow_pb2.REQUEST:
        stats.requests += 1
    elif http.code:
        stats.codes[http.code] += 1
        if flow.l7.latency_ns:
            stats.latencies_ns.append(flow.l7.latency_ns)
            stats.code_latencies_ns.setdefault(http.code, []).append(flow.l7.latency_ns)


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
