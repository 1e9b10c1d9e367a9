"""FlowFilter matching (holmes.evals.replay.hubble_filters): Cilium's semantics, field by field.

Pure tests: flows are built from the JSON that `hubble observe -o jsonpb` prints.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format

from holmes.evals.replay.hubble_filters import (
    FilterError,
    FlowMatcher,
    LabelSelector,
    UnsupportedFilter,
    compile_filter,
)
from holmes.tools.hubble.proto.flow import flow_pb2

FRONTEND = {
    "ID": 1934,
    "identity": 24811,
    "cluster_name": "default",
    "namespace": "shop",
    "labels": ["k8s:app=frontend", "k8s:tier=web", "k8s:io.kubernetes.pod.namespace=shop"],
    "pod_name": "frontend-6c9f7d8b5-abcde",
    "workloads": [{"name": "frontend", "kind": "Deployment"}],
}
BACKEND = {
    "identity": 31562,
    "namespace": "shop",
    "labels": ["k8s:app=backend", "k8s:io.kubernetes.pod.namespace=shop"],
    "pod_name": "backend-58d4b9c7f6-vt8zn",
    "workloads": [{"name": "backend", "kind": "Deployment"}],
}
DROP = {
    "uuid": "u-drop",
    "verdict": "DROPPED",
    "IP": {"source": "10.244.1.23", "destination": "10.244.2.41", "ipVersion": "IPv4"},
    "l4": {"TCP": {"source_port": 40000, "destination_port": 8080, "flags": {"SYN": True}}},
    "source": FRONTEND,
    "destination": BACKEND,
    "Type": "L3_L4",
    "node_name": "kind-worker2",
    "traffic_direction": "INGRESS",
    "drop_reason_desc": "POLICY_DENIED",
    "event_type": {"type": 1, "sub_type": 133},
    "destination_service": {"name": "backend", "namespace": "shop"},
}
HTTP_503 = {
    "uuid": "u-http",
    "verdict": "FORWARDED",
    "IP": {"source": "10.244.1.23", "destination": "10.244.2.41", "ipVersion": "IPv4"},
    "l4": {"TCP": {"source_port": 40001, "destination_port": 8080}},
    "source": FRONTEND,
    "destination": BACKEND,
    "Type": "L7",
    "node_name": "prod/kind-worker",
    "is_reply": True,
    "event_type": {"type": 129},
    "l7": {
        "type": "RESPONSE",
        "http": {
            "code": 503,
            "method": "GET",
            "url": "http://backend.shop.svc:8080/api/items?id=4",
            "headers": [{"key": "x-request-id", "value": "abc"}],
        },
    },
}
DNS = {
    "verdict": "FORWARDED",
    "IP": {"source": "fd00::17", "destination": "fd00::5", "ipVersion": "IPv6"},
    "l4": {"UDP": {"source_port": 41644, "destination_port": 53}},
    "source": FRONTEND,
    "destination": {"namespace": "kube-system", "pod_name": "coredns-7db6", "labels": []},
    "destination_names": ["api.payments.example.com"],
    "node_name": "kind-worker",
    "event_type": {"type": 129},
    "l7": {"type": "REQUEST", "dns": {"query": "backend.shop.svc.cluster.local."}},
}
ICMP6 = {
    "verdict": "DROPPED",
    "l4": {"ICMPv6": {"type": 133}},
    "source": {"identity": 1, "labels": ["reserved:host"]},
    "destination": {"identity": 2, "labels": ["reserved:world"]},
    "node_name": "kind-control-plane",
}


def flow(data: dict[str, Any]) -> flow_pb2.Flow:
    return json_format.ParseDict(data, flow_pb2.Flow())


def matches(filter_data: dict[str, Any], data: dict[str, Any]) -> bool:
    return compile_filter(json_format.ParseDict(filter_data, flow_pb2.FlowFilter()))(flow(data))


def refused(filter_data: dict[str, Any]) -> FilterError:
    with pytest.raises(FilterError) as caught:
        compile_filter(json_format.ParseDict(filter_data, flow_pb2.FlowFilter()), "whitelist[1]")
    return caught.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("shop/backend", True),
        ("shop/backend-58d4", True),
        ("shop/", True),
        ("shop/frontend", False),
        ("other/backend", False),
        ("/backend", True),  # any namespace (reference's reading of `/prefix`)
        ("backend", False),  # no namespace means `default`, as in Cilium
    ],
)
def test_destination_pod_forms(value: str, expected: bool) -> None:
    assert matches({"destination_pod": [value]}, DROP) is expected


def test_pod_without_namespace_means_default() -> None:
    in_default = {**DROP, "destination": {**BACKEND, "namespace": "default"}}
    assert matches({"destination_pod": ["backend"]}, in_default)


def test_services_use_the_pod_syntax() -> None:
    assert matches({"destination_service": ["shop/backend"]}, DROP)
    assert not matches({"source_service": ["shop/"]}, DROP)  # no source service on this flow


def test_empty_pod_filter_is_refused() -> None:
    error = refused({"source_pod": ["/"]})
    assert error.field == "whitelist[1].source_pod"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["10.244.2.41"], True),
        (["10.244.2.0/24"], True),
        (["10.244.1.0/24"], False),
        (["10.0.0.0/8", "192.168.0.1"], True),
        (["fd00::/8"], False),
    ],
)
def test_destination_ip_exact_or_cidr(values: list[str], expected: bool) -> None:
    assert matches({"destination_ip": values}, DROP) is expected


def test_ipv6_cidr_and_bad_cidr() -> None:
    assert matches({"source_ip": ["fd00::/64"]}, DNS)
    error = refused({"source_ip": ["10.0.0.0/33"]})
    assert error.field == "whitelist[1].source_ip" and "10.0.0.0/33" in str(error)
    assert refused({"destination_ip": ["not-an-ip"]}).field == "whitelist[1].destination_ip"


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("k8s:app=frontend", True),
        ("app=frontend", True),  # no source: any source
        ("any:app=frontend", True),
        ("reserved:app=frontend", False),
        ("app==frontend,tier=web", True),
        ("app=frontend,tier=db", False),
        ("app in (backend, frontend)", True),
        ("app notin (backend,frontend)", False),
        ("app!=backend", True),
        ("version!=v2", True),  # absent labels satisfy != and notin
        ("tier", True),
        ("!tier", False),
        ("!version", True),
        ("k8s:io.kubernetes.pod.namespace=shop", True),
        ("", True),
    ],
)
def test_source_label_selectors(selector: str, expected: bool) -> None:
    assert matches({"source_label": [selector]}, DROP) is expected


def test_reserved_labels_and_numeric_comparison() -> None:
    assert matches({"destination_label": ["reserved:world"]}, ICMP6)
    assert not matches({"destination_label": ["k8s:world"]}, ICMP6)
    assert LabelSelector.parse("replicas>2").matches(["k8s:replicas=3"])
    assert not LabelSelector.parse("replicas<2").matches(["k8s:replicas=3"])


@pytest.mark.parametrize("selector", ["app=(x", "app in (a", "a=b,,c", "=x", "app in (a b)"])
def test_bad_label_selectors_are_refused(selector: str) -> None:
    assert refused({"destination_label": [selector]}).field == "whitelist[1].destination_label"


def test_ports_are_l4_ports() -> None:
    assert matches({"destination_port": ["8080"]}, DROP)
    assert matches({"destination_port": ["53"], "source_port": ["41644"]}, DNS)
    assert not matches({"destination_port": ["53"]}, ICMP6)
    assert refused({"source_port": ["http"]}).field == "whitelist[1].source_port"
    assert refused({"source_port": ["70000"]}).field == "whitelist[1].source_port"


@pytest.mark.parametrize(
    ("protocol", "data", "expected"),
    [
        ("tcp", DROP, True),
        ("TCP", DROP, True),
        ("udp", DROP, False),
        ("udp", DNS, True),
        ("dns", DNS, True),
        ("icmp", ICMP6, True),
        ("icmpv6", ICMP6, True),
        ("icmpv4", ICMP6, False),
        ("http", HTTP_503, True),
        ("kafka", HTTP_503, False),
    ],
)
def test_protocols(protocol: str, data: dict[str, Any], expected: bool) -> None:
    assert matches({"protocol": [protocol]}, data) is expected


def test_unknown_protocol_is_refused() -> None:
    assert "quic" in str(refused({"protocol": ["quic"]}))


@pytest.mark.parametrize(
    ("codes", "expected"),
    [(["5+"], True), (["50+"], True), (["503"], True), (["4+"], False), (["404", "2+"], False)],
)
def test_http_status_codes(codes: list[str], expected: bool) -> None:
    assert matches({"http_status_code": codes}, HTTP_503) is expected


def test_http_status_needs_a_response_and_a_valid_code() -> None:
    request = {**HTTP_503, "l7": {"type": "REQUEST", "http": {"method": "GET", "url": "/x"}}}
    assert not matches({"http_status_code": ["5+"]}, request)
    assert not matches({"http_status_code": ["5+"]}, DROP)
    for bad in ("600", "5", "+", "abc", "5xx"):
        assert refused({"http_status_code": [bad]}).field == "whitelist[1].http_status_code"


def test_http_filters_need_l7_events_when_event_types_are_given() -> None:
    error = refused({"http_method": ["GET"], "event_type": [{"type": 1}]})
    assert error.field == "whitelist[1].http_method"
    assert matches({"http_method": ["get"], "event_type": [{"type": 129}]}, HTTP_503)


def test_http_method_path_url_and_header() -> None:
    assert matches({"http_method": ["get"]}, HTTP_503)
    assert not matches({"http_method": ["POST"]}, HTTP_503)
    assert matches({"http_path": ["^/api/"]}, HTTP_503)
    assert not matches({"http_path": ["backend"]}, HTTP_503)  # the path only, not the host
    assert matches({"http_url": ["backend\\.shop"]}, HTTP_503)
    assert matches({"http_header": [{"key": "x-request-id"}]}, HTTP_503)
    assert not matches({"http_header": [{"key": "x-request-id", "value": "zzz"}]}, HTTP_503)
    assert refused({"http_path": ["(["]}).field == "whitelist[1].http_path"


def test_dns_query_regex() -> None:
    assert matches({"dns_query": [r"^backend\.shop\."]}, DNS)
    assert matches({"dns_query": ["nope", "cluster\\.local\\.$"]}, DNS)
    assert not matches({"dns_query": ["backend"]}, DROP)
    error = refused({"dns_query": ["(unclosed"]})
    assert error.field == "whitelist[1].dns_query" and "(unclosed" in str(error)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("api.payments.example.com", True),
        ("*.example.com", True),
        ("*.payments.example.com.", True),
        ("API.Payments.Example.com", True),
        ("*.example.org", False),
    ],
)
def test_destination_fqdn_globs(pattern: str, expected: bool) -> None:
    assert matches({"destination_fqdn": [pattern]}, DNS) is expected


def test_bad_fqdn_pattern_is_refused() -> None:
    assert refused({"source_fqdn": ["exa mple.com"]}).field == "whitelist[1].source_fqdn"


@pytest.mark.parametrize(
    ("pattern", "node", "expected"),
    [
        ("kind-worker", "kind-worker", True),
        ("kind-worker", "kind-worker2", False),
        ("kind-*", "kind-worker2", True),
        ("default/kind-worker2", "kind-worker2", True),
        ("prod/kind-worker2", "kind-worker2", False),
        ("kind-worker", "prod/kind-worker", True),
        ("prod/*", "prod/kind-worker", True),
        ("prod/", "prod/kind-worker", True),
    ],
)
def test_node_name_globs(pattern: str, node: str, expected: bool) -> None:
    assert matches({"node_name": [pattern]}, {**DROP, "node_name": node}) is expected


def test_bad_node_name_pattern_is_refused() -> None:
    assert refused({"node_name": ["a/b/c"]}).field == "whitelist[1].node_name"
    assert refused({"node_name": ["kind_worker!"]}).field == "whitelist[1].node_name"


def test_reply_uses_is_reply_and_treats_unknown_drops_as_not_reply() -> None:
    assert matches({"reply": [True]}, HTTP_503)
    assert not matches({"reply": [False]}, HTTP_503)
    assert matches({"reply": [False]}, DROP)  # dropped, is_reply unknown: counts as false
    assert not matches({"reply": [False]}, DNS)  # forwarded, is_reply unknown: no match


def test_event_types_with_and_without_sub_type() -> None:
    assert matches({"event_type": [{"type": 1}]}, DROP)
    assert matches({"event_type": [{"type": 1, "match_sub_type": True, "sub_type": 133}]}, DROP)
    assert not matches({"event_type": [{"type": 1, "match_sub_type": True, "sub_type": 189}]}, DROP)
    assert not matches({"event_type": [{"type": 4}]}, DROP)
    assert matches({"event_type": [{"type": 4}, {"type": 129}]}, DNS)


def test_tcp_flags_match_when_the_flow_has_every_flag_of_one_filter() -> None:
    syn_ack = {**DROP, "l4": {"TCP": {"flags": {"SYN": True, "ACK": True}}}}
    assert matches({"tcp_flags": [{"SYN": True}]}, syn_ack)
    assert not matches({"tcp_flags": [{"SYN": True, "ACK": True}]}, DROP)
    assert matches({"tcp_flags": [{"FIN": True}, {"SYN": True}]}, DROP)
    assert not matches({"tcp_flags": [{"SYN": True}]}, DNS)


def test_enums_identities_workloads_and_ids() -> None:
    assert matches({"verdict": ["DROPPED", "ERROR"]}, DROP)
    assert not matches({"verdict": ["FORWARDED"]}, DROP)
    assert matches({"drop_reason_desc": ["POLICY_DENIED"]}, DROP)
    assert not matches({"drop_reason_desc": ["AUTH_REQUIRED"]}, DROP)
    assert matches({"traffic_direction": ["INGRESS"]}, DROP)
    assert matches({"ip_version": ["IPv6"]}, DNS) and not matches({"ip_version": ["IPv6"]}, DROP)
    assert matches({"source_identity": [24811], "destination_identity": [31562]}, DROP)
    assert matches({"destination_workload": [{"kind": "Deployment"}]}, DROP)
    assert matches({"destination_workload": [{"name": "backend", "kind": "Deployment"}]}, DROP)
    assert not matches({"source_workload": [{"name": "backend"}]}, DROP)
    assert matches({"uuid": ["x", "u-drop"]}, DROP) and not matches({"uuid": ["x"]}, DROP)
    assert matches({"source_cluster_name": ["default"]}, DROP)
    assert not matches({"destination_cluster_name": ["default"]}, DROP)


def test_fields_of_one_filter_are_anded() -> None:
    both = {"verdict": ["DROPPED"], "destination_pod": ["shop/backend"]}
    assert matches(both, DROP)
    assert not matches(both, HTTP_503)
    assert not matches({"verdict": ["DROPPED"], "destination_pod": ["shop/frontend"]}, DROP)
    assert matches({}, DROP)  # an empty FlowFilter matches everything


def test_whitelist_is_ored_and_blacklist_removes() -> None:
    def filters(*items: dict[str, Any]) -> list[flow_pb2.FlowFilter]:
        return [json_format.ParseDict(item, flow_pb2.FlowFilter()) for item in items]

    flows = {name: flow(data) for name, data in [("drop", DROP), ("http", HTTP_503), ("dns", DNS)]}
    namespace = FlowMatcher(
        filters({"source_pod": ["kube-system/"]}, {"destination_pod": ["kube-system/"]})
    )
    assert [n for n, f in flows.items() if namespace.matches(f)] == ["dns"]
    everything = FlowMatcher()
    assert all(everything.matches(f) for f in flows.values())
    not_dropped = FlowMatcher(blacklist=filters({"verdict": ["DROPPED"]}))
    assert [n for n, f in flows.items() if not_dropped.matches(f)] == ["http", "dns"]
    shop_not_l7 = FlowMatcher(
        filters({"source_pod": ["shop/"]}), filters({"event_type": [{"type": 129}]})
    )
    assert [n for n, f in flows.items() if shop_not_l7.matches(f)] == ["drop"]


def test_errors_name_the_list_and_index() -> None:
    good = flow_pb2.FlowFilter(verdict=[flow_pb2.DROPPED])
    bad = flow_pb2.FlowFilter(source_ip=["10.0.0.0/99"])
    with pytest.raises(FilterError) as caught:
        FlowMatcher(whitelist=[good], blacklist=[good, bad])
    assert caught.value.field == "blacklist[1].source_ip"
    assert str(caught.value).startswith("blacklist[1].source_ip: ")


def test_cel_expressions_are_unsupported() -> None:
    cel = flow_pb2.FlowFilter(experimental={"cel_expression": ["_flow.verdict == 2"]})
    with pytest.raises(UnsupportedFilter) as caught:
        FlowMatcher([cel])
    assert caught.value.field == "whitelist[0].experimental.cel_expression"
