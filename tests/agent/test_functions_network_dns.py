"""The network runbooks' CEL functions for DNS (holmes.agent.engine.rules.network.dns): failed
names, rcodes, the Service a misspelt name meant, and where the name is configured."""

from __future__ import annotations

from holmes.agent.engine.rules.network.dns import (
    net_config_mentions,
    net_dns_failures,
    net_is_dns,
    net_rcodes,
    net_similar_service,
)
from tests.agent.network_samples import ok, pair, summary


def test_dns_conversations() -> None:
    assert net_is_dns(pair("rag/indexer", "kube-system/coredns", 53, protocol="UDP"))
    assert not net_is_dns(pair("shop/frontend", "shop/backend", 8080))


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
