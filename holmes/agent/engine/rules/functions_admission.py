"""CEL functions for the failed-create and volume-mount-failure runbooks (listed in `FUNCTIONS`
); pure functions over `kubernetes_describe` data.

`create_denials(workloads)`: why each workload's controller could not create pods (its
FailedCreate events, or the ReplicaFailure condition a Deployment copies from its ReplicaSet).
`mount_failures(pods)`: the volumes of each pod that cannot mount because the ConfigMap,
Secret, key or PersistentVolumeClaim they read is missing. `object_keys(obj)`: the keys a
ConfigMap or Secret holds.
"""

from __future__ import annotations

from typing import Any

from holmes.tools.facts.admission import create_denial, mount_failure

_KIND_REF = {
    "Deployment": "deployment",
    "ReplicaSet": "replicaset",
    "StatefulSet": "statefulset",
    "DaemonSet": "daemonset",
    "Job": "job",
    "CronJob": "cronjob",
}


def create_denials(workloads: Any, events: Any = None) -> list[dict[str, Any]]:
    """Each workload's pod creation denial, one per workload.

    `{workload: {kind, namespace, name, ref}, count, last_seen, source (event/condition),
    origin ("FailedCreate x3"), seen (the event or condition in a sentence), ...CreateDenial}`.
    `events` (optional) are `kubernetes_events` results of reason FailedCreate: they add the
    denials of controllers not described (a Deployment's ReplicaSet, a CronJob's Job); when
    workloads are named, only theirs and their children's count.
    """
    named = [w for w in workloads if isinstance(w, dict)] if isinstance(workloads, list) else []
    found = [d for d in (_workload_denial(w) for w in named) if d]
    covered = {(d["workload"]["namespace"], d["workload"]["name"]) for d in found}
    for record in _event_records(events):
        namespace, name = str(record.get("namespace") or ""), str(record.get("name") or "")
        if (namespace, name) in covered or not _belongs(record, named):
            continue
        workload = {"kind": record.get("kind"), "name": f"{namespace}/{name}", "events": [record]}
        denial = _workload_denial(workload)
        if denial:
            found.append(_as_parent(denial, record, named))
            covered.add((namespace, name))
    return found


def _event_records(results: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for result in results if isinstance(results, list) else []:
        if isinstance(result, dict) and result.get("ok"):
            data = result.get("data") or {}
            records += [e for e in data.get("events") or [] if isinstance(e, dict)]
    return records


# The child a controller creates its pods through, named `<parent>-<suffix>` (a hash, a time).
_CHILD_KIND = {"Deployment": "ReplicaSet", "CronJob": "Job"}


def _parent(record: dict[str, Any], named: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The named Deployment (CronJob) whose ReplicaSet (Job) an event is about, if any."""
    target = f"{record.get('namespace')}/{record.get('name')}"
    for workload in named:
        name = str(workload.get("name") or "")
        if _CHILD_KIND.get(str(workload.get("kind"))) != record.get("kind"):
            continue
        if target.startswith(name + "-") and "-" not in target[len(name) + 1 :]:
            return workload
    return None


def _belongs(record: dict[str, Any], named: list[dict[str, Any]]) -> bool:
    """Whether an event is about a named workload or the child of one (no names: any)."""
    if not named:
        return True
    target = f"{record.get('namespace')}/{record.get('name')}"
    same = any(target == w.get("name") and record.get("kind") == w.get("kind") for w in named)
    return same or _parent(record, named) is not None


def _as_parent(
    denial: dict[str, Any], record: dict[str, Any], named: list[dict[str, Any]]
) -> dict[str, Any]:
    """A child's denial told as its named parent's: the parent's template is what a fix edits."""
    parent = _parent(record, named)
    if parent is None:
        return denial
    namespace, _, name = str(parent.get("name") or "").rpartition("/")
    kind, child = str(parent.get("kind")), denial["workload"]
    ref = {"kind": kind, "namespace": namespace, "name": name, "ref": f"{_KIND_REF[kind]}/{name}"}
    seen = denial["seen"].replace(
        f"{child['kind']} {child['name']}", f"{child['kind']} {child['name']} of {kind} {name}"
    )
    return {**denial, "workload": ref, "seen": seen}


def _workload_denial(workload: dict[str, Any]) -> dict[str, Any] | None:
    kind = str(workload.get("kind") or "")
    namespace, _, name = str(workload.get("name") or "").rpartition("/")
    ref = {
        "kind": kind,
        "namespace": namespace,
        "name": name,
        "ref": f"{_KIND_REF.get(kind, kind.lower())}/{name}",
    }
    for event in workload.get("events") or []:
        if event.get("reason") != "FailedCreate":
            continue
        denial = create_denial(event.get("message") or "")
        if denial:
            return {
                **denial.model_dump(),
                "summary": denial.summary(),
                "workload": ref,
                "count": int(event.get("count") or 1),
                "source": "event",
                "origin": f"FailedCreate x{int(event.get('count') or 1)}",
                "seen": f"Warning FailedCreate on {kind} {name} x{int(event.get('count') or 1)}",
                "last_seen": str(event.get("last_seen") or ""),
            }
    for condition in workload.get("conditions") or []:
        if condition.get("type") != "ReplicaFailure" or condition.get("status") != "True":
            continue
        denial = create_denial(condition.get("message") or "")
        if denial:
            return {
                **denial.model_dump(),
                "summary": denial.summary(),
                "workload": ref,
                "count": 1,
                "source": "condition",
                "origin": "ReplicaFailure condition",
                "seen": f"{kind} {name} condition ReplicaFailure=True (FailedCreate)",
                "last_seen": str(condition.get("lastUpdateTime") or ""),
            }
    return None


def mount_failures(pods: Any) -> list[dict[str, Any]]:
    """The missing ConfigMaps, Secrets, keys and claims that keep each pod from starting.

    `{pod, namespace, node, status, event: {reason, count, message}, ...MountFailure}`, one per
    pod and object; a key failure gets its object's name from the pod's references when the
    kubelet's message leaves it out.
    """
    found = []
    for pod in pods if isinstance(pods, list) else []:
        if not isinstance(pod, dict):
            continue
        seen: set[tuple[str, str, str]] = set()
        for event in pod.get("events") or []:
            if event.get("reason") not in ("FailedMount", "FailedScheduling"):
                continue
            failure = mount_failure(event.get("message") or "")
            if failure is None:
                continue
            key = (failure.kind, failure.volume, failure.object_name)
            if key in seen:
                continue
            seen.add(key)
            found.append(
                {
                    **failure.model_dump(),
                    "pod": pod.get("pod") or "",
                    "namespace": pod.get("namespace") or "",
                    "node": pod.get("node"),
                    "status": pod.get("status") or "",
                    "event": {
                        "reason": event.get("reason"),
                        "count": int(event.get("count") or 1),
                        "message": failure.message,
                    },
                }
            )
    return found


def object_keys(obj: Any) -> list[str]:
    """The keys of a ConfigMap's or Secret's data (a `kubernetes_get` result), sorted."""
    if not isinstance(obj, dict):
        return []
    names: set[str] = set()
    for field in ("data", "binaryData", "stringData"):
        value = obj.get(field)
        if isinstance(value, dict):
            names.update(str(k) for k in value)
    return sorted(names)


def volume_source(pod_object: Any, volume: Any) -> dict[str, Any]:
    """What a pod's volume reads (from a `kubernetes_get` Pod): `{kind, name, keys, optional}`.

    kind is ConfigMap, Secret, PersistentVolumeClaim or "" (unknown volume); keys are the items
    the volume projects (empty: all keys).
    """
    spec = (pod_object or {}).get("spec") if isinstance(pod_object, dict) else None
    for entry in (spec or {}).get("volumes") or []:
        if entry.get("name") != volume:
            continue
        for field, kind, name_key in (
            ("configMap", "ConfigMap", "name"),
            ("secret", "Secret", "secretName"),
            ("persistentVolumeClaim", "PersistentVolumeClaim", "claimName"),
        ):
            source = entry.get(field)
            if isinstance(source, dict):
                return {
                    "kind": kind,
                    "name": str(source.get(name_key) or ""),
                    "keys": [str(i.get("key")) for i in source.get("items") or [] if i.get("key")],
                    "optional": bool(source.get("optional")),
                }
    return {"kind": "", "name": "", "keys": [], "optional": False}


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.create_denials": create_denials,
    "k8s.mount_failures": mount_failures,
    "k8s.object_keys": object_keys,
    "k8s.volume_source": volume_source,
}
