"""Cilium drop reasons: the agent's own words for each, and what each usually means for triage.

Pure data and lookups, used by the flow renderer (`flows.py`) and the summary (`summary.py`) so
that a drop is always shown with its meaning, and by the filter arguments to accept a drop
reason by name or number. The table follows shared/reference/hubble.md (section 4, DropReason)
and reference/kubernetes.md (e); the human text is the one in Cilium's `pkg/monitor/api/drop.go`.
"""

from __future__ import annotations

from dataclasses import dataclass

from holmes.tools.hubble.proto.flow import flow_pb2


@dataclass(frozen=True)
class DropReason:
    """One drop reason: enum name, the agent's text, the triage meaning, and whether it is noise."""

    code: int
    name: str
    text: str
    meaning: str = ""
    # Benign drops (IPv6 on a v4-only node, IGMP housekeeping) rank below the ones that hurt.
    noise: bool = False


_NOT_READY = "endpoint or agent not ready yet (agent restart, endpoint regeneration)"

# code -> (agent text, triage meaning, noise); codes missing here fall back to the enum name.
_TABLE: dict[int, tuple[str, str, bool]] = {
    130: ("Invalid source mac", "", False),
    131: ("Invalid destination mac", "", False),
    132: (
        "Invalid source ip",
        "packet source IP not owned by the endpoint (spoofing, stale IP after restart, "
        "IPAM mismatch)",
        False,
    ),
    133: (
        "Policy denied",
        "no allow rule matched while a policy selects the endpoint (default deny): "
        "a network policy blocks this traffic",
        False,
    ),
    134: ("Invalid packet", "malformed packet", False),
    135: ("CT: Truncated or invalid header", "", False),
    136: ("Fragmentation needed", "MTU / fragmentation problem", False),
    137: ("CT: Unknown L4 protocol", "", False),
    138: ("CT: Can't create entry from packet", "", False),
    139: (
        "Unsupported L3 protocol",
        "non-IP or unsupported ethertype; often harmless noise (e.g. IPv6 on an IPv4-only node)",
        True,
    ),
    140: ("Missed tail call", "BPF program missing: " + _NOT_READY, False),
    141: ("Error writing to packet", "", False),
    142: ("Unknown L4 protocol", "", False),
    143: ("Unknown ICMPv4 code", "", False),
    144: ("Unknown ICMPv4 type", "", False),
    145: ("Unknown ICMPv6 code", "", False),
    146: ("Unknown ICMPv6 type", "", False),
    147: ("Error retrieving tunnel key", "", False),
    150: ("Unknown L3 target address", "", False),
    151: (
        "Stale or unroutable IP",
        "the IP no longer maps to a live endpoint (stale ipcache, pod deleted, IP reused)",
        False,
    ),
    153: ("Error while correcting L3 checksum", "", False),
    154: ("Error while correcting L4 checksum", "", False),
    155: (
        "CT: Map insertion failed",
        "conntrack BPF map full: raise bpf-ct-global-*-max or map sizing; bursty connection churn",
        False,
    ),
    156: ("Invalid IPv6 extension header", "", False),
    157: ("IP fragmentation not supported", "", False),
    158: (
        "Service backend not found",
        "the Service has no ready endpoints, or the service map is stale",
        False,
    ),
    160: ("No tunnel/encapsulation endpoint (datapath BUG!)", "", False),
    161: ("NAT 46/64 not enabled", "", False),
    162: (
        "Reached EDT rate-limiting drop horizon",
        "bandwidth-manager egress rate limit",
        False,
    ),
    163: ("Unknown connection tracking state", "", False),
    164: ("Local host is unreachable", "", False),
    165: (
        "No configuration available to perform policy decision",
        "endpoint policy not yet computed (new pod): " + _NOT_READY,
        False,
    ),
    166: ("Unsupported L2 protocol", "", False),
    167: ("No mapping for NAT masquerade", "SNAT map pressure or a missing entry", False),
    168: ("Unsupported protocol for NAT masquerade", "", False),
    169: ("FIB lookup failed", "no kernel route or neighbour for the destination", False),
    170: ("Encapsulation traffic is prohibited", "", False),
    171: ("Invalid identity", "", False),
    172: ("Unknown sender", "", False),
    173: ("NAT not needed", "", False),
    174: (
        "Is a ClusterIP",
        "traffic to a ClusterIP that was not translated (from outside, or a wrong port)",
        False,
    ),
    175: ("First logical datagram fragment not found", "", False),
    176: ("Forbidden ICMPv6 message", "", False),
    177: (
        "Denied by LB src range check",
        "loadBalancerSourceRanges excludes the client",
        False,
    ),
    178: ("Socket lookup failed", "", False),
    179: ("Socket assign failed", "", False),
    180: ("Proxy redirection not supported for protocol", "", False),
    181: (
        "Policy denied by denylist",
        "an explicit deny rule (ingressDeny/egressDeny) matched; unlike POLICY_DENIED this is "
        "not a missing allow rule",
        False,
    ),
    182: ("VLAN traffic disallowed by VLAN filter", "", False),
    183: ("Incorrect VNI from VTEP", "", False),
    184: ("Failed to update or lookup TC buffer", "", False),
    185: ("No SID was found for the IP address", "SRv6", False),
    186: ("SRv6 state was removed during tail call", "", False),
    187: ("L3 translation from IPv4 to IPv6 failed (NAT46)", "", False),
    188: ("L3 translation from IPv6 to IPv4 failed (NAT64)", "", False),
    189: (
        "Authentication required",
        "the policy rule requires mutual authentication and no valid auth entry exists: "
        "handshake pending or failing, SPIRE unhealthy, identity not registered, or port 4250 "
        "blocked between nodes",
        False,
    ),
    190: ("No conntrack map found", "", False),
    191: ("No nat map found", "", False),
    192: ("Invalid ClusterID", "ClusterMesh misconfiguration", False),
    193: ("Unsupported packet protocol for DSR encapsulation", "", False),
    194: ("No egress gateway found", "", False),
    195: ("Traffic is unencrypted", "strict-mode encryption dropped plaintext traffic", False),
    196: ("TTL exceeded", "", False),
    197: ("No node ID found", "", False),
    198: ("Rate limited", "", False),
    199: ("IGMP handled", "not an error", True),
    200: ("IGMP subscribed", "not an error", True),
    201: ("Multicast handled", "not an error", True),
    202: ("Host datapath not ready", "agent starting, host program not loaded", False),
    203: ("Endpoint policy program not available", _NOT_READY, False),
    204: ("No Egress IP configured", "egress gateway policy without a usable IP", False),
    205: ("Punt to proxy", "", False),
}


def describe(code: int) -> DropReason:
    """The drop reason for a `drop_reason_desc` (or legacy `drop_reason`) code; never fails."""
    try:
        name = flow_pb2.DropReason.Name(code)
    except ValueError:
        name = f"DROP_REASON_{code}"
    text, meaning, noise = _TABLE.get(code, ("", "", False))
    return DropReason(code=code, name=name, text=text, meaning=meaning, noise=noise)


def parse(value: str | int) -> int:
    """A drop reason given by enum name (any case) or number -> its code; ValueError otherwise."""
    if isinstance(value, int) or str(value).strip().isdigit():
        code = int(value)
        if code in flow_pb2.DropReason.values() and code:
            return code
        raise ValueError(f"{value} is not a Cilium drop reason code (130-205)")
    name = str(value).strip().upper().replace("-", "_").replace(" ", "_")
    try:
        code = flow_pb2.DropReason.Value(name)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a Cilium drop reason; use an enum name such as POLICY_DENIED, "
            "POLICY_DENY, AUTH_REQUIRED, STALE_OR_UNROUTABLE_IP or SERVICE_BACKEND_NOT_FOUND"
        ) from None
    if not code:
        raise ValueError("DROP_REASON_UNKNOWN is not a drop reason; filter by verdict instead")
    return code


# event_type.type of a drop event (Cilium monitor MessageTypeDrop); its sub_type is the drop
# reason code (hubble.md, section 5), which some exporters send without drop_reason_desc.
_DROP_EVENT = 1


def flow_drop_reason(flow: flow_pb2.Flow) -> DropReason | None:
    """The drop reason of a dropped flow, or None: `drop_reason_desc`, else the deprecated
    numeric `drop_reason`, else the `event_type.sub_type` of a drop event (133 = POLICY_DENIED)."""
    code = flow.drop_reason_desc or flow.drop_reason
    if not code and flow.event_type.type == _DROP_EVENT:
        code = flow.event_type.sub_type
    return describe(code) if code else None


def headline(reason: DropReason) -> str:
    """`POLICY_DENIED (133, Policy denied): <meaning>` for a summary or a report."""
    label = f"{reason.name} ({reason.code}" + (f", {reason.text})" if reason.text else ")")
    return f"{label}: {reason.meaning}" if reason.meaning else label
