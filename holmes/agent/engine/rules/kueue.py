"""Why Kueue does not admit a Workload, so its job stays suspended and has no pods.

`kueue_diagnose` reads raw kueue.x-k8s.io/v1beta1 objects as `kubernetes_get` returns them
(the Workloads of the subject's namespace, the ClusterQueues, the ResourceFlavors, the other
Workloads) and the names of the LocalQueues, and judges the subject's Workload from the
conditions Kueue writes (QuotaReserved, Admitted, Evicted, Preempted): preempted, its
LocalQueue or ClusterQueue missing or inactive, the ClusterQueue's quota for a resource in a
flavor used up (with the workloads that hold it and what the cohort could lend), or no flavor
fitting the pods' node selector or tolerations. Listed in `FUNCTIONS`; called by the
kueue-workload-not-admitted runbook.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from holmes.tools.facts.kueue import ClusterQueueFacts, FlavorFacts, WorkloadFacts
from holmes.tools.facts.quantities import format_amount

_UNUSED = re.compile(r"insufficient unused quota for (\S+) in flavor ([^,\s]+), (\S+) more needed")
_OVER_MAX = re.compile(r"insufficient quota for (\S+) in flavor ([^,\s]+)")
_AFFINITY = re.compile(r"flavor ([^,\s]+) doesn't match node affinity")
_TAINT = re.compile(r"untolerated taint (.+?) in flavor ([^,\s]+)")
_NO_LOCAL = re.compile(r"LocalQueue (\S+) doesn't exist")
_NO_CLUSTER = re.compile(r"ClusterQueue (\S+) (doesn't exist|is inactive)")
_PREEMPTOR = re.compile(r"UID: ([0-9a-f-]+), JobUID: ([0-9a-f-]+)")


def kueue_diagnose(
    subject: Any,
    workloads: Any,
    local_queues: Any,
    cluster_queues: Any,
    flavors: Any,
    nodes: Any,
) -> dict[str, Any]:
    """Why the Workload of the subject (`{workloads, namespace}` of triage: the Workload of a
    named Job, else the first Workload of the namespace that holds no quota) is not
    admitted. `workloads`: raw Workloads (the subject's and the others);
    `local_queues`: LocalQueues (raw objects or `kubernetes_list` items); `cluster_queues`,
    `flavors`: raw objects; `nodes`: `kubernetes_list` Node items (labels, taints).
    `verdict` is "" when the subject has no Workload or it is admitted."""
    all_facts = [WorkloadFacts.of(w) for w in workloads or [] if isinstance(w, dict)]
    mine = _subject_workload(subject or {}, all_facts)
    if mine is None:
        return {"verdict": "", "workload": {}}
    queues = {
        cq.name: cq for cq in (ClusterQueueFacts.of(o) for o in cluster_queues or []) if cq.name
    }
    found: dict[str, Any] = {"workload": _workload_view(mine), "verdict": ""}
    local = [_queue_ref(q)[1] for q in local_queues or [] if _queue_ref(q)[0] == mine.namespace]
    found["local_queues"] = sorted(n for n in local if n)
    if mine.holds("QuotaReserved") or mine.holds("Admitted"):
        return found
    condition = mine.conditions.get("QuotaReserved")
    message = condition.message if condition else ""
    evicted = mine.conditions.get("Evicted")
    if evicted is not None and evicted.status == "True":
        found.update(_preempted(mine, evicted, all_facts))
    elif (hit := _NO_LOCAL.search(message)) or (mine.queue and mine.queue not in local):
        found.update(verdict="localqueue-missing", queue=hit.group(1) if hit else mine.queue)
        found["closest"] = _closest(found["queue"], found["local_queues"])
    elif hit := _NO_CLUSTER.search(message):
        cq = queues.get(hit.group(1))
        found.update(verdict="clusterqueue-" + ("inactive" if cq else "missing"))
        found.update(cluster_queue=hit.group(1), reason=cq.inactive_message if cq else "")
    elif hit := _UNUSED.search(message) or _OVER_MAX.search(message):
        found.update(_quota(mine, hit, queues, all_facts, local_queues or []))
    elif _AFFINITY.search(message) or _TAINT.search(message):
        found.update(_no_flavor(mine, message, workloads or [], flavors or [], nodes or []))
    return found | {"message": message, "reason": found.get("reason") or _reason(condition)}


def _reason(condition: Any) -> str:
    return condition.reason if condition is not None else ""


def _subject_workload(subject: dict[str, Any], facts: list[WorkloadFacts]) -> WorkloadFacts | None:
    """The Workload owned by a subject workload (`{kind, namespace, name}`), or named as one;
    with no workload named, the first waiting Workload of the subject's namespace."""
    named = subject.get("workloads") or []
    if not named:
        namespace = subject.get("namespace") or ""
        waiting = (
            wl
            for wl in facts
            if wl.namespace == namespace and wl.active and not wl.holds("QuotaReserved")
        )
        return next(waiting, None) if namespace else None
    for item in named:
        kind, namespace, name = item.get("kind"), item.get("namespace"), item.get("name")
        for wl in facts:
            same_place = wl.namespace == namespace
            if same_place and (
                (wl.owner_name == name and wl.owner_kind == kind) or wl.name == name
            ):
                return wl
    return None


def _workload_view(wl: WorkloadFacts) -> dict[str, Any]:
    conditions = {
        k: {"status": c.status, "reason": c.reason, "message": c.message}
        for k, c in wl.conditions.items()
    }
    owner = f"{wl.owner_kind} {wl.owner_name}" if wl.owner_name else ""
    return {
        "name": wl.name,
        "namespace": wl.namespace,
        "owner": owner,
        "queue": wl.queue,
        "priority": wl.priority,
        "requests": "; ".join(f"pod set {k}: {v}" for k, v in wl.requests.items()),
        "conditions": conditions,
    }


def _quota(
    wl: WorkloadFacts,
    hit: re.Match[str],
    queues: dict[str, ClusterQueueFacts],
    others: list[WorkloadFacts],
    local_queues: list[Any],
) -> dict[str, Any]:
    """The quota a Workload does not fit: the queue, flavor, resource, usage, holders."""
    resource, flavor = hit.group(1), hit.group(2)
    key = (flavor, resource)
    cq_name = _cluster_queue_of(wl, local_queues, queues)
    cq = queues.get(cq_name)
    quota = cq.quota(flavor, resource) if cq else None
    used = cq.used(flavor, resource) if cq else None
    holders = sorted(
        (
            {
                "name": o.name,
                "namespace": o.namespace,
                "owner": f"{o.owner_kind} {o.namespace}/{o.owner_name}",
                "amount": sum(u.amount for u in o.usage if (u.flavor, u.resource) == key),
                "priority": o.priority,
            }
            for o in others
            if o.name != wl.name and o.cluster_queue == cq_name and o.holds("QuotaReserved")
        ),
        key=lambda h: -h["amount"],
    )
    holders = [h | {"text": format_amount(resource, h["amount"])} for h in holders if h["amount"]]
    nominal = quota.nominal if quota else 0.0
    limit = quota.borrowing_limit if quota else None
    return {
        "verdict": "quota-exhausted" if hit.re is _UNUSED else "quota-too-small",
        "cluster_queue": cq_name,
        "cohort": cq.cohort if cq else "",
        "flavor": flavor,
        "resource": resource,
        "needed": hit.group(3) if hit.re is _UNUSED else "",
        "nominal": format_amount(resource, nominal),
        "used": format_amount(resource, used.amount if used else sum(h["amount"] for h in holders)),
        "borrowed": format_amount(resource, used.borrowed if used else 0.0),
        "borrowing": (
            "no borrowing limit"
            if limit is None
            else f"borrowingLimit {format_amount(resource, limit)}"
        ),
        "lenders": _lenders(cq, queues, flavor, resource),
        "holders": holders,
    }


def _cluster_queue_of(
    wl: WorkloadFacts, local_queues: list[Any], queues: dict[str, ClusterQueueFacts]
) -> str:
    """The ClusterQueue of a Workload's LocalQueue (spec.clusterQueue), or the only one."""
    for q in local_queues:
        namespace, name, cluster_queue = _queue_ref(q)
        if (namespace, name) == (wl.namespace, wl.queue) and cluster_queue:
            return cluster_queue
    return next(iter(queues), "") if len(queues) == 1 else ""


def _queue_ref(queue: Any) -> tuple[str, str, str]:
    """Namespace, name and ClusterQueue of a LocalQueue: a raw object or a listing item."""
    metadata = queue.get("metadata") or queue
    spec = queue.get("spec") or {}
    return (
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
        str(spec.get("clusterQueue") or ""),
    )


def _lenders(
    cq: ClusterQueueFacts | None, queues: dict[str, ClusterQueueFacts], flavor: str, resource: str
) -> list[str]:
    """What the other ClusterQueues of the cohort could lend of `resource` in `flavor`."""
    if cq is None or not cq.cohort:
        return []
    found = []
    for other in queues.values():
        quota = other.quota(flavor, resource)
        if other.name == cq.name or other.cohort != cq.cohort or quota is None:
            continue
        used = other.used(flavor, resource)
        free = max(quota.nominal - (used.amount if used else 0.0), 0.0)
        if quota.lending_limit is not None:
            free = min(free, quota.lending_limit)
        found.append(f"{other.name} can lend {format_amount(resource, free)}")
    return found


def _preempted(wl: WorkloadFacts, evicted: Any, others: list[WorkloadFacts]) -> dict[str, Any]:
    """An evicted Workload: why, and the Workload that preempted it when the message names it."""
    hit = _PREEMPTOR.search(evicted.message)
    preemptor = next(
        (
            o
            for o in others
            if hit and (o.uid == hit.group(1) or (o.job_uid and o.job_uid == hit.group(2)))
        ),
        None,
    )
    preempted = wl.conditions.get("Preempted")
    return {
        "verdict": "preempted" if evicted.reason == "Preempted" else "evicted",
        "evicted_reason": evicted.reason,
        "evicted_message": evicted.message,
        "preempted_reason": preempted.reason if preempted else "",
        "preemptor": (
            {
                "name": preemptor.name,
                "owner": f"{preemptor.owner_kind} {preemptor.namespace}/{preemptor.owner_name}",
                "priority": preemptor.priority,
                "cluster_queue": preemptor.cluster_queue,
            }
            if preemptor
            else {}
        ),
    }


def _no_flavor(
    wl: WorkloadFacts, message: str, raw: list[Any], flavors: list[Any], nodes: list[Any]
) -> dict[str, Any]:
    """No flavor fits: each flavor's node labels against the pods' node selector, and how many
    nodes carry the flavor's labels."""
    selector = _node_selector(wl, raw)
    named = {m.group(1) for m in _AFFINITY.finditer(message)}
    named |= {m.group(2) for m in _TAINT.finditer(message)}
    views = []
    for flavor in (FlavorFacts.of(f) for f in flavors if isinstance(f, dict)):
        if named and flavor.name not in named:
            continue  # a flavor of another ClusterQueue
        conflict = [
            f"{k}={v} (pods select {selector[k]})"
            for k, v in sorted(flavor.node_labels.items())
            if k in selector and selector[k] != v
        ]
        matching = [
            n.get("name")
            for n in nodes
            if all((n.get("labels") or {}).get(k) == v for k, v in flavor.node_labels.items())
        ]
        # Sorted: a map that went through CEL keeps no order, and the answer must not change.
        labels = ", ".join(f"{k}={v}" for k, v in sorted(flavor.node_labels.items())) or "(none)"
        views.append(
            {"name": flavor.name, "labels": labels, "conflict": conflict, "nodes": len(matching)}
        )
    wanted = ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))
    return {
        "verdict": "no-flavor-fits",
        "selector": wanted,
        "flavors": views,
        "taints": [m.group(1) for m in _TAINT.finditer(message)],
    }


def _node_selector(wl: WorkloadFacts, raw: list[Any]) -> dict[str, str]:
    for obj in raw:
        metadata = obj.get("metadata") or {}
        if (metadata.get("name"), metadata.get("namespace")) != (wl.name, wl.namespace):
            continue
        for pod_set in (obj.get("spec") or {}).get("podSets") or []:
            spec = (pod_set.get("template") or {}).get("spec") or {}
            if spec.get("nodeSelector"):
                return {str(k): str(v) for k, v in spec["nodeSelector"].items()}
    return {}


def _closest(name: str, names: list[str]) -> str:
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return found[0] if found else ""


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.kueue_diagnose": kueue_diagnose,
}
