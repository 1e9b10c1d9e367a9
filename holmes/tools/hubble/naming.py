"""How flow facts are spelled in compact text: endpoints, workloads, ports, times, L7 records.

Pure helpers shared by the flow line (`flows.py`) and the summary (`summary.py`), so that an
endpoint reads the same everywhere: `namespace/pod` when Hubble knows the pod, otherwise the
reserved identity or identity number, the IP, the DNS name and a few telling labels.
"""

from __future__ import annotations

from datetime import UTC, datetime

from holmes.tools.hubble.proto.flow import flow_pb2

# Reserved Cilium identities (shared/reference/hubble.md, Endpoint).
_RESERVED = {
    1: "host",
    2: "world",
    3: "unmanaged",
    4: "health",
    5: "init",
    6: "remote-node",
    7: "kube-apiserver",
    8: "ingress",
}
# Labels every Cilium endpoint carries; they tell nothing about which workload it is.
_NOISE_LABEL_PREFIXES = ("k8s:io.cilium.", "k8s:io.kubernetes.pod.namespace=", "k8s:io.cilium/")
# Flow fields naming policies, denials first: `ingress_denied_by` prints `ingress-denied-by=`.
POLICY_FIELDS = ("ingress_denied_by", "egress_denied_by", "ingress_allowed_by", "egress_allowed_by")
RCODES = {
    0: "NOERROR",
    1: "FORMERR",
    2: "SERVFAIL",
    3: "NXDOMAIN",
    4: "NOTIMP",
    5: "REFUSED",
    6: "YXDOMAIN",
    7: "YXRRSET",
    8: "NXRRSET",
    9: "NOTAUTH",
    10: "NOTZONE",
}


def endpoint_name(endpoint: flow_pb2.Endpoint, ip: str = "", names: list[str] | None = None) -> str:
    """`ns/pod`, or for an endpoint without a pod: identity, IP, DNS name and labels."""
    if endpoint.pod_name:
        return "/".join(part for part in (endpoint.namespace, endpoint.pod_name) if part)
    parts = [_identity(endpoint)] if _identity(endpoint) else []
    parts.append(ip or "unknown-ip")
    if names:
        parts.append(f"({names[0]})")
    labels = [
        label
        for label in endpoint.labels
        if not label.startswith("reserved:") and not label.startswith(_NOISE_LABEL_PREFIXES)
    ]
    if labels:
        parts.append("[" + ",".join(labels[:3]) + ("" if len(labels) <= 3 else ",...") + "]")
    return " ".join(parts)


def workload_name(endpoint: flow_pb2.Endpoint, ip: str = "", names: list[str] | None = None) -> str:
    """`ns/workload` (Deployment, StatefulSet...) when Hubble knows it, else as `endpoint_name`."""
    if endpoint.workloads and endpoint.workloads[0].name:
        return f"{endpoint.namespace}/{endpoint.workloads[0].name}"
    return endpoint_name(endpoint, ip, names)


def _identity(endpoint: flow_pb2.Endpoint) -> str:
    reserved = [label for label in endpoint.labels if label.startswith("reserved:")]
    if reserved:
        return ",".join(reserved)
    if endpoint.identity in _RESERVED:
        return f"reserved:{_RESERVED[endpoint.identity]}"
    return f"identity {endpoint.identity}" if endpoint.identity else ""


def source_of(flow: flow_pb2.Flow) -> str:
    """The flow's source endpoint, spelled with `endpoint_name`."""
    return endpoint_name(flow.source, flow.IP.source, list(flow.source_names))


def destination_of(flow: flow_pb2.Flow) -> str:
    """The flow's destination endpoint, spelled with `endpoint_name`."""
    return endpoint_name(flow.destination, flow.IP.destination, list(flow.destination_names))


def ports(flow: flow_pb2.Flow) -> tuple[str, int, int]:
    """(protocol name, source port, destination port); ports are 0 where the protocol has none."""
    protocol = flow.l4.WhichOneof("protocol")
    if protocol in ("TCP", "UDP", "SCTP"):
        layer = getattr(flow.l4, protocol)
        return protocol, layer.source_port, layer.destination_port
    return protocol or "", 0, 0


def l4_text(flow: flow_pb2.Flow) -> str:
    """`TCP SYN,ACK`, `UDP`, `ICMPv6 type 133 code 0`, or '' when there is no L4 header."""
    protocol = flow.l4.WhichOneof("protocol")
    if protocol == "TCP":
        flags = flow.l4.TCP.flags
        names = [field.name for field, value in flags.ListFields() if value]
        return "TCP " + ",".join(names) if names else "TCP"
    if protocol in ("ICMPv4", "ICMPv6"):
        icmp = getattr(flow.l4, protocol)
        return f"{protocol} type {icmp.type} code {icmp.code}"
    return protocol or ""


def l7_text(flow: flow_pb2.Flow) -> str:
    """The L7 record in a few words: HTTP method/url/code/latency, DNS query/rcode/IPs, Kafka."""
    l7 = flow.l7
    record = l7.WhichOneof("record")
    kind = flow_pb2.L7FlowType.Name(l7.type).lower() if l7.type else ""
    latency = f" {latency_text(l7.latency_ns)}" if l7.latency_ns else ""
    if record == "http":
        http = l7.http
        code = f" {http.code}" if http.code else ""
        return f"HTTP {kind}{code} {http.method} {http.url}{latency}".replace("  ", " ")
    if record == "dns":
        dns = l7.dns
        qtypes = ",".join(dns.qtypes)
        if l7.type == flow_pb2.REQUEST:
            return f"DNS query {dns.query} {qtypes}".rstrip()
        text = f"DNS {rcode_name(dns.rcode)} {dns.query} {qtypes}{dns_answer(dns)}{latency}"
        return text.replace("  ", " ")
    if record == "kafka":
        kafka = l7.kafka
        return f"Kafka {kind} {kafka.api_key} topic={kafka.topic} error_code={kafka.error_code}"
    return ""


def dns_answer(dns: flow_pb2.DNS) -> str:
    """` -> 10.0.0.1,10.0.0.2 (+3)` for a DNS answer, '' when it carries no addresses."""
    if not dns.ips:
        return ""
    shown = ",".join(dns.ips[:3])
    more = f" (+{len(dns.ips) - 3})" if len(dns.ips) > 3 else ""
    return f" -> {shown}{more}"


def rcode_name(rcode: int) -> str:
    """DNS response code name (IANA), e.g. 3 -> NXDOMAIN."""
    return RCODES.get(rcode, f"RCODE{rcode}")


def latency_text(nanoseconds: int) -> str:
    """`840us`, `2.35ms`, `1.2s`."""
    if nanoseconds < 1_000_000:
        return f"{nanoseconds / 1000:.0f}us"
    if nanoseconds < 1_000_000_000:
        return f"{nanoseconds / 1e6:.3g}ms"
    return f"{nanoseconds / 1e9:.3g}s"


def policies_text(flow: flow_pb2.Flow) -> str:
    """`ingress-denied-by=shop/backend-ingress` words for every policy named on the flow."""
    words = []
    for field in POLICY_FIELDS:
        for policy in getattr(flow, field):
            words.append(f"{field.replace('_', '-')}={policy_name(policy)}")
    return " ".join(words)


def policy_name(policy: flow_pb2.Policy) -> str:
    """`namespace/name`, or the name alone for a cluster-wide policy."""
    return f"{policy.namespace}/{policy.name}" if policy.namespace else policy.name


def flow_time(flow: flow_pb2.Flow) -> datetime:
    """The flow's observation time in UTC."""
    return flow.time.ToDatetime(tzinfo=UTC)
