"""The network runbooks' CEL functions (functions_network) and the summary's list views."""

from __future__ import annotations

from holmes.agent.runbooks.expressions import evaluate
from holmes.agent.runbooks.functions_network import (
    in_scope,
    net_allow_rule,
    net_config_mentions,
    net_dns_failures,
    net_drops,
    net_hpa_for,
    net_http_errors,
    net_is_dns,
    net_latency,
    net_load_line,
    net_namespaces,
    net_peer,
    net_policies_for,
    net_policy_refs,
    net_rcodes,
    net_similar_service,
    net_unhealthy,
    selector_matches,
    subject_names,
)
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.tally import as_lists, tally


def ok(data, item=None):
    return {"id": "E1", "ok": True, "data": data, "text": "", "item": item}


def pair(client, server, port, direction="INGRESS", protocol="TCP", count=10, **extra):
    cns, cname = client.split("/")
    sns, sname = server.split("/")
    return {
        "client": client,
        "server": server,
        "port": port,
        "protocol": protocol,
        "service": f"{protocol}/{port}",
        "direction": direction,
        "count": count,
        "client_namespace": cns,
        "server_namespace": sns,
        "client_labels": {"app": cname, "io.kubernetes.pod.namespace": cns},
        "server_labels": {"app": sname, "io.kubernetes.pod.namespace": sns},
        "denied_by": [],
        "nodes": ["n1"],
        **extra,
    }


def summary(drops=(), http=(), dns=()):
    return ok(
        {
            "drops": list(drops),
            "conversations": [],
            "http_servers": list(http),
            "dns_names": list(dns),
        }
    )


def drop(reason, pairs, noise=False):
    return {
        "reason": reason,
        "noise": noise,
        "meaning": "m",
        "count": sum(p["count"] for p in pairs),
        "pairs": pairs,
    }


SHOP = {
    "scope": "named",
    "namespace": "shop",
    "workloads": [{"kind": "Deployment", "namespace": "shop", "name": "frontend"}],
    "services": [],
    "pods": [],
}


# --- scope ---------------------------------------------------------------------------------


def test_subject_names_and_scope_prefer_named_then_namespace() -> None:
    assert subject_names(SHOP) == ["shop/frontend"]
    named = pair("shop/frontend", "shop/backend", 8080)
    other = pair("shop/cron", "shop/db", 5432)
    elsewhere = pair("monitoring/prom", "kube-system/dns", 53)
    assert in_scope([named, other, elsewhere], SHOP) == [named]
    assert in_scope([other, elsewhere], SHOP) == [other]  # nothing named: the namespace
    assert in_scope([elsewhere], {"scope": "cluster", "namespace": None}) == [elsewhere]


def test_a_pod_name_belongs_to_its_workload() -> None:
    item = pair("shop/frontend-6c9f7d8b5-abcde", "shop/backend", 8080)
    assert in_scope([item], SHOP) == [item]


def test_net_drops_keeps_the_reason_about_the_subject_and_never_noise() -> None:
    wanted = pair("shop/frontend", "shop/backend", 8080, count=88)
    noise = pair("shop/frontend", "shop/x", 1, count=500)
    flows = [
        summary(
            drops=[
                drop("POLICY_DENIED", [wanted]),
                drop("UNSUPPORTED_L3_PROTOCOL", [noise], noise=True),
                drop("STALE_OR_UNROUTABLE_IP", [pair("monitoring/prom", "world/x", 9400)]),
            ]
        )
    ]
    found = net_drops(flows, SHOP, "^POLICY_DENIED$")
    assert [d["server"] for d in found] == ["shop/backend"]
    assert found[0]["reason"] == "POLICY_DENIED"
    assert net_drops(flows, SHOP, "UNSUPPORTED") == []
    assert net_drops([{"ok": False, "data": None}], SHOP, ".") == []
    assert net_namespaces(found) == ["shop"]


def test_dns_conversations() -> None:
    assert net_is_dns(pair("rag/indexer", "kube-system/coredns", 53, protocol="UDP"))
    assert not net_is_dns(pair("shop/frontend", "shop/backend", 8080))


# --- selectors and policies ----------------------------------------------------------------


def test_selector_matches_labels_and_expressions() -> None:
    labels = {"k8s:app": "web", "tier": "front"}
    assert selector_matches({}, labels)
    assert selector_matches({"matchLabels": {"app": "web"}}, labels)
    assert not selector_matches({"matchLabels": {"app": "db"}}, labels)
    assert selector_matches(
        {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}, labels
    )
    assert not selector_matches(
        {"matchExpressions": [{"key": "gone", "operator": "Exists"}]}, labels
    )
    assert not selector_matches(None, labels)


def test_net_peer_prefers_the_naming_label() -> None:
    assert net_peer({"pod-template-hash": "x", "app": "frontend"}) == "app=frontend"
    assert net_peer({"k8s-app": "kube-dns", "io.kubernetes.pod.namespace": "kube-system"}) == (
        "k8s-app=kube-dns"
    )
    assert net_peer({}) == ""


CNP = {
    "kind": "CiliumNetworkPolicy",
    "metadata": {"name": "backend-ingress", "namespace": "shop"},
    "spec": {
        "endpointSelector": {"matchLabels": {"app": "backend"}},
        "ingress": [
            {
                "fromEndpoints": [{"matchLabels": {"app": "storefront"}}],
                "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}],
            },
        ],
    },
}
DENY_ALL = {
    "kind": "NetworkPolicy",
    "metadata": {"name": "default-deny", "namespace": "shop"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
}
NP_ALLOW = {
    "kind": "NetworkPolicy",
    "metadata": {"name": "backend-from-frontend", "namespace": "shop"},
    "spec": {
        "podSelector": {"matchLabels": {"app": "backend"}},
        "ingress": [
            {
                "from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}],
                "ports": [{"port": 8080, "protocol": "TCP"}],
            }
        ],
    },
}


def test_policies_for_an_ingress_drop() -> None:
    d = pair("shop/frontend", "shop/backend", 8080)
    found = net_policies_for([ok(CNP, {"age": "31m"}), ok(DENY_ALL)], d)
    assert [p["name"] for p in found] == ["backend-ingress", "default-deny"]
    first, deny = found
    assert not first["admits_peer"] and first["selects"] == "app=backend"
    assert "only from app=storefront on TCP/8080" in first["text"]
    assert "(created 31m ago)" in first["text"]
    assert deny["rules"] == 0 and "default deny" in deny["text"]
    admitted = net_policies_for([ok(NP_ALLOW)], d)
    assert admitted[0]["admits_peer"]
    # On another port the same rule does not admit it.
    assert not net_policies_for([ok(NP_ALLOW)], {**d, "port": 9090})[0]["admits_peer"]


def test_namespaced_cilium_selectors_are_implicitly_in_the_policy_namespace() -> None:
    d = pair("other/storefront", "shop/backend", 8080)
    assert not net_policies_for([ok(CNP)], d)[0]["admits_peer"]


def test_egress_policy_without_dns() -> None:
    egress = {
        "kind": "CiliumNetworkPolicy",
        "metadata": {"name": "indexer-egress", "namespace": "rag"},
        "spec": {
            "endpointSelector": {"matchLabels": {"app": "indexer"}},
            "egress": [
                {
                    "toEndpoints": [{"matchLabels": {"app": "qdrant"}}],
                    "toPorts": [{"ports": [{"port": "6333", "protocol": "TCP"}]}],
                }
            ],
        },
    }
    d = pair("rag/indexer", "kube-system/coredns", 53, direction="EGRESS", protocol="UDP")
    d["server_labels"] = {"k8s-app": "kube-dns", "io.kubernetes.pod.namespace": "kube-system"}
    found = net_policies_for([ok(egress)], d)
    assert found[0]["name"] == "indexer-egress" and not found[0]["admits_peer"]
    assert "egress only to app=qdrant on TCP/6333" in found[0]["text"]
    rule = net_allow_rule(found[0], d)
    assert "k8s:io.kubernetes.pod.namespace: kube-system" in rule
    assert "k8s:k8s-app: kube-dns" in rule and 'port: "53", protocol: ANY' in rule


def test_allow_rules_for_both_policy_kinds() -> None:
    d = pair("recsys/feature-server", "recsys/redis", 6379)
    np = net_policies_for(
        [
            ok(
                {
                    **NP_ALLOW,
                    "metadata": {"name": "redis", "namespace": "recsys"},
                    "spec": {**NP_ALLOW["spec"], "podSelector": {"matchLabels": {"app": "redis"}}},
                }
            )
        ],
        d,
    )[0]
    assert net_allow_rule(np, d) == (
        "- from: [{podSelector: {matchLabels: {app: feature-server}}}], "
        "ports: [{port: 6379, protocol: TCP}]"
    )
    cnp = net_policies_for([ok(CNP)], pair("shop/frontend", "shop/backend", 8080))[0]
    assert net_allow_rule(cnp, pair("shop/frontend", "shop/backend", 8080)).startswith(
        "- fromEndpoints: [{matchLabels: {app: frontend}}]"
    )


def test_mutual_auth_rules_are_seen() -> None:
    policy = {
        "kind": "CiliumNetworkPolicy",
        "metadata": {"name": "require-mtls", "namespace": "serving"},
        "spec": {
            "endpointSelector": {"matchLabels": {"app": "triton"}},
            "ingress": [
                {
                    "fromEndpoints": [{"matchLabels": {"app": "router"}}],
                    "toPorts": [{"ports": [{"port": "8001", "protocol": "TCP"}]}],
                    "authentication": {"mode": "required"},
                }
            ],
        },
    }
    found = net_policies_for([ok(policy)], pair("serving/router", "serving/triton", 8001))
    assert found[0]["auth_required"] and found[0]["admits_peer"]
    assert "with mutual authentication" in found[0]["text"]


def test_policy_refs_put_the_relevant_policies_first() -> None:
    listing = ok(
        {
            "kind": "NetworkPolicy",
            "items": [
                {"namespace": "shop", "name": "a", "summary": "shop/a  selects app=other  age 3d"},
                {
                    "namespace": "shop",
                    "name": "b",
                    "summary": "shop/b  selects app=backend  age 31m",
                },
            ],
        }
    )
    refs = net_policy_refs([listing], [pair("shop/frontend", "shop/backend", 8080)])
    assert [r["name"] for r in refs] == ["b", "a"]
    assert refs[0]["kind"] == "NetworkPolicy" and refs[0]["age"] == "31m"


# --- DNS -----------------------------------------------------------------------------------


def dns(name, rcodes, requests, clients=("search/api",)):
    parts = name.rstrip(".").split(".")
    svc = parts[0] if len(parts) > 2 and parts[2] == "svc" else ""
    answered = sum(rcodes.values())
    return {
        "name": name.rstrip("."),
        "query": name,
        "rcodes": rcodes,
        "requests": requests,
        "unanswered": max(0, requests - answered),
        "failed": requests > answered or any(r != "NOERROR" for r in rcodes),
        "errors": sum(n for r, n in rcodes.items() if r != "NOERROR"),
        "clients": list(clients),
        "service": svc,
        "service_namespace": parts[1] if svc else "",
        "qtypes": ["A"],
    }


def test_dns_failures_leave_out_search_path_expansions_of_names_that_resolve() -> None:
    flows = [
        summary(
            dns=[
                dns("huggingface.co.search.svc.cluster.local.", {"NXDOMAIN": 6}, 6),
                dns("huggingface.co.", {"NOERROR": 6}, 6),
                dns(
                    "vector-db.search.svc.cluster.local.search.svc.cluster.local.",
                    {"NXDOMAIN": 4},
                    4,
                ),
                dns("vector-db.search.svc.cluster.local.", {"NXDOMAIN": 4}, 4),
            ]
        )
    ]
    subject = {
        "scope": "named",
        "namespace": "search",
        "workloads": [{"namespace": "search", "name": "api"}],
        "services": [],
        "pods": [],
    }
    found = net_dns_failures(flows, subject)
    assert [n["name"] for n in found] == [
        "vector-db.search.svc.cluster.local",
        "vector-db.search.svc.cluster.local.search.svc.cluster.local",
    ]
    assert net_rcodes(found[0]) == "NXDOMAIN 4"
    assert net_rcodes(dns("x.", {"SERVFAIL": 1}, 3)) == "SERVFAIL 1, 2 without a response"


def test_similar_service() -> None:
    services = ok(
        {
            "kind": "Service",
            "items": [
                {"namespace": "search", "name": "vectordb", "summary": "search/vectordb ClusterIP"},
                {"namespace": "search", "name": "retrieval-api", "summary": ""},
                {"namespace": "other", "name": "reranker", "summary": ""},
            ],
        }
    )
    assert net_similar_service("vector-db", "search", [services])["name"] == "vectordb"
    assert net_similar_service("retrieval-apl", "search", [services])["name"] == "retrieval-api"
    assert net_similar_service("reranker", "search", [services])["namespace"] == "other"
    assert net_similar_service("vectordb", "search", [services]) == {}  # it exists
    assert net_similar_service("unrelated", "search", [services]) == {}


def test_config_mentions() -> None:
    config = ok(
        {
            "kind": "ConfigMap",
            "metadata": {"namespace": "search", "name": "api-config"},
            "data": {
                "DB_ADDR": "vector-db.search.svc.cluster.local:19530",
                "OTHER": "vector-dbx:1",
            },
        }
    )
    pods = [{"containers": [{"name": "api", "env": [{"name": "DB", "value": "vector-db:19530"}]}]}]
    assert net_config_mentions([config], pods, "vector-db") == [
        "ConfigMap search/api-config key DB_ADDR=vector-db.search.svc.cluster.local:19530",
        "env DB=vector-db:19530 of container api",
    ]


# --- HTTP, load, autoscaling ---------------------------------------------------------------


def test_http_errors_need_a_share_of_5xx() -> None:
    server = {
        "server": "llm/vllm",
        "namespace": "llm",
        "clients": ["llm/gateway"],
        "errors": 36,
        "error_share": 0.33,
    }
    few = {
        "server": "llm/embed",
        "namespace": "llm",
        "clients": ["llm/gateway"],
        "errors": 1,
        "error_share": 0.01,
    }
    none = {
        "server": "kb/embed",
        "namespace": "kb",
        "clients": ["kb/api"],
        "errors": 0,
        "error_share": 0.0,
    }
    subject = {
        "scope": "named",
        "namespace": "llm",
        "workloads": [{"namespace": "llm", "name": "gateway"}],
        "services": [],
        "pods": [],
    }
    assert net_http_errors([summary(http=[few, server, none])], subject) == [server]


def test_load_line_prefers_figures_and_skips_fold_examples() -> None:
    text = "\n".join(
        [
            "L120: WARNING:  Exceeded concurrency limit.",
            "L121: INFO Engine: Running: 256 reqs, Waiting: 185 reqs, GPU KV cache usage: 98.6%",
            "L122: WARNING:  Exceeded concurrency limit.",
            "x72: INFO Engine: Running: 256 reqs, Waiting: 160 reqs, GPU KV cache usage: 98.1%",
        ]
    )
    assert net_load_line(text) == (
        "INFO Engine: Running: 256 reqs, Waiting: 185 reqs, GPU KV cache usage: 98.6%"
    )
    assert net_load_line("INFO Running: 3 reqs, Waiting: 0 reqs, GPU KV cache usage: 12.0%") == ""


def test_hpa_for_a_workload() -> None:
    hpa = ok(
        {
            "metadata": {"name": "vllm"},
            "spec": {
                "scaleTargetRef": {"kind": "Deployment", "name": "vllm"},
                "minReplicas": 1,
                "maxReplicas": 2,
                "metrics": [
                    {
                        "type": "Pods",
                        "pods": {
                            "metric": {"name": "waiting"},
                            "target": {"type": "AverageValue", "averageValue": "10"},
                        },
                    }
                ],
            },
            "status": {
                "currentReplicas": 2,
                "desiredReplicas": 2,
                "currentMetrics": [
                    {
                        "type": "Pods",
                        "pods": {"metric": {"name": "waiting"}, "current": {"averageValue": "187"}},
                    }
                ],
                "conditions": [
                    {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"}
                ],
            },
        }
    )
    found = net_hpa_for([hpa], "Deployment", "vllm")
    assert found["at_max"] and found["limited"] and found["max"] == 2
    assert found["metrics"] == ["waiting=187"] and found["targets"] == ["waiting=10"]
    assert net_hpa_for([hpa], "Deployment", "other") == {}
    assert net_latency(0.004) == "4ms" and net_latency(60.003) == "60s"


def test_unhealthy_pods_from_a_listing() -> None:
    listing = ok(
        {
            "kind": "Pod",
            "items": [
                {
                    "namespace": "cilium-spire",
                    "name": "spire-server-0",
                    "summary": "cilium-spire/spire-server-0  ready 0/1  CrashLoopBackOff  "
                    "restarts 14",
                },
                {
                    "namespace": "cilium-spire",
                    "name": "spire-agent-x",
                    "summary": "cilium-spire/spire-agent-x  ready 1/1  Running  restarts 0",
                },
            ],
        }
    )
    found = net_unhealthy([listing])
    assert [(p["name"], p["status"], p["restarts"]) for p in found] == [
        ("spire-server-0", "CrashLoopBackOff", 14)
    ]


def test_functions_are_registered_for_cel() -> None:
    flows = [summary(drops=[drop("POLICY_DENIED", [pair("shop/frontend", "shop/backend", 80)])])]
    found = evaluate("net_drops(flows, subject, 'POLICY')", {"flows": flows, "subject": SHOP})
    assert found[0]["server"] == "shop/backend"


# --- hubble_flow_summary list views --------------------------------------------------------


def _flow(source, destination, port, **fields):
    flow = flow_pb2.Flow(**fields)
    for endpoint, (namespace, name, labels) in (
        (flow.source, source),
        (flow.destination, destination),
    ):
        endpoint.namespace = namespace
        endpoint.pod_name = name + "-abc"
        endpoint.labels.extend(labels)
        endpoint.workloads.add(name=name, kind="Deployment")
    flow.l4.TCP.destination_port = port
    return flow


def test_summary_lists_drops_with_labels_and_http_per_code() -> None:
    client = ("shop", "frontend", ["k8s:app=frontend"])
    server = ("shop", "backend", ["k8s:app=backend"])
    flows = [
        _flow(
            client,
            server,
            8080,
            verdict=flow_pb2.DROPPED,
            drop_reason_desc=133,
            traffic_direction=flow_pb2.INGRESS,
        )
        for _ in range(3)
    ]
    for code, latency in ((200, 2_000_000_000), (503, 3_000_000), (503, 5_000_000)):
        flow = _flow(client, server, 9000, verdict=flow_pb2.FORWARDED)
        flow.l7.type = flow_pb2.RESPONSE
        flow.l7.latency_ns = latency
        flow.l7.http.code = code
        flows.append(flow)
    lists = as_lists(tally(flows))
    drop_view = lists["drops"][0]
    assert drop_view["reason"] == "POLICY_DENIED" and drop_view["count"] == 3
    first = drop_view["pairs"][0]
    assert first["client"] == "shop/frontend" and first["server_labels"] == {"app": "backend"}
    assert first["direction"] == "INGRESS" and first["service"] == "TCP/8080"
    http = lists["http_servers"][0]
    assert http["error_codes"] == [503] and http["errors"] == 2 and http["kind"] == "Deployment"
    assert http["latency_by_code"]["503"]["p50_seconds"] == 0.003
    assert http["clients"] == ["shop/frontend"]
