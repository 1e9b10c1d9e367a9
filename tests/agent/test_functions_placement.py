"""The placement-constraint functions: the scheduler's wording, node affinity terms, pod
(anti-)affinity domains and topology spread skew, on data shaped like the tools'."""

from __future__ import annotations

from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.expressions import evaluate
from holmes.agent.engine.rules.functions_placement import (
    affinity_domains,
    affinity_terms,
    node_affinity_fit,
    other_reasons,
    placement_reasons,
    spread_constraints,
    spread_skew,
    untolerated_taints,
)

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


def _node(name, zone, unschedulable=False, taints=None, **labels):
    return {
        "name": name,
        "labels": {HOST: name, ZONE: zone, **labels},
        "taints": taints or [],
        "unschedulable": unschedulable,
    }


def _listing(*placed, ok=True):
    items = [
        {"name": name, "namespace": "ml", "facts": {"node": node, "phase": phase}}
        for name, node, phase in placed
    ]
    return [{"ok": ok, "data": {"kind": "Pod", "items": items}}]


def test_placement_reasons_count_each_plugin_and_the_rest() -> None:
    message = (
        "0/9 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node "
        "affinity/selector, 3 node(s) didn't match pod anti-affinity rules, 1 node(s) didn't "
        "match pod topology spread constraints (missing required label), 2 node(s) didn't "
        "match pod topology spread constraints. preemption: 0/9 nodes are available: 9 "
        "Preemption is not helpful for scheduling, 4 node(s) didn't match pod affinity rules."
    )
    counts = placement_reasons(message)
    assert counts["node_affinity"] == 2
    assert counts["pod_anti_affinity"] == 3
    assert counts["spread_missing_label"] == 1
    assert counts["topology_spread"] == 2
    assert counts["pod_affinity"] == 0  # after "preemption:" is not the verdict
    assert counts["other"] == 1
    assert placement_reasons("")["topology_spread"] == 0
    assert other_reasons(message) == ["1 Insufficient cpu"]


def test_node_affinity_names_the_expression_no_node_satisfies_and_the_closest_value() -> None:
    nodes = [
        _node("a1", "us-east-1a", **{"gpu": "NVIDIA-L4"}),
        _node("b1", "us-east-1b", **{"gpu": "NVIDIA-H100-80GB-HBM3"}),
    ]
    typo = {"matchExpressions": [{"key": "gpu", "operator": "In", "values": ["NVIDIA-H100"]}]}
    fit = node_affinity_fit({"node_affinity": [typo]}, nodes)
    assert fit["fits"] == []
    (miss,) = fit["terms"][0]["failing"]
    assert miss["found"][0] == "NVIDIA-H100-80GB-HBM3"
    together = {
        "matchExpressions": [
            {"key": "gpu", "operator": "In", "values": ["NVIDIA-H100-80GB-HBM3"]},
            {"key": ZONE, "operator": "In", "values": ["us-east-1a"]},
        ]
    }
    fit = node_affinity_fit({"node_affinity": [together]}, nodes)
    assert fit["fits"] == [] and fit["terms"][0]["failing"] == []
    assert [e["nodes"] for e in fit["terms"][0]["expressions"]] == [["b1"], ["a1"]]
    # Terms are ORed: a second term that b1 satisfies makes it fit.
    other = {"matchExpressions": [{"key": ZONE, "operator": "In", "values": ["us-east-1b"]}]}
    assert node_affinity_fit({"node_affinity": [together, other]}, nodes)["fits"] == ["b1"]


def test_anti_affinity_per_host_with_every_node_taken() -> None:
    pod = {
        "pod": "api-x",
        "namespace": "ml",
        "pod_anti_affinity": [
            {"labelSelector": {"matchLabels": {"app": "api"}}, "topologyKey": HOST}
        ],
    }
    (term,) = affinity_terms(pod)
    assert term["kind"] == "anti-affinity" and term["query"] == "app=api"
    nodes = [_node("n1", "a"), _node("n2", "b"), _node("n3", "c")]
    taken = affinity_domains(
        term, _listing(("api-1", "n1", "Running"), ("api-2", "n2", "Running")), nodes, pod
    )
    assert taken["free_nodes"] == ["n3"]
    full = affinity_domains(
        term,
        _listing(
            ("api-1", "n1", "Running"), ("api-2", "n2", "Running"), ("api-3", "n3", "Running")
        ),
        nodes,
        pod,
    )
    assert full["free_nodes"] == [] and full["occupied"] == ["n1", "n2", "n3"]
    # A finished pod holds no domain.
    done = affinity_domains(term, _listing(("api-3", "n3", "Succeeded")), nodes, pod)
    assert done["free"] == ["n1", "n2", "n3"]


def test_pod_affinity_with_no_matching_pod_allows_no_node() -> None:
    pod = {
        "pod": "cache-x",
        "namespace": "ml",
        "pod_affinity": [{"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": ZONE}],
    }
    (term,) = affinity_terms(pod)
    found = affinity_domains(term, _listing(), [_node("n1", "a")], pod)
    assert found["matching"] == [] and found["allowed_nodes"] == []


def test_spread_skew_counts_a_cordoned_zone_as_the_minimum() -> None:
    pod = {
        "pod": "emb-new",
        "namespace": "rag",
        "node_selector": {"pool": "rag"},
        "topology_spread": [
            {
                "maxSkew": 1,
                "topologyKey": ZONE,
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "emb"}},
            },
            {"maxSkew": 1, "topologyKey": HOST, "whenUnsatisfiable": "ScheduleAnyway"},
        ],
    }
    (constraint,) = spread_constraints(pod)
    nodes = [
        _node("a1", "a", pool="rag"),
        _node("b1", "b", pool="rag"),
        _node("c1", "c", unschedulable=True, pool="rag"),
        _node("c2", "c", pool="rag"),
        _node("x1", "x"),  # not in the pool: not counted
    ]
    pods = _listing(("e1", "a1", "Running"), ("e2", "b1", "Running"))
    message = (
        "0/5 nodes are available: 1 Insufficient cpu, "
        "2 node(s) didn't match pod topology spread constraints."
    )
    # The same pods listed twice (two pending pods' steps) count once.
    skew = spread_skew(constraint, pods + pods, nodes, pod, message)
    assert skew["allowed"] == ["c"] and skew["blocked"] == ["a", "b"]
    assert skew["stuck"] == ["c"]
    why = {b["node"]: b["why"] for b in skew["domains"][2]["blocked_nodes"]}
    assert why["c1"].startswith("cordoned") and "Insufficient cpu" in why["c2"]
    # With room in zone c, nothing is stuck.
    assert spread_skew(constraint, pods, nodes[:2] + nodes[3:4], pod)["stuck"] == []


def test_untolerated_taints_and_the_cel_registration() -> None:
    node = {
        "taints": [
            {"key": "gpu", "value": "true", "effect": "NoSchedule"},
            {"key": "soft", "effect": "PreferNoSchedule"},
        ]
    }
    assert untolerated_taints({"tolerations": []}, node) == ["gpu=true:NoSchedule"]
    tolerant = {"tolerations": [{"key": "gpu", "operator": "Exists"}]}
    assert untolerated_taints(tolerant, node) == []
    message = "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules."
    functions = builtin_functions()
    assert evaluate("k8s.placement_reasons(m).pod_anti_affinity", {"m": message}, functions) == 2
