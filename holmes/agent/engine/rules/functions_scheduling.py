"""CEL functions for the scheduling runbooks (listed in `FUNCTIONS`); pure functions.

The scheduler's verdict on a Pending pod is one message, `0/6 nodes are available: 3
Insufficient cpu, 2 node(s) had untolerated taint {sku: gpu}, ... preemption: ...`. These
functions take it apart into its reasons (insufficient resources, untolerated taints, node
selector/affinity mismatches, unbound PVCs, DRA claims), read what a pod asks of a node
(requests, nodeSelector, tolerations) from `kubernetes_describe` data, and compare it with what
nodes offer (labels, taints, allocatable and requested) from the Node listing and
`kubernetes_node` data, so rules can say which constraint no node satisfies.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from holmes.tools.facts import NO_SCHEDULE_EFFECTS, Taint, format_amount, quantity_number, tolerated
from holmes.tools.facts.owners import owner_refs
from holmes.tools.facts.selectors import LabelSelector

_HEAD = re.compile(r"^\s*(\d+)/(\d+) nodes are available:?\s*(.*)$", re.DOTALL)
_SPLIT = re.compile(r",\s+(?=\d+\s|pod\s|node\(s\)|persistentvolumeclaim|request\s)")
_COUNTED = re.compile(r"^(\d+)\s+(.*)$", re.DOTALL)
_TAINT = re.compile(r"untolerated taint\(?s?\)?\s*\{([^}]*)\}", re.IGNORECASE)
# Taints that mark nodes no workload is meant for, or nodes that are down: a pod not tolerating
# them is normal, never the cause of its Pending state.
_SYSTEM_TAINTS = re.compile(
    r"^(node-role\.kubernetes\.io/(control-plane|master)|node\.kubernetes\.io/|"
    r"node\.cloudprovider\.kubernetes\.io/|ToBeDeletedByClusterAutoscaler$|"
    r"DeletionCandidateOfClusterAutoscaler$)"
)


def scheduling_failure(message: Any) -> dict[str, Any]:
    """The reasons of a FailedScheduling message, by kind.

    `{nodes, available, message, reasons: [{count, text, kind, resource, taint}],
    insufficient: {resource: count}, taints: [{key, value, text, count, system}],
    selector: count, unbound_pvc, claims, unschedulable, other: [text]}`; `message` is the
    part before `preemption:`.
    """
    text = str(message or "").strip()
    head = re.split(r"\.?\s*(?:still not schedulable,\s*)?preemption:", text, maxsplit=1)[0]
    head = head.strip().rstrip(".")
    result: dict[str, Any] = {
        "nodes": 0,
        "available": 0,
        "message": head,
        "reasons": [],
        "insufficient": {},
        "taints": [],
        "selector": 0,
        "pod_affinity": 0,
        "unbound_pvc": False,
        "volume_conflict": 0,
        "claims": False,
        "unschedulable": 0,
        "other": [],
    }
    matched = _HEAD.match(head)
    if not matched:
        return result
    result["available"], result["nodes"] = int(matched[1]), int(matched[2])
    for part in _SPLIT.split(matched[3]):
        part = part.strip().rstrip(".")
        if not part:
            continue
        counted = _COUNTED.match(part)
        count = int(counted[1]) if counted else None
        reason_text = counted[2] if counted else part
        reason = _reason(reason_text, count)
        result["reasons"].append(reason)
        kind = reason["kind"]
        if kind == "insufficient":
            result["insufficient"][reason["resource"]] = count or 0
        elif kind == "taint":
            result["taints"].append({**reason["taint"], "count": count or 0})
        elif kind in ("selector", "pod_affinity", "volume_conflict", "unschedulable"):
            result[kind] += count or 0
        elif kind == "unbound_pvc":
            result["unbound_pvc"] = True
        elif kind == "claims":
            result["claims"] = True
        else:
            result["other"].append(part)
    return result


def _reason(text: str, count: int | None) -> dict[str, Any]:
    lowered = text.lower()
    reason: dict[str, Any] = {"count": count, "text": text, "kind": "other"}
    insufficient = re.match(r"(?i)insufficient\s+(\S+)", text)
    taint = _TAINT.search(text)
    if insufficient:
        reason.update(kind="insufficient", resource=insufficient[1])
    elif "too many pods" in lowered:
        reason.update(kind="insufficient", resource="pods")
    elif taint:
        key, _, value = taint[1].partition(":")
        key, value = key.strip(), value.strip()
        shown = f"{key}={value}" if value else key
        reason.update(
            kind="taint",
            taint={
                "key": key,
                "value": value,
                "text": shown,
                "system": bool(_SYSTEM_TAINTS.match(key)),
            },
        )
    elif "node affinity/selector" in lowered or "node(s) didn't match node selector" in lowered:
        reason["kind"] = "selector"
    elif "pod affinity" in lowered or "anti-affinity" in lowered:
        reason["kind"] = "pod_affinity"
    elif "unbound" in lowered and "persistentvolumeclaim" in lowered:
        reason["kind"] = "unbound_pvc"
    elif "volume node affinity conflict" in lowered:
        reason["kind"] = "volume_conflict"
    elif "claim" in lowered or "device class" in lowered or "resourceclaim" in lowered:
        reason["kind"] = "claims"
    elif "were unschedulable" in lowered or "unschedulable:" in lowered:
        reason["kind"] = "unschedulable"
    return reason


def unschedulable_message(pod: Any) -> str:
    """The scheduler's message for a pod (`kubernetes_describe` data): its PodScheduled=False
    condition's, else its newest FailedScheduling event's; "" when it has neither."""
    if not isinstance(pod, dict):
        return ""
    for condition in pod.get("conditions") or []:
        if (
            condition.get("type") == "PodScheduled"
            and condition.get("status") == "False"
            and condition.get("message")
        ):
            return str(condition["message"])
    events = [
        e
        for e in pod.get("events") or []
        if e.get("reason") == "FailedScheduling" and e.get("message")
    ]
    events.sort(key=lambda e: str(e.get("last_seen") or ""), reverse=True)
    return str(events[0]["message"]) if events else ""


def pod_scheduling_failure(pod: Any) -> dict[str, Any]:
    """`scheduling_failure` of the pod's own scheduler message (`unschedulable_message`): what
    the runbooks read of a pending pod, by one name."""
    return scheduling_failure(unschedulable_message(pod))


def pod_request(pod: Any, resource: str) -> float:
    """What a pod requests of `resource` (`kubernetes_describe` data): its containers' requests
    summed (a limit stands in for an unset request, as the API defaults it), or the largest
    init container's when that is more."""
    if not isinstance(pod, dict):
        return 0.0
    total, init = 0.0, 0.0
    for container in pod.get("containers") or []:
        resources = container.get("resources") or {}
        value = (resources.get("requests") or {}).get(resource)
        if value is None:
            value = (resources.get("limits") or {}).get(resource)
        amount = quantity_number(value)
        if container.get("init"):
            init = max(init, amount)
        else:
            total += amount
    return max(total, init)


def untolerated(tolerations: Any, taints: Any) -> list[dict[str, Any]]:
    """The NoSchedule/NoExecute taints of a node that the tolerations do not tolerate."""
    return [
        t
        for t in taints or []
        if isinstance(t, dict)
        and t.get("effect") in NO_SCHEDULE_EFFECTS
        and not tolerated(tolerations, t)
    ]


def blocking_taints(pod: Any, node: Any) -> list[dict[str, Any]]:
    """The NoSchedule/NoExecute taints of `node` that `pod` (`kubernetes_describe` data) does
    not tolerate: `untolerated(pod.tolerations, node.taints)`."""
    if not isinstance(pod, dict) or not isinstance(node, dict):
        return []
    return untolerated(pod.get("tolerations"), node.get("taints"))


def toleration_texts(tolerations: Any) -> list[str]:
    """The tolerations a pod sets itself, as `key=value:effect` (`*` for any key, `any` for any
    effect), without those of the default node.kubernetes.io/ taints Kubernetes adds."""
    texts = []
    for toleration in tolerations or []:
        if not isinstance(toleration, dict):
            continue
        key = toleration.get("key")
        if key is not None and str(key).startswith("node.kubernetes.io/"):
            continue
        value, effect = toleration.get("value"), toleration.get("effect")
        texts.append(
            f"{'*' if key is None else key}{'' if value is None else '=' + str(value)}:"
            f"{'any' if effect is None else effect}"
        )
    return texts


def shortfall_text(shortfalls: Any) -> str:
    """What a pod requests of the resources it lacks, as `cpu=8, memory=64Gi` (from
    `shortfalls`)."""
    return ", ".join(
        f"{x.get('resource')}={x.get('request_text')}"
        for x in shortfalls or []
        if isinstance(x, dict)
    )


def taint_text(taint: Any) -> str:
    """`key=value:Effect` (or `key:Effect`), as `kubectl taint` writes it."""
    return Taint.of(taint).text() if isinstance(taint, dict) else ""


def selector_matches(selector: Any, labels: Any) -> bool:
    """Whether labels carry every key=value of a nodeSelector (or Service selector): a map,
    read as a LabelSelector's matchLabels."""
    labels = labels if isinstance(labels, dict) else {}
    return LabelSelector.of({"matchLabels": selector or {}}).matches(labels)


def selector_misses(selector: Any, nodes: Any) -> list[dict[str, Any]]:
    """The entries of a nodeSelector that no node carries, each with the values the nodes do
    have for that key, the closest to the wanted value first:
    `[{key, value, text, found: [values]}]`."""
    nodes = [n for n in nodes or [] if isinstance(n, dict)]
    misses = []
    for key, value in (selector or {}).items():
        if any((n.get("labels") or {}).get(key) == value for n in nodes):
            continue
        found = []
        for node in nodes:
            other = (node.get("labels") or {}).get(key)
            if other is not None and other not in found:
                found.append(other)
        found.sort(key=lambda other: -difflib.SequenceMatcher(None, value, other).ratio())
        misses.append({"key": key, "value": value, "text": f"{key}={value}", "found": found})
    return misses


def listed(results: Any, kind: str) -> list[dict[str, Any]]:
    """The items of the `kubernetes_list` results (e.g. `evidence.subject`) of one kind."""
    items: list[dict[str, Any]] = []
    for result in results or []:
        if not isinstance(result, dict) or not result.get("ok"):
            continue
        data = result.get("data") or {}
        if isinstance(data, dict) and data.get("kind") == kind:
            items.extend(i for i in data.get("items") or [] if isinstance(i, dict))
    return items


def allocatable(node: Any, resource: str) -> float:
    """A node's allocatable amount of `resource` (0 when it offers none)."""
    if not isinstance(node, dict):
        return 0.0
    return quantity_number((node.get("allocatable") or {}).get(resource))


def free(node: Any, resource: str) -> float:
    """Allocatable minus what the node's pods request (`kubernetes_node` data)."""
    if not isinstance(node, dict):
        return 0.0
    requested = quantity_number((node.get("requested") or {}).get(resource))
    return max(0.0, allocatable(node, resource) - requested)


def shortfalls(pod: Any, failure: Any, nodes: Any) -> list[dict[str, Any]]:
    """For each resource the scheduler found insufficient, what the pod asks and what the
    nodes offer, the one that can never fit first:
    `[{resource, count, request, request_text, largest, largest_text, largest_node,
    offering, never_fits}]` (`largest` is None without node data)."""
    nodes = [n for n in nodes or [] if isinstance(n, dict)]
    found = []
    insufficient = (failure or {}).get("insufficient") or {}
    for resource, count in insufficient.items():
        request = pod_request(pod, resource)
        offers = [(allocatable(n, resource), n.get("name", "")) for n in nodes]
        largest, largest_node = max(offers) if offers else (None, "")
        found.append(
            {
                "resource": resource,
                "count": count,
                "request": request,
                "request_text": format_amount(resource, request),
                "largest": largest,
                "largest_text": format_amount(resource, largest) if largest is not None else "",
                "largest_node": largest_node,
                "offering": sum(1 for value, _ in offers if value > 0),
                "never_fits": largest is not None and request > largest,
            }
        )
    found.sort(key=lambda s: (not s["never_fits"], -(s["count"] or 0), s["resource"]))
    return found


def fits(pod: Any, node: Any) -> bool:
    """Whether a node's allocatable covers every resource the pod requests (ignoring what
    other pods use), and its labels satisfy the pod's nodeSelector."""
    if not isinstance(pod, dict) or not isinstance(node, dict):
        return False
    if not selector_matches(pod.get("node_selector") or {}, node.get("labels") or {}):
        return False
    wanted = set()
    for container in pod.get("containers") or []:
        resources = container.get("resources") or {}
        wanted |= set(resources.get("requests") or {}) | set(resources.get("limits") or {})
    return all(pod_request(pod, r) <= allocatable(node, r) for r in wanted if r != "pods")


def owner_of(pod: Any) -> dict[str, str]:
    """The top controller of a pod (`kubernetes_describe` data: the last of its owner chain),
    as `{kind, namespace, name, ref, text}` (`ref` = `deployment/name` for kubectl); the pod
    itself when it has none."""
    if not isinstance(pod, dict):
        return {"kind": "", "namespace": "", "name": "", "ref": "", "text": ""}
    for found in reversed(owner_refs(pod)):
        if found.kind != "ReplicaSet":
            return {
                "kind": found.kind,
                "namespace": found.namespace or pod.get("namespace") or "",
                "name": found.name,
                "ref": found.ref,
                "text": f"{found.kind} {found.name}",
            }
    name = pod.get("pod") or str(pod.get("name") or "").rsplit("/", 1)[-1]
    return {
        "kind": "Pod",
        "namespace": pod.get("namespace") or "",
        "name": name,
        "ref": f"pod/{name}",
        "text": f"pod {name}",
    }


def system_taint(taint: Any) -> bool:
    """Whether a taint (a node's `{key, ...}` or a key) marks nodes no workload is meant for
    (control-plane) or nodes that are down (`node.kubernetes.io/unreachable`, ...)."""
    key = taint.get("key") if isinstance(taint, dict) else taint
    return bool(_SYSTEM_TAINTS.match(str(key or "")))


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.scheduling_failure": scheduling_failure,
    "k8s.unschedulable_message": unschedulable_message,
    "k8s.pod_scheduling_failure": pod_scheduling_failure,
    "k8s.pod_request": pod_request,
    "amount": format_amount,
    "k8s.tolerates": tolerated,
    "k8s.untolerated": untolerated,
    "k8s.blocking_taints": blocking_taints,
    "k8s.toleration_texts": toleration_texts,
    "k8s.shortfall_text": shortfall_text,
    "k8s.taint_text": taint_text,
    "k8s.selector_matches": selector_matches,
    "k8s.selector_misses": selector_misses,
    "k8s.listed": listed,
    "k8s.allocatable": allocatable,
    "k8s.free": free,
    "k8s.shortfalls": shortfalls,
    "k8s.fits": fits,
    "k8s.owner_of": owner_of,
    "k8s.system_taint": system_taint,
}
