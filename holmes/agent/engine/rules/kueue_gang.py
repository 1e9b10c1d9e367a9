"""A gang-scheduled job (JobSet, PyTorchJob, MPIJob, RayJob...) that Kueue admitted but whose
pods are only partly placed: how many of the gang run, which wait, what keeps them out, and
what Kueue's waitForPodsReady does about it (PodsReady False, evicted on PodsReadyTimeout,
requeued with a back-off).

`kueue_gang(subject, pods, pod_items, workloads, events)` reads the subject's described pods
(their owner chains, PodScheduled condition and events), the namespace's pod listing (`facts`:
phase, node, owner), raw kueue.x-k8s.io Workloads as `kubernetes_get` returns them, and the
namespace's FailedScheduling events (`kubernetes_events` data), which outlive the pods of a
gang Kueue evicted. A pod belongs
to a Workload's gang when its owner (or an owner up its chain) is the Workload's owner, or a
child named after it (a JobSet's Jobs `<jobset>-<replicated job>-<i>`, a RayJob's RayCluster).
Registered on import; called by the kueue-gang-partially-placed runbook.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from holmes.tools.facts.kueue import WorkloadFacts

# `0/12 nodes are available: 4 Insufficient nvidia.com/gpu, 8 node(s) had untolerated taint
# {...}. preemption: ...`: the per-node reasons before the preemption part.
_NODES_PART = re.compile(r"(\d+)/(\d+) nodes are available: (.*?)(?:\. preemption:|\.?$)", re.S)
_REASON = re.compile(r"(\d+) ((?:[^,{]|\{[^}]*\})+)")


def _owner_names(pod: dict[str, Any]) -> list[str]:
    """The names of a described pod's owner chain, nearest first."""
    return [str(o.get("name")) for o in pod.get("owner_refs") or [] if isinstance(o, dict)]


def _belongs(owner: str, names: list[str]) -> bool:
    return any(n == owner or n.startswith(owner + "-") for n in names if n)


def _listed_owner(item: dict[str, Any]) -> str:
    owner = (item.get("facts") or {}).get("owner") or {}
    return str(owner.get("name") or "")


def _subject_workload(
    facts: list[tuple[WorkloadFacts, dict[str, Any]]],
    subject: dict[str, Any],
    pods: list[dict[str, Any]],
) -> tuple[WorkloadFacts, dict[str, Any]] | None:
    """The admitted (or PodsReady-evicted) Workload that owns the subject's pods or workloads."""
    names = [n for p in pods for n in _owner_names(p)]
    names += [str(p.get("pod") or "") for p in pods]
    names += [str(w.get("name") or "") for w in subject.get("workloads") or []]
    names += [str(p.get("name") or "") for p in subject.get("pods") or []]
    for wl, raw in facts:
        if wl.owner_name and _belongs(wl.owner_name, names):
            return wl, raw
    return None


def _scheduler_reasons(message: str) -> list[dict[str, Any]]:
    """`[{count, reason}]` from a FailedScheduling message, most nodes first."""
    hit = _NODES_PART.search(message or "")
    if not hit:
        return []
    found = [
        {"count": int(m.group(1)), "reason": m.group(2).strip().rstrip(".")}
        for m in _REASON.finditer(hit.group(3))
    ]
    return sorted(found, key=lambda r: -r["count"])


def _waiting_reason(
    pods: list[dict[str, Any]], pending: set[str], owner: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the scheduler said about the first described pod that waits: the PodScheduled
    condition's message, else its latest FailedScheduling event; with no such pod (a gang
    Kueue evicted has none left), the latest FailedScheduling event of a pod of the gang."""
    for pod in pods:
        if pod.get("pod") not in pending:
            continue
        for condition in pod.get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                message = str(condition.get("message") or "")
                if message:
                    return {
                        "pod": pod.get("pod"),
                        "message": message,
                        "evidence_id": pod.get("evidence_id"),
                    }
        for event in pod.get("events") or []:
            if event.get("reason") == "FailedScheduling":
                message = str(event.get("message") or "")
                return {
                    "pod": pod.get("pod"),
                    "message": message,
                    "evidence_id": pod.get("evidence_id"),
                }
    scheduling = [
        e
        for e in events
        if e.get("reason") == "FailedScheduling"
        and e.get("kind") == "Pod"
        and _belongs(owner, [str(e.get("name") or "")])
    ]
    scheduling.sort(key=lambda e: str(e.get("last_seen") or ""), reverse=True)
    if scheduling:
        return {
            "pod": scheduling[0].get("name"),
            "message": str(scheduling[0].get("message") or ""),
            "evidence_id": None,
            "from_events": True,
            "count": sum(int(e.get("count") or 1) for e in scheduling),
        }
    return {"pod": "", "message": "", "evidence_id": None}


def _condition(raw: dict[str, Any], kind: str) -> dict[str, str]:
    for c in (raw.get("status") or {}).get("conditions") or []:
        if isinstance(c, dict) and c.get("type") == kind:
            return {
                k: str(c.get(k) or "")
                for k in ("status", "reason", "message", "lastTransitionTime")
            }
    return {"status": "", "reason": "", "message": "", "lastTransitionTime": ""}


def _expected(raw: dict[str, Any]) -> dict[str, int]:
    """Pods per pod set, as the Workload declares them (spec.podSets[].count)."""
    return {
        str(p.get("name") or "main"): int(p.get("count") or 1)
        for p in (raw.get("spec") or {}).get("podSets") or []
        if isinstance(p, dict)
    }


def _flavors(raw: dict[str, Any]) -> list[str]:
    """`nvidia.com/gpu in h100`: the flavor Kueue assigned each extended resource (cpu and
    memory only when the Workload asks for nothing else), by resource name: the Workload reaches
    here through CEL, whose maps keep no order."""
    admission = (raw.get("status") or {}).get("admission") or {}
    found: list[str] = []
    plain: list[str] = []
    for assignment in admission.get("podSetAssignments") or []:
        for resource, flavor in sorted((assignment.get("flavors") or {}).items()):
            text = f"{resource} in {flavor}"
            into = found if "/" in resource else plain
            if text not in into:
                into.append(text)
    return found or plain


def _gang_pods(owner: str, items: list[dict[str, Any]], namespace: str) -> dict[str, list[str]]:
    """The gang's listed pods by state: placed and ready, placed but not ready, unscheduled."""
    groups: dict[str, list[str]] = {"ready": [], "not_ready": [], "pending": [], "done": []}
    for item in items:
        facts = item.get("facts") or {}
        if item.get("namespace") != namespace or not _belongs(owner, [_listed_owner(item)]):
            continue
        name = str(item.get("name"))
        if facts.get("phase") in ("Succeeded",):
            groups["done"].append(name)
        elif not facts.get("node"):
            groups["pending"].append(name)
        elif facts.get("total") and facts.get("ready") == facts.get("total"):
            groups["ready"].append(name)
        else:
            groups["not_ready"].append(name)
    return {k: sorted(v) for k, v in groups.items()}


def kueue_gang(
    subject: Any, pods: Any, pod_items: Any, workloads: Any, events: Any = None
) -> dict[str, Any]:
    """The state of the subject's gang; `verdict` is `partially-placed` (admitted, some pods
    placed and some unscheduled), `evicted-pods-ready-timeout` (Kueue evicted it for not
    having all pods ready in time, and requeued it), or "" (no Kueue gang, or all placed)."""
    subject = subject if isinstance(subject, dict) else {}
    described = [p for p in pods or [] if isinstance(p, dict)]
    raws = [w for w in workloads or [] if isinstance(w, dict)]
    found = _subject_workload([(WorkloadFacts.of(w), w) for w in raws], subject, described)
    if found is None:
        return {"verdict": ""}
    wl, raw = found
    expected = _expected(raw)
    groups = _gang_pods(
        wl.owner_name, [i for i in pod_items or [] if isinstance(i, dict)], wl.namespace
    )
    placed = groups["ready"] + groups["not_ready"]
    evicted = _condition(raw, "Evicted")
    requeue = (raw.get("status") or {}).get("requeueState") or {}
    pods_ready = _condition(raw, "PodsReady")
    records = [e for e in events or [] if isinstance(e, dict)]
    waiting = _waiting_reason(described, set(groups["pending"]), wl.owner_name, records)
    verdict = ""
    if evicted["status"] == "True" and evicted["reason"] == "PodsReadyTimeout":
        verdict = "evicted-pods-ready-timeout"
    elif wl.holds("Admitted") and groups["pending"] and pods_ready["status"] != "True":
        verdict = "partially-placed"
    reasons = _scheduler_reasons(waiting["message"])
    return {
        "verdict": verdict,
        "workload": {
            "name": wl.name,
            "namespace": wl.namespace,
            "owner": f"{wl.owner_kind} {wl.owner_name}",
            "owner_kind": wl.owner_kind,
            "owner_name": wl.owner_name,
            "queue": wl.queue,
            "cluster_queue": wl.cluster_queue,
            "admitted": wl.holds("Admitted"),
            "flavors": _flavors(raw),
        },
        "expected": sum(expected.values()),
        "pod_sets": ", ".join(f"{k} {v}" for k, v in expected.items()),
        "placed": len(placed),
        "ready": len(groups["ready"]),
        "not_ready": groups["not_ready"],
        "pending": groups["pending"],
        "pending_count": len(groups["pending"]),
        "pods_ready": pods_ready,
        "evicted": evicted,
        "requeue_count": int(requeue.get("count") or 0),
        "requeue_at": str(requeue.get("requeueAt") or ""),
        "waiting_pod": waiting["pod"],
        "waiting_message": waiting["message"],
        "waiting_evidence_id": waiting["evidence_id"],
        "waiting_from_events": bool(waiting.get("from_events")),
        "failed_scheduling_count": int(waiting.get("count") or 0),
        "reasons": [f"{r['count']} {r['reason']}" for r in reasons],
        "top_reason": reasons[0]["reason"] if reasons else "",
        "nodes_total": int(m.group(2)) if (m := _NODES_PART.search(waiting["message"])) else 0,
        "pending_by_set": dict(Counter(_pod_set(n, expected) for n in groups["pending"])),
    }


def _pod_set(pod: str, expected: dict[str, int]) -> str:
    """The pod set a pod name most likely belongs to (`...-worker-3` -> worker)."""
    hits = [name for name in expected if re.search(rf"-{re.escape(name)}s?-", pod + "-")]
    return hits[0] if hits else "pods"


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.kueue_gang": kueue_gang,
}
