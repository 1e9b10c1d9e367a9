"""The scheduling runbooks' CEL functions: FailedScheduling parsing, requests, taints, selectors."""

from __future__ import annotations

from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.expressions import evaluate
from holmes.agent.engine.rules.functions_scheduling import (
    fits,
    free,
    listed,
    owner_of,
    pod_request,
    scheduling_failure,
    selector_matches,
    selector_misses,
    shortfalls,
    system_taint,
    taint_text,
    unschedulable_message,
    untolerated,
)
from holmes.tools.facts import format_amount as amount
from holmes.tools.facts import tolerated as tolerates

FUNCTIONS = builtin_functions()

GPU = "nvidia.com/gpu"


def _pod(requests=None, limits=None, **extra):
    return {
        "pod": "trainer-0",
        "namespace": "ml",
        "containers": [
            {
                "name": "main",
                "init": False,
                "resources": {"requests": requests or {}, "limits": limits or {}},
            }
        ],
        "node_selector": {},
        "tolerations": [],
        **extra,
    }


def test_scheduling_failure_splits_reasons_by_kind():
    failure = scheduling_failure(
        "0/6 nodes are available: 2 node(s) had untolerated taint {sku: gpu}, 3 Insufficient cpu,"
        " 4 Insufficient nvidia.com/gpu. preemption: 0/6 nodes are available: 2 Preemption is "
        "not helpful for scheduling, 4 No preemption victims found for incoming pod."
    )
    assert failure["nodes"] == 6 and failure["available"] == 0
    assert failure["insufficient"] == {"cpu": 3, GPU: 4}
    assert failure["taints"] == [
        {"key": "sku", "value": "gpu", "text": "sku=gpu", "system": False, "count": 2}
    ]
    assert "preemption" not in failure["message"]
    assert not failure["claims"] and not failure["unbound_pvc"]


def test_scheduling_failure_other_kinds():
    selector = scheduling_failure(
        "0/8 nodes are available: 8 node(s) didn't match Pod's node affinity/selector. preemption:"
    )
    assert selector["selector"] == 8
    pvc = scheduling_failure(
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
    )
    assert pvc["unbound_pvc"]
    claims = scheduling_failure(
        "0/3 nodes are available: 1 node(s) had untolerated taint {CriticalAddonsOnly: true}, "
        "2 cannot allocate all claims. still not schedulable, preemption: 0/3 nodes"
    )
    assert claims["claims"] and claims["taints"][0]["key"] == "CriticalAddonsOnly"
    system = scheduling_failure(
        "0/5 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 4 Insufficient memory."
    )
    assert system["taints"][0]["system"] and system["taints"][0]["value"] == ""
    assert scheduling_failure("")["reasons"] == []
    assert scheduling_failure("something else")["nodes"] == 0


def test_unschedulable_message_prefers_the_condition_then_the_newest_event():
    pod = {
        "conditions": [{"type": "PodScheduled", "status": "False", "message": "from condition"}],
        "events": [],
    }
    assert unschedulable_message(pod) == "from condition"
    pod = {
        "conditions": [],
        "events": [
            {"reason": "FailedScheduling", "message": "old", "last_seen": "2026-01-01T00:00:00Z"},
            {"reason": "FailedScheduling", "message": "new", "last_seen": "2026-01-02T00:00:00Z"},
        ],
    }
    assert unschedulable_message(pod) == "new"
    assert unschedulable_message({"conditions": [], "events": []}) == ""
    assert unschedulable_message(None) == ""


def test_pod_request_sums_containers_and_uses_limits_for_unset_requests():
    pod = _pod(requests={"memory": "48Gi"}, limits={GPU: "8"})
    pod["containers"].append(
        {"name": "side", "init": False, "resources": {"requests": {"memory": "2Gi"}}}
    )
    pod["containers"].append(
        {"name": "init", "init": True, "resources": {"requests": {"memory": "100Gi"}}}
    )
    assert pod_request(pod, GPU) == 8
    assert pod_request(pod, "memory") == 100 * 2**30  # the init container asks for more
    assert pod_request(pod, "cpu") == 0
    assert amount("memory", 48 * 2**30) == "48Gi"
    assert amount(GPU, 8.0) == "8"
    assert amount("cpu", 0.5) == "0.5"


def test_tolerations_follow_kubernetes_matching():
    taint = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
    assert tolerates(
        [{"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}], taint
    )
    assert tolerates([{"key": "sku", "operator": "Exists"}], taint)
    assert tolerates([{"operator": "Exists"}], taint)
    assert not tolerates([{"key": "sku", "value": "cpu", "effect": "NoSchedule"}], taint)
    assert not tolerates([{"key": "sku", "operator": "Exists", "effect": "NoExecute"}], taint)
    assert not tolerates([], taint)
    soft = {"key": "x", "effect": "PreferNoSchedule"}
    assert untolerated([], [taint, soft]) == [taint]
    assert taint_text(taint) == "sku=gpu:NoSchedule"
    assert (
        taint_text({"key": "nvidia.com/gpu", "effect": "NoSchedule"}) == "nvidia.com/gpu:NoSchedule"
    )
    assert system_taint({"key": "node.kubernetes.io/unreachable"})
    assert system_taint("node-role.kubernetes.io/control-plane")
    assert not system_taint({"key": "sku"})


def test_selectors_against_node_labels():
    nodes = [
        {"name": "a", "labels": {"nvidia.com/gpu.product": "NVIDIA-L4"}},
        {"name": "b", "labels": {"nvidia.com/gpu.product": "NVIDIA-A10G"}},
        {"name": "c", "labels": {}},
    ]
    misses = selector_misses({"nvidia.com/gpu.product": "NVIDIA-A10G-24GB"}, nodes)
    assert misses[0]["found"] == ["NVIDIA-A10G", "NVIDIA-L4"]  # the closest value first
    assert misses[0]["text"] == "nvidia.com/gpu.product=NVIDIA-A10G-24GB"
    assert selector_misses({"nvidia.com/gpu.product": "NVIDIA-L4"}, nodes) == []
    assert selector_misses({"label": "someLabel"}, nodes)[0]["found"] == []
    assert selector_matches({"app": "x"}, {"app": "x", "tier": "y"})
    assert not selector_matches({"app": "x"}, {"app": "y"})
    assert selector_matches({}, {})


def test_shortfalls_tell_a_request_no_node_fits_from_full_nodes():
    pod = _pod(requests={GPU: "8", "memory": "160Gi"})
    failure = scheduling_failure(
        "0/2 nodes are available: 1 Insufficient memory, 2 Insufficient nvidia.com/gpu."
    )
    nodes = [
        {"name": "gpu-1", "allocatable": {GPU: "4", "memory": "300Gi"}},
        {"name": "cpu-1", "allocatable": {"memory": "64Gi"}},
    ]
    found = shortfalls(pod, failure, nodes)
    assert found[0]["resource"] == GPU and found[0]["never_fits"]
    assert found[0]["largest_text"] == "4" and found[0]["largest_node"] == "gpu-1"
    assert found[0]["offering"] == 1
    assert not found[1]["never_fits"]
    assert shortfalls(pod, failure, [])[0]["largest"] is None
    assert fits(_pod(requests={GPU: "4"}), nodes[0])
    assert not fits(pod, nodes[0])
    node = {"allocatable": {"memory": "100Gi"}, "requested": {"memory": str(60 * 2**30)}}
    assert free(node, "memory") == 40 * 2**30


def test_listed_and_owner_of():
    results = [
        {"ok": True, "data": {"kind": "Pod", "items": [{"name": "p"}]}},
        {"ok": True, "data": {"kind": "Node", "items": [{"name": "n1"}, {"name": "n2"}]}},
        {"ok": False, "data": None},
    ]
    assert [n["name"] for n in listed(results, "Node")] == ["n1", "n2"]
    assert listed(None, "Node") == []
    pod = {
        "pod": "web-abc-1",
        "namespace": "shop",
        "owner_refs": [
            {"kind": "ReplicaSet", "name": "web-abc", "namespace": "shop", "summary": "ready 0/1"},
            {"kind": "Deployment", "name": "web", "namespace": "shop", "summary": "ready 1/2"},
        ],
    }
    assert owner_of(pod)["ref"] == "deployment/web"
    assert owner_of({"pod": "solo", "namespace": "x", "owners": []})["text"] == "pod solo"


def test_functions_are_callable_from_cel():
    message = "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."
    assert (
        evaluate(
            "k8s.scheduling_failure(m).insufficient['nvidia.com/gpu']", {"m": message}, FUNCTIONS
        )
        == 1
    )
    assert evaluate(
        "k8s.taint_text({'key': 'a', 'value': 'b', 'effect': 'NoSchedule'})", {}, FUNCTIONS
    ) == ("a=b:NoSchedule")


def test_pod_scheduling_failure_reads_the_pods_own_message() -> None:
    message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
    pod = {"conditions": [{"type": "PodScheduled", "status": "False", "message": message}]}
    named = evaluate("k8s.pod_scheduling_failure(p)", {"p": pod}, FUNCTIONS)
    assert named == evaluate(
        "k8s.scheduling_failure(k8s.unschedulable_message(p))", {"p": pod}, FUNCTIONS
    )
    assert named["nodes"] == 3
