"""One line per object, with the columns that matter for its kind.

Pure functions used by `kubernetes_list` and `kubernetes_find`: pods (ready, status, restarts,
node, age), nodes (ready, roles, GPUs), workloads (replicas), jobs (succeeded/failed, failure
reason), claims (allocated, devices, reserved for), slices (devices, taints), PVCs (phase,
storage class), services, events, policies; any other kind gets its age and a status summary
(phase, or its conditions that are not healthy).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from holmes.tools.facts.pods import PodFacts
from holmes.tools.facts.quantities import quantity
from holmes.tools.facts.selectors import LabelSelector
from holmes.tools.facts.text import clip
from holmes.tools.kubernetes import dra, pods
from holmes.tools.kubernetes.common import age, full_name, meta
from holmes.tools.kubernetes.list_facts import (
    endpoint_slice_facts,
    ingress_facts,
    pdb_facts,
    route_facts,
)
from holmes.tools.shaping.events import normalize, render_event

GPU_RESOURCE = "nvidia.com/gpu"


def summary_line(obj: dict[str, Any], now: datetime) -> str:
    """`namespace/name  <kind columns>  age 14m`."""
    render = _BY_KIND.get(obj.get("kind", ""), _generic)
    columns = render(obj, now)
    return f"{full_name(obj)}  {columns}  age {age(obj, now)}".replace("    ", "  ").strip()


def status_summary(obj: dict[str, Any], now: datetime) -> str:
    """The kind columns alone (used by `kubernetes_find` beside kind and name)."""
    return _BY_KIND.get(obj.get("kind", ""), _generic)(obj, now)


def _pod(obj: dict[str, Any], now: datetime) -> str:
    """A rendering of the pod's `PodFacts` (what `kubernetes_list` returns beside it)."""
    facts = PodFacts.of(obj)
    return (
        f"ready {facts.ready}/{facts.total}  {pods.pod_status(obj)}  "
        f"restarts {pods.restart_text(obj, now)}  node {facts.node or '(not scheduled)'}"
    )


def node_ready(obj: dict[str, Any]) -> str:
    """`Ready`, `NotReady` or `Unknown`, plus `SchedulingDisabled` when cordoned."""
    conditions = (obj.get("status") or {}).get("conditions") or []
    ready = next((c for c in conditions if c.get("type") == "Ready"), {})
    text = {"True": "Ready", "False": "NotReady"}.get(ready.get("status", ""), "Unknown")
    if (obj.get("spec") or {}).get("unschedulable"):
        text += ",SchedulingDisabled"
    return text


def node_roles(obj: dict[str, Any]) -> str:
    """Roles from `node-role.kubernetes.io/<role>` labels."""
    labels = meta(obj).get("labels") or {}
    prefix = "node-role.kubernetes.io/"
    roles = [key[len(prefix) :] for key in labels if key.startswith(prefix)]
    return ",".join(roles) or "<none>"


def node_gpus(obj: dict[str, Any]) -> str:
    """`4 nvidia.com/gpu allocatable of 4`, the labelled GPU model, or `no GPUs`."""
    status = obj.get("status") or {}
    capacity = (status.get("capacity") or {}).get(GPU_RESOURCE)
    allocatable = (status.get("allocatable") or {}).get(GPU_RESOURCE)
    labels = meta(obj).get("labels") or {}
    product = labels.get("nvidia.com/gpu.product")
    if capacity is None and allocatable is None:
        if product or labels.get("nvidia.com/gpu.present") == "true":
            count = labels.get("nvidia.com/gpu.count", "?")
            return (
                f"GPUs {count} x {product or '?'} (from labels; no {GPU_RESOURCE} resource: "
                "served by DRA, or no device plugin)"
            )
        return "no GPUs"
    text = f"GPUs {GPU_RESOURCE} allocatable {allocatable or 0} of {capacity or 0}"
    return f"{text} ({product})" if product else text


def _node(obj: dict[str, Any], now: datetime) -> str:
    taints = len((obj.get("spec") or {}).get("taints") or [])
    text = f"{node_ready(obj)}  roles {node_roles(obj)}  {node_gpus(obj)}"
    return f"{text}  taints {taints}" if taints else text


def _replicas(obj: dict[str, Any], now: datetime) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired = spec.get("replicas", 1)
    ready, updated = status.get("readyReplicas", 0), status.get("updatedReplicas", 0)
    available = status.get("availableReplicas", 0)
    text = f"ready {ready}/{desired}  updated {updated}  available {available}"
    return _with_bad_conditions(text, obj, {"ReplicaFailure": "False"})


def _daemonset(obj: dict[str, Any], now: datetime) -> str:
    status = obj.get("status") or {}
    return (
        f"desired {status.get('desiredNumberScheduled', 0)}  ready {status.get('numberReady', 0)}"
        f"  available {status.get('numberAvailable', 0)}"
        f"  misscheduled {status.get('numberMisscheduled', 0)}"
    )


def _job(obj: dict[str, Any], now: datetime) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    text = (
        f"succeeded {status.get('succeeded', 0)}/{spec.get('completions', 1)}  "
        f"failed {status.get('failed', 0)} (backoffLimit {spec.get('backoffLimit', 6)})  "
        f"active {status.get('active', 0)}"
    )
    for condition in status.get("conditions") or []:
        if condition.get("status") == "True" and condition.get("type") in ("Failed", "Complete"):
            text += f"  {condition['type']}"
            if condition.get("reason"):
                text += f" ({condition['reason']}: {clip(condition.get('message') or '', 120)})"
    return text


def _cronjob(obj: dict[str, Any], now: datetime) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    text = f"schedule {spec.get('schedule', '?')}  suspended {bool(spec.get('suspend'))}"
    if status.get("lastScheduleTime"):
        text += f"  last schedule {status['lastScheduleTime']}"
    return text


def _service(obj: dict[str, Any], now: datetime) -> str:
    spec = obj.get("spec") or {}
    ports = ",".join(
        f"{p.get('port')}->{p.get('targetPort', p.get('port'))}/{p.get('protocol', 'TCP')}"
        for p in spec.get("ports") or []
    )
    selector = ",".join(f"{k}={v}" for k, v in (spec.get("selector") or {}).items())
    return (
        f"{spec.get('type', 'ClusterIP')} {spec.get('clusterIP', '')}  ports {ports or '-'}  "
        f"selector {selector or '(none)'}"
    )


def _pvc(obj: dict[str, Any], now: datetime) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    size = (status.get("capacity") or {}).get("storage") or (
        (spec.get("resources") or {}).get("requests") or {}
    ).get("storage")
    return (
        f"{status.get('phase', '?')}  storageClass {spec.get('storageClassName') or '(default)'}  "
        f"size {size or '?'}  volume {spec.get('volumeName') or '-'}"
    )


def _pv(obj: dict[str, Any], now: datetime) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    claim = spec.get("claimRef") or {}
    return (
        f"{status.get('phase', '?')}  storageClass {spec.get('storageClassName') or '-'}  "
        f"claim {claim.get('namespace', '')}/{claim.get('name', '')}".rstrip("/")
    )


def _event(obj: dict[str, Any], now: datetime) -> str:
    return render_event(normalize(obj), now)


def _claim(obj: dict[str, Any], now: datetime) -> str:
    return dra.claim_text(obj)


def _claim_template(obj: dict[str, Any], now: datetime) -> str:
    spec = ((obj.get("spec") or {}).get("spec") or {}).get("devices") or {}
    return "asks for " + (dra.requests_text(spec) or "no devices")


def _slice(obj: dict[str, Any], now: datetime) -> str:
    return dra.slice_text(obj)


def _device_class(obj: dict[str, Any], now: datetime) -> str:
    return dra.device_class_text(obj)


def _policy(obj: dict[str, Any], now: datetime) -> str:
    spec = obj.get("spec") or {}
    selector = spec.get("endpointSelector") or spec.get("podSelector") or {}
    counts = "  ".join(
        f"{key} rules {len(spec.get(key) or [])}"
        for key in ("ingress", "ingressDeny", "egress", "egressDeny")
        if key in spec
    )
    return f"selects {LabelSelector.of(selector).text() or 'all pods'}  {counts}".strip()


def _ingress(obj: dict[str, Any], now: datetime) -> str:
    facts = ingress_facts(obj)
    routes = "; ".join(
        f"{b['host'] or '*'}{b['path']} -> {b['service'] or b['resource']}:{b['port']}"
        for b in facts["backends"][:4]
    )
    return f"class {facts['class_name'] or '-'}  {routes or 'no rules'}"


def _route(obj: dict[str, Any], now: datetime) -> str:
    facts = route_facts(obj)
    backends = ",".join(f"{b['name']}:{b['port']}" for b in facts["backends"][:4])
    parents = ",".join(p["name"] for p in facts["parents"])
    bad = [
        f"{c['type']}={c['status']} ({c.get('reason') or '?'})"
        for p in facts["parent_status"]
        for c in p["conditions"]
        if c.get("status") != "True"
    ]
    text = (
        f"hosts {','.join(facts['hostnames']) or '*'}  parents {parents or '-'}  "
        f"backends {backends or '-'}"
    )
    return f"{text}  not healthy: {', '.join(bad)}" if bad else text


def _pdb(obj: dict[str, Any], now: datetime) -> str:
    facts = pdb_facts(obj)
    budget = (
        f"minAvailable {facts['min_available']}"
        if facts["min_available"] is not None
        else f"maxUnavailable {facts['max_unavailable']}"
    )
    return (
        f"{budget}  allowed disruptions {facts['disruptions_allowed']}  healthy "
        f"{facts['current_healthy']}/{facts['expected_pods']} (needs {facts['desired_healthy']})"
    )


def _endpoint_slice(obj: dict[str, Any], now: datetime) -> str:
    facts = endpoint_slice_facts(obj)
    return (
        f"service {facts['service'] or '-'}  ready {facts['ready']}  not ready {facts['not_ready']}"
    )


def _generic(obj: dict[str, Any], now: datetime) -> str:
    status = obj.get("status") or {}
    if not isinstance(status, dict):
        return ""
    parts = []
    if status.get("phase"):
        parts.append(f"phase {status['phase']}")
    return _with_bad_conditions("  ".join(parts), obj, {})


def _with_bad_conditions(text: str, obj: dict[str, Any], healthy: dict[str, str]) -> str:
    """Append the conditions that are not healthy (`Available=False (reason)`)."""
    conditions = (obj.get("status") or {}).get("conditions") or []
    bad = [
        f"{c.get('type')}={c.get('status')}" + (f" ({c['reason']})" if c.get("reason") else "")
        for c in conditions
        if c.get("status") != healthy.get(c.get("type", ""), "True")
    ]
    return f"{text}  not healthy: {', '.join(bad)}".strip() if bad else text


_BY_KIND: dict[str, Callable[[dict[str, Any], datetime], str]] = {
    "Pod": _pod,
    "Node": _node,
    "Deployment": _replicas,
    "StatefulSet": _replicas,
    "ReplicaSet": _replicas,
    "DaemonSet": _daemonset,
    "Job": _job,
    "CronJob": _cronjob,
    "Service": _service,
    "PersistentVolumeClaim": _pvc,
    "PersistentVolume": _pv,
    "Event": _event,
    "ResourceClaim": _claim,
    "ResourceClaimTemplate": _claim_template,
    "ResourceSlice": _slice,
    "DeviceClass": _device_class,
    "CiliumNetworkPolicy": _policy,
    "CiliumClusterwideNetworkPolicy": _policy,
    "NetworkPolicy": _policy,
    "Ingress": _ingress,
    "HTTPRoute": _route,
    "GRPCRoute": _route,
    "PodDisruptionBudget": _pdb,
    "EndpointSlice": _endpoint_slice,
}

__all__ = ["quantity", "status_summary", "summary_line"]
