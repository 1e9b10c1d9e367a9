"""kueue_gang: how much of a Kueue-admitted gang is placed, what keeps the rest out, and what
Kueue's waitForPodsReady did about it."""

from __future__ import annotations

from typing import Any

from holmes.agent.engine.rules.kueue_gang import kueue_gang

MSG = (
    "0/10 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: "
    "}, 2 node(s) didn't match Pod's node affinity/selector, 7 Insufficient nvidia.com/gpu. "
    "preemption: 0/10 nodes are available: 3 Preemption is not helpful for scheduling, 7 No "
    "preemption victims found for incoming pod."
)


def _workload(conditions: list[dict[str, str]], **status: Any) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "pytorchjob-train-8n-3f9a1",
            "namespace": "research",
            "ownerReferences": [{"kind": "PyTorchJob", "name": "train-8n"}],
        },
        "spec": {
            "queueName": "research",
            "podSets": [{"name": "master", "count": 1}, {"name": "worker", "count": 3}],
        },
        "status": {
            "conditions": conditions,
            "admission": {
                "clusterQueue": "research-cq",
                "podSetAssignments": [
                    {"name": "worker", "flavors": {"cpu": "default", "nvidia.com/gpu": "h100"}}
                ],
            },
            **status,
        },
    }


ADMITTED = [
    {"type": "QuotaReserved", "status": "True", "reason": "QuotaReserved"},
    {"type": "Admitted", "status": "True", "reason": "Admitted"},
    {
        "type": "PodsReady",
        "status": "False",
        "reason": "WaitForStart",
        "message": "Not all pods are ready or succeeded",
    },
]


def _item(name: str, node: str, ready: int, owner: str = "train-8n") -> dict[str, Any]:
    return {
        "name": name,
        "namespace": "research",
        "facts": {
            "phase": "Running" if node else "Pending",
            "node": node,
            "ready": ready,
            "total": 1,
            "owner": {"kind": "PyTorchJob", "name": owner},
        },
    }


ITEMS = [
    _item("train-8n-master-0", "n1", 1),
    _item("train-8n-worker-0", "n2", 1),
    _item("train-8n-worker-1", "", 0),
    _item("train-8n-worker-2", "", 0),
    _item("other-job-worker-0", "n3", 1, owner="other-job"),
]
PENDING_POD = {
    "pod": "train-8n-worker-1",
    "evidence_id": "E11",
    "owner_refs": [{"kind": "PyTorchJob", "name": "train-8n"}],
    "conditions": [{"type": "PodScheduled", "status": "False", "message": MSG}],
}
SUBJECT = {"namespace": "research", "workloads": [], "pods": []}


def test_partially_placed_gang_counts_and_scheduler_reasons() -> None:
    found = kueue_gang(SUBJECT, [PENDING_POD], ITEMS, [_workload(ADMITTED)], [])
    assert found["verdict"] == "partially-placed"
    assert (found["expected"], found["placed"], found["ready"]) == (4, 2, 2)
    assert found["pending"] == ["train-8n-worker-1", "train-8n-worker-2"]
    assert found["reasons"][0] == "7 Insufficient nvidia.com/gpu"
    assert found["top_reason"] == "Insufficient nvidia.com/gpu"
    assert found["nodes_total"] == 10
    assert found["waiting_evidence_id"] == "E11"
    assert found["workload"]["flavors"] == ["nvidia.com/gpu in h100"]
    assert found["workload"]["cluster_queue"] == "research-cq"


def test_all_placed_is_no_verdict() -> None:
    placed = [_item(f"train-8n-worker-{i}", f"n{i}", 1) for i in range(4)]
    assert kueue_gang(SUBJECT, [], placed, [_workload(ADMITTED)], [])["verdict"] == ""


def test_evicted_on_pods_ready_timeout_reads_the_events_of_deleted_pods() -> None:
    message = "Exceeded the PodsReady timeout research/pytorchjob-train-8n-3f9a1"
    evicted = [
        {"type": "QuotaReserved", "status": "False", "reason": "Pending", "message": message},
        {"type": "Evicted", "status": "True", "reason": "PodsReadyTimeout", "message": message},
        {"type": "PodsReady", "status": "False", "reason": "WaitForStart"},
    ]
    workload = _workload(evicted, requeueState={"count": 3, "requeueAt": "2026-12-02T15:09:44Z"})
    events = [
        {
            "kind": "Pod",
            "name": "train-8n-worker-2-old",
            "reason": "FailedScheduling",
            "message": "0/7 nodes are available: 2 Insufficient rdma/ib, 5 Insufficient cpu.",
            "last_seen": "2026-12-02T15:01:44Z",
            "count": 9,
        },
        {
            "kind": "Pod",
            "name": "unrelated-0",
            "reason": "FailedScheduling",
            "message": "0/7 nodes are available: 7 Too many pods.",
            "last_seen": "2026-12-02T15:05:00Z",
        },
    ]
    found = kueue_gang({**SUBJECT, "workloads": [{"name": "train-8n"}]}, [], [], [workload], events)
    assert found["verdict"] == "evicted-pods-ready-timeout"
    assert found["requeue_count"] == 3
    assert found["waiting_pod"] == "train-8n-worker-2-old"
    assert found["reasons"] == ["5 Insufficient cpu", "2 Insufficient rdma/ib"]
    assert found["waiting_from_events"] is True


def test_jobset_pods_belong_through_their_jobs() -> None:
    jobset = _workload(ADMITTED)
    jobset["metadata"]["ownerReferences"] = [{"kind": "JobSet", "name": "sft"}]
    items = [
        {
            "name": "sft-workers-0-1-abcde",
            "namespace": "research",
            "facts": {"node": "", "owner": {"kind": "Job", "name": "sft-workers-0"}},
        },
        {
            "name": "sft-driver-0-0-fghij",
            "namespace": "research",
            "facts": {"node": "n1", "ready": 1, "total": 1, "owner": {"name": "sft-driver-0"}},
        },
    ]
    pod = {
        "pod": "sft-workers-0-1-abcde",
        "owner_refs": [{"name": "sft-workers-0"}, {"name": "sft"}],
    }
    found = kueue_gang(SUBJECT, [pod], items, [jobset], [])
    assert found["verdict"] == "partially-placed"
    assert (found["placed"], found["pending"]) == (1, ["sft-workers-0-1-abcde"])


def test_no_kueue_workload_for_the_subject() -> None:
    assert kueue_gang(SUBJECT, [PENDING_POD], ITEMS, [], [])["verdict"] == ""
    assert kueue_gang(None, None, None, None)["verdict"] == ""


def test_flavors_are_listed_by_resource_whatever_the_map_order() -> None:
    workload = _workload(ADMITTED)
    flavors = {"vpc.amazonaws.com/efa": "h100", "cpu": "default", "nvidia.com/gpu": "h100"}
    workload["status"]["admission"]["podSetAssignments"][0]["flavors"] = flavors
    found = kueue_gang(SUBJECT, [PENDING_POD], ITEMS, [workload], [])
    assert found["workload"]["flavors"] == [
        "nvidia.com/gpu in h100",
        "vpc.amazonaws.com/efa in h100",
    ]
