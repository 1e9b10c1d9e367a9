"""The network runbooks' CEL functions for selectors and policies (holmes.agent.engine.rules.network
selectors, rules, policies): which policies select a dropped endpoint, what they admit, and
the rule that would admit the peer."""

from __future__ import annotations

from holmes.agent.engine.rules.network.policies import net_policies_for, net_policy_refs
from holmes.agent.engine.rules.network.rules import net_allow_rule
from holmes.agent.engine.rules.network.selectors import net_peer, selector_matches
from tests.agent.network_samples import ok, pair


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
