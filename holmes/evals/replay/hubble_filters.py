"""FlowFilter matching with Cilium's semantics, as a pure module (no I/O, no gRPC).

Called by the Hubble replay server (`holmes.evals.replay.hubble`) for every GetFlows request:
`FlowMatcher(whitelist, blacklist)` compiles the request's `flow.FlowFilter`s once, refusing any
value a Hubble server would refuse, and `matches(flow)` then says whether a flow is served.
The rules follow Cilium's `pkg/hubble/filters` as summarised in shared/reference/hubble.md:
a flow is kept when it matches ANY whitelist filter (or the whitelist is empty) and NO
blacklist filter; inside one FlowFilter every set field must match; inside one field any value
may match. Where we deliberately differ from Cilium, the builder says so.

    FilterError (ValueError)      a value Hubble refuses (bad regex, CIDR, port...): the
                                  server answers INVALID_ARGUMENT with the message
      UnsupportedFilter           valid for Hubble, not evaluated here (CEL): UNIMPLEMENTED
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from holmes.tools.hubble.proto.flow import flow_pb2

Predicate = Callable[[flow_pb2.Flow], bool]
Builder = Callable[[Sequence, flow_pb2.FlowFilter, str], Predicate]

# Cilium's monitor message type of L7 (proxy access log) events; HTTP filters need them.
L7_EVENT_TYPE = 129
_STATUS_FULL = re.compile(r"^[1-5][0-9]{2}$")
_STATUS_PREFIX = re.compile(r"^[1-5][0-9]?\+$")
_PROTOCOLS = {"tcp", "udp", "sctp", "icmp", "icmpv4", "icmpv6", "http", "dns", "kafka"}
# An FQDN (with underscores) matched by an empty cluster or node part of a node-name pattern.
_FQDN_RE = r"(?:[-0-9_a-z]+(?:\.[-0-9_a-z]+)*)"


class FilterError(ValueError):
    """A filter value that a Hubble server refuses; `field` is its path in the request."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class UnsupportedFilter(FilterError):
    """A filter that Hubble accepts but the replay cannot evaluate."""


class FlowMatcher:
    """The compiled whitelist and blacklist of one GetFlows request."""

    def __init__(
        self,
        whitelist: Sequence[flow_pb2.FlowFilter] = (),
        blacklist: Sequence[flow_pb2.FlowFilter] = (),
    ) -> None:
        """Compile both lists; raise `FilterError` naming the first bad field."""
        self._whitelist = [compile_filter(f, f"whitelist[{i}]") for i, f in enumerate(whitelist)]
        self._blacklist = [compile_filter(f, f"blacklist[{i}]") for i, f in enumerate(blacklist)]

    def matches(self, flow: flow_pb2.Flow) -> bool:
        """Whether the flow is served: whitelisted (or no whitelist) and not blacklisted."""
        if self._whitelist and not any(check(flow) for check in self._whitelist):
            return False
        return not any(check(flow) for check in self._blacklist)


def compile_filter(flow_filter: flow_pb2.FlowFilter, where: str = "filter") -> Predicate:
    """One FlowFilter as a predicate: every set field must match (an empty filter matches all)."""
    if flow_filter.experimental.cel_expression:
        raise UnsupportedFilter(
            f"{where}.experimental.cel_expression",
            "CEL expressions are not evaluated by the holmes replay; use the typed fields",
        )
    checks = [
        build(values, flow_filter, f"{where}.{name}")
        for name, build in _BUILDERS.items()
        if len(values := getattr(flow_filter, name))
    ]
    return lambda flow: all(check(flow) for check in checks)


# -- endpoints: pods, services, labels, workloads, identities ----------------------------------


def _namespaced_names(get: Callable[[flow_pb2.Flow], tuple[str, str]]) -> Builder:
    """`ns/prefix`, `ns/` (whole namespace), `prefix` (namespace `default`, as Cilium does).

    Unlike Cilium, where `/prefix` only matches objects without a namespace, `/prefix` matches
    the prefix in any namespace, as shared/reference/hubble.md describes the form.
    """

    def build(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
        wanted: list[tuple[str | None, str]] = []
        for value in values:
            namespace, slash, prefix = value.partition("/")
            if not slash:
                namespace, prefix = "default", value
            if not namespace and not prefix:
                raise FilterError(field, f"{value!r} must be [namespace/][<name prefix>]")
            wanted.append((namespace or None, prefix))

        def check(flow: flow_pb2.Flow) -> bool:
            namespace, name = get(flow)
            if not namespace and not name:
                return False
            return any(
                (ns is None or ns == namespace) and name.startswith(prefix) for ns, prefix in wanted
            )

        return check

    return build


def _labels(get: Callable[[flow_pb2.Flow], Iterable[str]]) -> Builder:
    def build(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
        selectors = [LabelSelector.parse(value, field) for value in values]
        return lambda flow: any(selector.matches(get(flow)) for selector in selectors)

    return build


def _workloads(get: Callable[[flow_pb2.Flow], flow_pb2.Endpoint]) -> Builder:
    def build(values: Sequence[flow_pb2.Workload], _: flow_pb2.FlowFilter, __: str) -> Predicate:
        def check(flow: flow_pb2.Flow) -> bool:
            return any(
                (not f.name or f.name == w.name) and (not f.kind or f.kind == w.kind)
                for w in get(flow).workloads
                for f in values
            )

        return check

    return build


def _one_of(get: Callable[[flow_pb2.Flow], object]) -> Builder:
    """Exact membership: enums, identities, uuids, cluster names."""

    def build(values: Sequence, _: flow_pb2.FlowFilter, __: str) -> Predicate:
        wanted = set(values)
        return lambda flow: get(flow) in wanted

    return build


def _one_of_set(get: Callable[[flow_pb2.Flow], object]) -> Builder:
    """Exact membership where the zero value means "not set" and never matches."""

    def build(values: Sequence, _: flow_pb2.FlowFilter, __: str) -> Predicate:
        wanted = set(values)
        return lambda flow: bool(value := get(flow)) and value in wanted

    return build


# -- L3/L4: addresses, ports, protocols, flags --------------------------------------------------


def _ips(get: Callable[[flow_pb2.Flow], str]) -> Builder:
    def build(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
        addresses: set[str] = set()
        networks = []
        for value in values:
            try:
                if "/" in value:
                    networks.append(ipaddress.ip_network(value, strict=False))
                else:
                    addresses.add(str(ipaddress.ip_address(value)))
            except ValueError as error:
                raise FilterError(
                    field, f"{value!r} is not an IP address or CIDR: {error}"
                ) from error

        def check(flow: flow_pb2.Flow) -> bool:
            address = get(flow)
            if not address:
                return False
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                return False
            return str(ip) in addresses or any(ip in network for network in networks)

        return check

    return build


def _l4_port(flow: flow_pb2.Flow, side: str) -> int | None:
    kind = flow.l4.WhichOneof("protocol")
    if kind in ("TCP", "UDP", "SCTP"):
        return getattr(getattr(flow.l4, kind), side)
    return None


def _ports(side: str) -> Builder:
    def build(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
        ports = set()
        for value in values:
            if not value.isdigit() or int(value) > 65535:
                raise FilterError(field, f"{value!r} is not a port number (0-65535)")
            ports.add(int(value))
        return lambda flow: _l4_port(flow, side) in ports

    return build


def _protocols(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
    wanted = {value.lower() for value in values}
    if unknown := sorted(wanted - _PROTOCOLS):
        raise FilterError(
            field, f"unknown protocol {unknown[0]!r}; use one of {', '.join(sorted(_PROTOCOLS))}"
        )
    if "icmp" in wanted:
        wanted |= {"icmpv4", "icmpv6"}

    def check(flow: flow_pb2.Flow) -> bool:
        l4 = (flow.l4.WhichOneof("protocol") or "").lower()
        l7 = flow.l7.WhichOneof("record") or ""
        return l4 in wanted or l7 in wanted

    return check


_TCP_FLAG_NAMES = ("FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS")


def _tcp_flags(values: Sequence[flow_pb2.TCPFlags], _: flow_pb2.FlowFilter, __: str) -> Predicate:
    # A filter matches when every flag it sets is set on the flow (SYN matches SYN+ACK).
    wanted = [{name for name in _TCP_FLAG_NAMES if getattr(f, name)} for f in values]

    def check(flow: flow_pb2.Flow) -> bool:
        if flow.l4.WhichOneof("protocol") != "TCP" or not flow.l4.TCP.HasField("flags"):
            return False
        flags = flow.l4.TCP.flags
        return any(all(getattr(flags, name) for name in names) for names in wanted)

    return check


def _reply(values: Sequence[bool], _: flow_pb2.FlowFilter, __: str) -> Predicate:
    # As Cilium: an unknown is_reply only counts (as false) on dropped flows.
    def check(flow: flow_pb2.Flow) -> bool:
        if not flow.HasField("is_reply") and flow.verdict != flow_pb2.DROPPED:
            return False
        return flow.is_reply.value in values

    return check


def _event_types(
    values: Sequence[flow_pb2.EventTypeFilter], _: flow_pb2.FlowFilter, __: str
) -> Predicate:
    def check(flow: flow_pb2.Flow) -> bool:
        if not flow.HasField("event_type"):
            return False
        event = flow.event_type
        return any(
            (not f.type or f.type == event.type)
            and (not f.match_sub_type or f.sub_type == event.sub_type)
            for f in values
        )

    return check


def _interfaces(
    values: Sequence[flow_pb2.NetworkInterface], _: flow_pb2.FlowFilter, __: str
) -> Predicate:
    def check(flow: flow_pb2.Flow) -> bool:
        if not flow.HasField("interface"):
            return False
        iface = flow.interface
        return any(
            (not f.index or f.index == iface.index) and (not f.name or f.name == iface.name)
            for f in values
        )

    return check


# -- names: FQDNs, node names, DNS queries ------------------------------------------------------


def _fqdn_regex(pattern: str, field: str) -> str:
    """Cilium's FQDN pattern: lower case, one trailing dot dropped, `*` = `[-.0-9a-z]*`."""
    pattern = pattern.strip().lower().removesuffix(".")
    if not pattern:
        raise FilterError(field, "empty pattern")
    parts = []
    for char in pattern:
        if char == "*":
            parts.append("[-.0-9a-z]*")
        elif char == ".":
            parts.append(r"\.")
        elif char in "-_" or (char.isascii() and char.isalnum()):
            parts.append(char)
        else:
            raise FilterError(field, f"{char!r} is not allowed in pattern {pattern!r}")
    return "".join(parts)


def _fqdns(get: Callable[[flow_pb2.Flow], Iterable[str]]) -> Builder:
    def build(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
        regex = re.compile("(?:" + "|".join(_fqdn_regex(v, field) for v in values) + r")\Z")
        return lambda flow: any(regex.match(name.lower().rstrip(".")) for name in get(flow))

    return build


def _node_names(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
    """Globs over `cluster/node`; a pattern without `/` matches the node in any cluster."""
    alternatives = []
    for value in values:
        if not value:
            raise FilterError(field, "empty node name pattern")
        if value.count("/") > 1:
            raise FilterError(field, f"{value!r} has too many slashes; use [cluster/]node")
        cluster, _slash, node = value.rpartition("/")
        cluster_re = _fqdn_regex(cluster, field) if cluster else _FQDN_RE
        node_re = _fqdn_regex(node, field) if node else _FQDN_RE
        alternatives.append(f"{cluster_re}/{node_re}")
    regex = re.compile("(?:" + "|".join(alternatives) + r")\Z")

    def check(flow: flow_pb2.Flow) -> bool:
        name = flow.node_name
        if not name:
            return False
        # Node names without a cluster belong to Cilium's default cluster, named `default`.
        return bool(regex.match(name if "/" in name else f"default/{name}"))

    return check


def _regexes(field: str, values: Sequence[str]) -> list[re.Pattern[str]]:
    compiled = []
    for value in values:
        try:
            compiled.append(re.compile(value))
        except re.error as error:
            raise FilterError(
                field, f"{value!r} is not a valid regular expression: {error}"
            ) from error
    return compiled


def _dns_queries(values: Sequence[str], _: flow_pb2.FlowFilter, field: str) -> Predicate:
    # Hubble uses RE2; Python's `re` accepts the same syntax for the patterns people write.
    regexes = _regexes(field, values)

    def check(flow: flow_pb2.Flow) -> bool:
        if flow.l7.WhichOneof("record") != "dns":
            return False
        return any(regex.search(flow.l7.dns.query) for regex in regexes)

    return check


# -- L7 HTTP ------------------------------------------------------------------------------------


def _require_l7_events(flow_filter: flow_pb2.FlowFilter, field: str) -> None:
    types = flow_filter.event_type
    if types and not any(t.type == L7_EVENT_TYPE for t in types):
        raise FilterError(field, "HTTP filters need the event_type filter to match 'l7' (129)")


def _http(flow: flow_pb2.Flow) -> flow_pb2.HTTP | None:
    return flow.l7.http if flow.l7.WhichOneof("record") == "http" else None


def _http_status_codes(
    values: Sequence[str], flow_filter: flow_pb2.FlowFilter, field: str
) -> Predicate:
    _require_l7_events(flow_filter, field)
    for value in values:
        if not (_STATUS_FULL.match(value) or _STATUS_PREFIX.match(value)):
            raise FilterError(field, f"{value!r} is not a status code such as 404, 4+ or 50+")
    full = {v for v in values if not v.endswith("+")}
    prefixes = tuple(v.removesuffix("+") for v in values if v.endswith("+"))

    def check(flow: flow_pb2.Flow) -> bool:
        http = _http(flow)
        if http is None or not http.code:  # requests carry no status
            return False
        code = f"{http.code:03d}"
        return code in full or (bool(prefixes) and code.startswith(prefixes))

    return check


def _http_methods(values: Sequence[str], flow_filter: flow_pb2.FlowFilter, field: str) -> Predicate:
    _require_l7_events(flow_filter, field)
    wanted = {value.upper() for value in values}
    return lambda flow: (http := _http(flow)) is not None and http.method.upper() in wanted


def _http_urls(part: str) -> Builder:
    def build(values: Sequence[str], flow_filter: flow_pb2.FlowFilter, field: str) -> Predicate:
        _require_l7_events(flow_filter, field)
        regexes = _regexes(field, values)

        def check(flow: flow_pb2.Flow) -> bool:
            http = _http(flow)
            if http is None or not http.url:
                return False
            try:
                text = urlsplit(http.url).path if part == "path" else http.url
            except ValueError:  # an unparsable URL matches nothing, as in Cilium
                return False
            return any(regex.search(text) for regex in regexes)

        return check

    return build


def _http_headers(
    values: Sequence[flow_pb2.HTTPHeader], flow_filter: flow_pb2.FlowFilter, field: str
) -> Predicate:
    _require_l7_events(flow_filter, field)

    def check(flow: flow_pb2.Flow) -> bool:
        http = _http(flow)
        return http is not None and any(
            (not f.key or f.key == h.key) and (not f.value or f.value == h.value)
            for h in http.headers
            for f in values
        )

    return check


# -- label selectors ----------------------------------------------------------------------------

_KEY = r"[A-Za-z0-9_.\-/:]+"
_VALUE = r"[A-Za-z0-9_.\-]*"
_NOT_EXISTS = re.compile(rf"!\s*({_KEY})")
_SET = re.compile(rf"({_KEY})\s+(in|notin)\s*\((.*)\)")
_EQUALITY = re.compile(rf"({_KEY})\s*(==|=|!=)\s*({_VALUE})")
_COMPARE = re.compile(rf"({_KEY})\s*(<|>)\s*(-?[0-9]+)")
_EXISTS = re.compile(_KEY)


class LabelSelector:
    """A Kubernetes label selector over Cilium labels (`k8s:app=web`, `reserved:world`).

    A selector key may carry a Cilium source (`k8s:app`); a key without one (`app`) or with
    `any:` matches the key from every source, as Cilium's selectors do. Requirements are
    `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, `key>n` and
    `key<n`, joined by commas (AND); an empty selector matches every endpoint.
    """

    def __init__(self, requirements: list[tuple[str, str, str, frozenset[str]]]) -> None:
        """Wrap parsed requirements: (source, key, operator, values); use `parse` instead."""
        self._requirements = requirements

    @classmethod
    def parse(cls, text: str, field: str = "selector") -> LabelSelector:
        """Parse selector syntax; raise `FilterError` naming `field` when it is not valid."""
        requirements = []
        for part in _split_top_level(text):
            requirement = part.strip()
            if not requirement:
                if text.strip():
                    raise FilterError(field, f"{text!r} has an empty requirement")
                continue
            requirements.append(cls._requirement(requirement, text, field))
        return cls(requirements)

    @staticmethod
    def _requirement(text: str, selector: str, field: str) -> tuple[str, str, str, frozenset[str]]:
        if match := _NOT_EXISTS.fullmatch(text):
            key, operator, values = match[1], "!", frozenset()
        elif match := _SET.fullmatch(text):
            items = [item.strip() for item in match[3].split(",")]
            if not all(re.fullmatch(_VALUE, item) for item in items):
                raise FilterError(field, f"{selector!r}: bad value list in {text!r}")
            key, operator, values = match[1], match[2], frozenset(items)
        elif match := _EQUALITY.fullmatch(text):
            key, operator, values = match[1], match[2].replace("==", "="), frozenset([match[3]])
        elif match := _COMPARE.fullmatch(text):
            key, operator, values = match[1], match[2], frozenset([match[3]])
        elif _EXISTS.fullmatch(text):
            key, operator, values = text, "exists", frozenset()
        else:
            raise FilterError(field, f"{selector!r} is not a label selector (near {text!r})")
        source, colon, name = key.partition(":")
        if not colon:
            source, name = "any", key
        return source, name, operator, values

    def matches(self, labels: Iterable[str]) -> bool:
        """Whether an endpoint with these Cilium labels is selected."""
        parsed = [_parse_label(label) for label in labels]
        return all(self._holds(requirement, parsed) for requirement in self._requirements)

    @staticmethod
    def _holds(
        requirement: tuple[str, str, str, frozenset[str]], labels: list[tuple[str, str, str]]
    ) -> bool:
        source, key, operator, values = requirement
        found = [v for s, k, v in labels if k == key and source in ("any", s)]
        if operator == "exists":
            return bool(found)
        if operator == "!":
            return not found
        if operator in ("=", "in"):
            return any(value in values for value in found)
        if operator in ("!=", "notin"):  # also true when the label is absent, as in Kubernetes
            return all(value not in values for value in found)
        bound = int(next(iter(values)))
        numbers = [int(v) for v in found if re.fullmatch(r"-?[0-9]+", v)]
        return any(n > bound if operator == ">" else n < bound for n in numbers)


def _split_top_level(text: str) -> list[str]:
    """Split on the commas that are not inside `in (...)` value lists."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _parse_label(label: str) -> tuple[str, str, str]:
    """`k8s:app=web` -> (k8s, app, web); a label without a source has source `unspec`."""
    key, _, value = label.partition("=")
    source, colon, name = key.partition(":")
    return (source, name, value) if colon else ("unspec", key, value)


# Field name in flow.FlowFilter -> how to compile its values.
_BUILDERS: dict[str, Builder] = {
    "uuid": _one_of_set(lambda f: f.uuid),
    "source_ip": _ips(lambda f: f.IP.source),
    "source_ip_xlated": _ips(lambda f: f.IP.source_xlated),
    "destination_ip": _ips(lambda f: f.IP.destination),
    "source_pod": _namespaced_names(lambda f: (f.source.namespace, f.source.pod_name)),
    "destination_pod": _namespaced_names(
        lambda f: (f.destination.namespace, f.destination.pod_name)
    ),
    "source_service": _namespaced_names(
        lambda f: (f.source_service.namespace, f.source_service.name)
    ),
    "destination_service": _namespaced_names(
        lambda f: (f.destination_service.namespace, f.destination_service.name)
    ),
    "source_fqdn": _fqdns(lambda f: f.source_names),
    "destination_fqdn": _fqdns(lambda f: f.destination_names),
    "source_label": _labels(lambda f: f.source.labels),
    "destination_label": _labels(lambda f: f.destination.labels),
    "node_labels": _labels(lambda f: f.node_labels),
    "source_workload": _workloads(lambda f: f.source),
    "destination_workload": _workloads(lambda f: f.destination),
    "source_cluster_name": _one_of(lambda f: f.source.cluster_name),
    "destination_cluster_name": _one_of(lambda f: f.destination.cluster_name),
    "source_identity": _one_of(lambda f: f.source.identity),
    "destination_identity": _one_of(lambda f: f.destination.identity),
    "traffic_direction": _one_of(lambda f: f.traffic_direction),
    "verdict": _one_of(lambda f: f.verdict),
    "drop_reason_desc": _one_of(lambda f: f.drop_reason_desc),
    "ip_version": _one_of(lambda f: f.IP.ipVersion),
    "encrypted": _one_of(lambda f: f.IP.encrypted),
    "trace_id": _one_of_set(lambda f: f.trace_context.parent.trace_id),
    "ip_trace_id": _one_of_set(lambda f: f.ip_trace_id.trace_id),
    "interface": _interfaces,
    "event_type": _event_types,
    "protocol": _protocols,
    "source_port": _ports("source_port"),
    "destination_port": _ports("destination_port"),
    "tcp_flags": _tcp_flags,
    "reply": _reply,
    "node_name": _node_names,
    "dns_query": _dns_queries,
    "http_status_code": _http_status_codes,
    "http_method": _http_methods,
    "http_path": _http_urls("path"),
    "http_url": _http_urls("url"),
    "http_header": _http_headers,
}
