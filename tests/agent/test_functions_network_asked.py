"""The conversation a question names, judged against plain NetworkPolicies without Hubble."""

from __future__ import annotations

from holmes.agent.engine.rules.network.asked import net_asked_conversation, net_asked_ends
from holmes.agent.engine.rules.network.policies import net_policies_for


def _listing(kind, *objects):
    items = [{"name": name, "namespace": namespace} for namespace, name in objects]
    return {"ok": True, "data": {"kind": kind, "items": items}}


LISTING = [
    _listing("Deployment", ("search", "search-api"), ("ml", "reranker"), ("other", "reranker")),
    _listing("Service", ("ml", "reranker"), ("other", "reranker")),
]


def test_the_client_is_named_first_unless_the_server_is_reached_from_it() -> None:
    ends = net_asked_ends("why can't search-api reach the reranker in ml?", LISTING)
    assert [(e["role"], e["namespace"], e["name"]) for e in ends] == [
        ("client", "search", "search-api"),
        ("server", "ml", "reranker"),
    ]
    assert ends[1]["service"] == "reranker" and ends[1]["kind"] == "Deployment"
    ends = net_asked_ends("reranker in ml times out when called from search-api", LISTING)
    assert [e["role"] for e in ends if e["name"] == "search-api"] == ["client"]
    assert net_asked_ends("why is search-api slow?", LISTING) == []


def _get(role, obj, **item):
    return {"ok": True, "item": {"role": role, **item}, "data": obj}


def _deployment(namespace, name, port):
    return {
        "kind": "Deployment",
        "metadata": {"namespace": namespace, "name": name},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"ports": [{"containerPort": port}]}]},
            }
        },
    }


ENDS = [
    _get(
        "client", _deployment("search", "search-api", 8000), namespace="search", name="search-api"
    ),
    _get(
        "server",
        _deployment("ml", "reranker", 8080),
        namespace="ml",
        name="reranker",
        service="reranker",
    ),
    _get(
        "server",
        {
            "kind": "Service",
            "spec": {"selector": {"app": "reranker"}, "ports": [{"port": 80, "targetPort": 8080}]},
        },
        namespace="ml",
        name="reranker",
    ),
]
NAMESPACES = [
    {
        "ok": True,
        "data": {
            "kind": "Namespace",
            "items": [
                {
                    "name": "search",
                    "labels": {"kubernetes.io/metadata.name": "search", "team": "search"},
                },
                {"name": "ml", "labels": {"kubernetes.io/metadata.name": "ml"}},
            ],
        },
    }
]


def _policy(name, ingress):
    return {
        "ok": True,
        "item": {},
        "data": {
            "kind": "NetworkPolicy",
            "metadata": {"namespace": "ml", "name": name},
            "spec": {
                "podSelector": {"matchLabels": {"app": "reranker"}},
                "policyTypes": ["Ingress"],
                "ingress": ingress,
            },
        },
    }


def test_the_service_port_maps_to_the_pods_port_and_namespace_labels_are_judged() -> None:
    conversation = net_asked_conversation(
        "can search-api reach reranker on port 80?", ENDS, NAMESPACES
    )
    assert conversation["port"] == 8080  # the Service's targetPort: what a policy port means
    # A time is not a port; with none asked, the Service's first targetPort is judged.
    timed = net_asked_conversation("search-api cannot reach reranker since 16:40", ENDS, NAMESPACES)
    assert timed["port"] == 8080
    assert timed["client_namespace_labels"] == "kubernetes.io/metadata.name=search,team=search"
    by_team = _policy(
        "by-team",
        [
            {
                "from": [{"namespaceSelector": {"matchLabels": {"team": "search"}}}],
                "ports": [{"port": 8080}],
            }
        ],
    )
    (judged,) = net_policies_for([by_team], conversation)
    assert judged["admits_peer"]
    wrong_port = _policy(
        "wrong-port",
        [
            {
                "from": [{"namespaceSelector": {"matchLabels": {"team": "search"}}}],
                "ports": [{"port": 80}],
            }
        ],
    )
    (judged,) = net_policies_for([wrong_port], conversation)
    assert not judged["admits_peer"]
    other_ns = _policy(
        "gateway-only",
        [
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "gateway"}
                        }
                    }
                ]
            }
        ],
    )
    assert not net_policies_for([other_ns], conversation)[0]["admits_peer"]
    assert net_asked_conversation("q", ENDS[:1], NAMESPACES) == {}
