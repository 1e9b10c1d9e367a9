"""PodDisruptionBudgets at zero disruptions that block an eviction, from list facts."""

from __future__ import annotations

from holmes.agent.engine.rules.functions_disruption import pdb_blockers
from holmes.tools.kubernetes.list_facts import list_facts


def _pdb(name, spec, current, desired, expected, allowed):
    obj = {
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "namespace": "db"},
        "spec": {"selector": {"matchLabels": {"app": name}}, **spec},
        "status": {
            "currentHealthy": current,
            "desiredHealthy": desired,
            "expectedPods": expected,
            "disruptionsAllowed": allowed,
        },
    }
    return {"name": name, "namespace": "db", **list_facts(obj)}


def _pods(pdb, *pods):
    items = [
        {
            "name": name,
            "namespace": "db",
            "facts": {"node": node, "status": status, "ready": int(ready), "total": 1},
        }
        for name, node, status, ready in pods
    ]
    return {
        "ok": True,
        "item": {"name": pdb, "namespace": "db"},
        "data": {"kind": "Pod", "items": items},
    }


PDBS = [
    {
        "ok": True,
        "data": {
            "kind": "PodDisruptionBudget",
            "items": [
                _pdb("etcd", {"maxUnavailable": 1}, 2, 2, 3, 0),
                _pdb("pg", {"minAvailable": 2}, 2, 2, 2, 0),
                _pdb("web", {"minAvailable": 1}, 3, 1, 3, 2),
            ],
        },
    }
]
PODS = [
    _pods(
        "etcd",
        ("etcd-0", "n1", "Running", True),
        ("etcd-1", "n2", "Running", True),
        ("etcd-2", "n3", "Running", False),
    ),
    _pods("pg", ("pg-0", "n2", "Running", True), ("pg-1", "n3", "Running", True)),
]


def test_budgets_at_zero_that_select_pods_on_the_drained_node() -> None:
    (found,) = pdb_blockers(PDBS, PODS, ["n1"])
    assert found["name"] == "etcd" and not found["never"]
    assert found["on_nodes"] == ["etcd-0"]
    assert found["unhealthy"] == ["etcd-2 (Running, not ready)"]
    both = pdb_blockers(PDBS, PODS, ["n2"])
    assert [b["name"] for b in both] == ["etcd", "pg"]  # the static budget last
    assert both[1]["never"] and both[1]["budget"] == "minAvailable 2"
    assert pdb_blockers(PDBS, PODS, ["n9"]) == []


def test_budgets_of_the_workload_asked_and_all_of_them_without_a_subject() -> None:
    assert [b["name"] for b in pdb_blockers(PDBS, PODS, [], ["pg"])] == ["pg"]
    assert len(pdb_blockers(PDBS, PODS)) == 2  # web allows 2: never a blocker
    assert list_facts({"kind": "PodDisruptionBudget", "spec": {}})["selector_query"] == ""
