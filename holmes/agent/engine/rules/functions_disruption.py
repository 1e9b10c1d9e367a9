"""CEL functions for the PodDisruptionBudget runbook (registered on import); pure functions.

A drain, a node upgrade or an autoscaler scale-down evicts pods through the Eviction API, which
answers 429 "Cannot evict pod as it would violate the pod's disruption budget" while a PDB
selecting the pod has status.disruptionsAllowed 0. That is either static (minAvailable equals
the pod count, maxUnavailable 0: no eviction can ever pass) or because some of its pods are
already unhealthy (currentHealthy at desiredHealthy). `pdb_blockers` finds the budgets at 0
that select pods on the nodes (or of the workloads) asked about, from the PDB listing's facts
and a `kubernetes_list` of each budget's pods (its selector as the query).
"""

from __future__ import annotations

from typing import Any


def _items(results: Any, kind: str) -> list[dict[str, Any]]:
    found = []
    for result in results or []:
        data = result.get("data") if isinstance(result, dict) and result.get("ok") else None
        if isinstance(data, dict) and data.get("kind") == kind:
            found += [i for i in data.get("items") or [] if isinstance(i, dict)]
    return found


def _budget_text(pdb: dict[str, Any]) -> str:
    if pdb.get("min_available") is not None:
        return f"minAvailable {pdb['min_available']}"
    if pdb.get("max_unavailable") is not None:
        return f"maxUnavailable {pdb['max_unavailable']}"
    return "no minAvailable/maxUnavailable"


def _never(pdb: dict[str, Any], expected: int) -> bool:
    """Whether the budget allows no eviction even with every pod healthy."""
    minimum, maximum = pdb.get("min_available"), pdb.get("max_unavailable")
    if maximum is not None:
        return str(maximum) in ("0", "0%")
    if minimum is None:
        return False
    if str(minimum).endswith("%"):
        return str(minimum) == "100%"
    try:
        return int(minimum) >= expected > 0
    except ValueError:
        return False


def pdb_blockers(pdbs: Any, pdb_pods: Any, nodes: Any = None, names: Any = None) -> list:
    """The PDBs that allow no disruption and select pods on `nodes` (node names) or whose pods
    belong to the `names` asked about (workload or pod name prefixes); with neither, every one
    at 0. Each: `{namespace, name, budget, current, desired, expected, policy, never,
    pods: [{name, node, ready, status}], on_nodes: [names], unhealthy: [names]}`, static ones
    (`never`) last (a budget held at 0 by an unhealthy pod is the more specific cause)."""
    nodes = [str(n) for n in nodes or [] if n]
    names = [str(n) for n in names or [] if n]
    found = []
    for pdb in _items(pdbs, "PodDisruptionBudget"):
        if int(pdb.get("disruptions_allowed") or 0) > 0:
            continue
        pods = []
        for result in pdb_pods or []:
            item = result.get("item") if isinstance(result, dict) else None
            if not isinstance(item, dict) or (item.get("namespace"), item.get("name")) != (
                pdb.get("namespace"),
                pdb.get("name"),
            ):
                continue
            for pod in _items([result], "Pod"):
                facts = pod.get("facts") or {}
                ready = facts.get("status") == "Running" and facts.get("ready") == facts.get(
                    "total"
                )
                pods.append(
                    {
                        "name": pod.get("name", ""),
                        "node": facts.get("node", ""),
                        "ready": ready,
                        "status": facts.get("status", ""),
                    }
                )
        on_nodes = [p["name"] for p in pods if p["node"] in nodes]
        asked = [p["name"] for p in pods if any(p["name"].startswith(n) for n in names)]
        if (nodes or names) and not on_nodes and not asked:
            continue
        expected = int(pdb.get("expected_pods") or len(pods))
        found.append(
            {
                "namespace": pdb.get("namespace", ""),
                "name": pdb.get("name", ""),
                "budget": _budget_text(pdb),
                "current": int(pdb.get("current_healthy") or 0),
                "desired": int(pdb.get("desired_healthy") or 0),
                "expected": expected,
                "policy": pdb.get("unhealthy_pod_eviction_policy", "IfHealthyBudget"),
                "never": _never(pdb, expected),
                "pods": pods,
                "on_nodes": on_nodes or asked,
                "unhealthy": [
                    p["name"]
                    + (" (Running, not ready)" if p["status"] == "Running" else f" ({p['status']})")
                    for p in pods
                    if not p["ready"]
                ],
            }
        )
    found.sort(key=lambda b: (b["never"], b["namespace"], b["name"]))
    return found


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.pdb_blockers": pdb_blockers,
}
