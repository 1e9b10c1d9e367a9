"""`kubernetes_describe`: a describe-like, problems-first view of one object.

Called through the registry. Pods get `describe_pod`; Deployments, StatefulSets, DaemonSets,
ReplicaSets, Jobs and CronJobs get `describe_workload`; Nodes get the `kubernetes_node` view;
ResourceClaims show allocation, devices, node and consumers; PersistentVolumeClaims show phase
and whether their StorageClass exists; any other kind shows its status summary, conditions,
owner chain and events, and a namespaced one the pods it concerns (`users.py`: the pods
mounting a ConfigMap, Secret or PVC, running as a ServiceAccount, an HPA's scale target).
"""

from __future__ import annotations

import asyncio
import difflib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.kubernetes import dra, users
from holmes.tools.kubernetes.arguments import (
    ApiVersion,
    Kind,
    OptionalNamespace,
    check_name_for_kind,
)
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.common import age, conditions_text, full_name, meta
from holmes.tools.kubernetes.describe_pod import describe_pod, events_section
from holmes.tools.kubernetes.describe_workload import WORKLOAD_KINDS, describe_workload
from holmes.tools.kubernetes.events import object_events
from holmes.tools.kubernetes.nodes import node_view
from holmes.tools.kubernetes.related import owner_chain, quietly, storage_class_text
from holmes.tools.kubernetes.resources import get_object, list_objects, resolve
from holmes.tools.kubernetes.summaries import status_summary

_MAX_EVENTS = 15


class DescribeInput(BaseModel):
    """Arguments of kubernetes_describe."""

    kind: Kind = Field(
        description="Kind, e.g. Pod, Deployment, Job, CronJob, Node, ResourceClaim, "
        "PersistentVolumeClaim (plural or short names work too)."
    )
    name: str = Field(description="Name of the object.")
    namespace: OptionalNamespace = Field(
        None, description="Namespace of the object; leave empty for cluster-scoped kinds."
    )
    api_version: ApiVersion = Field(
        None, description="apiVersion, only needed for kinds that are not well known."
    )

    _name = field_validator("name")(check_name_for_kind)


class KubernetesDescribe(Tool):
    """A describe-like view of one object with its owners, conditions and events."""

    name = "kubernetes_describe"
    toolset = "kubernetes"
    description = (
        "Describe one Kubernetes object for troubleshooting, problems first. For a pod: "
        "status, container states (waiting/terminated reasons, exit codes with their meaning, "
        "restart counts, last termination), requests/limits incl. nvidia.com/gpu, DRA claims "
        "and their allocated devices, referenced ConfigMaps/Secrets/PVCs and whether they "
        "exist, scheduling constraints, owner chain (Pod -> ReplicaSet -> Deployment, Pod -> "
        "Job -> CronJob) and events (deduplicated, Warning first). For a workload: replicas "
        "and its pods' states. Also nodes, ResourceClaims, PVCs and any other kind."
    )
    Input = DescribeInput

    async def run(self, args: DescribeInput, ctx: ToolContext) -> ToolOutput:
        """Fetch the object and render the view for its kind."""
        kube = session(ctx)
        now, limit = ctx.now(), ctx.limits.max_items
        ref = await resolve(kube, args.api_version, args.kind)
        if ref.kind == "Node":
            text, data = await node_view(kube, args.name, now, limit, _MAX_EVENTS)
            return ToolOutput(data=data, text=text)
        obj = await get_object(kube, ref, args.name, args.namespace)
        if ref.kind == "Secret":  # its name and metadata are the evidence, never its values
            obj = {k: v for k, v in obj.items() if k not in ("data", "stringData")}
        if ref.kind == "Pod":
            text, data = await describe_pod(kube, obj, now, _MAX_EVENTS)
            data.update(_pod_placement(obj))
        elif ref.kind in WORKLOAD_KINDS:
            text, data = await describe_workload(kube, obj, now, limit, _MAX_EVENTS)
        else:
            text, data = await _describe_other(kube, obj, now, limit)
        return ToolOutput(data=data, text=text)


async def _describe_other(
    kube: KubeSession, obj: dict[str, Any], now: datetime, limit: int
) -> tuple[str, dict[str, Any]]:
    """Claims, PVCs and any other kind: summary, kind details, conditions, owners, events."""
    kind, name = obj.get("kind", ""), meta(obj).get("name", "")
    chain, events, details = await asyncio.gather(
        owner_chain(kube, obj, now),
        object_events(kube, kind, name, meta(obj).get("namespace"), limit),
        _details(kube, obj, limit),
    )
    details, facts = details
    summary = status_summary(obj, now)
    lines = [
        f"{kind} {full_name(obj)}: {summary}; created {age(obj, now)} ago".replace(":  ;", ";")
    ]
    lines += details
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    conditions = conditions_text(status.get("conditions") or [], now)
    if conditions:
        lines.append("conditions: " + "; ".join(conditions))
    lines.append("owners: " + (" -> ".join(o.text() for o in chain) if chain else "none"))
    lines += events_section(events, now, _MAX_EVENTS)
    lines.append("(kubernetes_get shows the full spec and status)")
    data = {
        "kind": kind,
        "name": full_name(obj),
        "summary": summary,
        "details": details,
        "owners": [o.text() for o in chain],
        "owner_refs": [o.model_dump() for o in chain],
        "events": [event.model_dump(mode="json") for event in events[:_MAX_EVENTS]],
    }
    data.update(facts)
    return "\n".join(lines), data


async def _details(
    kube: KubeSession, obj: dict[str, Any], limit: int
) -> tuple[list[str], dict[str, Any]]:
    """Kind-specific lines, and the structured facts behind them for `data`."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "ResourceClaim":
        facts = dra.claim_facts(obj)
        lines = [f"requests: {facts['requests'] or 'none'}"]
        for device in facts["devices"]:
            lines.append(
                f"- device {device['device']} (driver {device['driver']}, pool {device['pool']}) "
                f"for request {device['request']}"
            )
        return lines, {}
    if kind == "PersistentVolumeClaim":
        requested = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "?")
        storage = await storage_class_text(kube, spec.get("storageClassName"))
        facts = {
            "phase": (obj.get("status") or {}).get("phase"),
            "storage_class": spec.get("storageClassName"),
            "storage_class_exists": (
                None if not spec.get("storageClassName") else "NOT FOUND" not in storage
            ),
            "access_modes": spec.get("accessModes") or [],
            "requested": requested,
            "volume": spec.get("volumeName"),
        }
        used, used_facts = await users.pods_using(kube, obj, limit)
        return [
            storage,
            f"access modes {', '.join(spec.get('accessModes') or []) or '?'}, "
            f"requested {requested}, volume {spec.get('volumeName') or '(none bound)'}",
            *used,
        ], {**facts, **used_facts}
    if kind == "Service":
        return await _service_details(kube, obj, limit)
    if kind == "HorizontalPodAutoscaler":
        return users.scale_target(obj)
    if users.concerns_pods(obj):
        return await users.pods_using(kube, obj, limit)
    return [], {}


def _likeness(wanted: str, found: str, service: str) -> float:
    """How much a pod's label value looks like the one a Service selects (a rename, a
    typo, the Service's own name): 1 for containment or the Service's name, else a ratio."""
    if found == service or wanted in found or found in wanted:
        return 1.0
    return difflib.SequenceMatcher(None, wanted, found).ratio()


def _pod_placement(pod: dict[str, Any]) -> dict[str, Any]:
    """What a pod asks of a node, as data: its nodeSelector, tolerations, required node
    affinity terms, required pod (anti-)affinity terms and topology spread constraints."""
    spec = pod.get("spec") or {}
    affinity = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    pod_affinity = (spec.get("affinity") or {}).get("podAffinity") or {}
    anti_affinity = (spec.get("affinity") or {}).get("podAntiAffinity") or {}
    required = "requiredDuringSchedulingIgnoredDuringExecution"
    return {
        "node_selector": spec.get("nodeSelector") or {},
        "tolerations": spec.get("tolerations") or [],
        "node_affinity": affinity.get("nodeSelectorTerms") or [],
        "pod_affinity": pod_affinity.get(required) or [],
        "pod_anti_affinity": anti_affinity.get(required) or [],
        "topology_spread": spec.get("topologySpreadConstraints") or [],
    }


async def _service_details(
    kube: KubeSession, service: dict[str, Any], limit: int
) -> tuple[list[str], dict[str, Any]]:
    """A Service's selector, the pods it selects, its endpoints, and the pods whose labels
    look like the selector's but differ (what a rename or a typo leaves behind)."""
    spec, namespace = service.get("spec") or {}, meta(service).get("namespace")
    name = meta(service).get("name", "")
    selector = spec.get("selector") or {}
    pod_ref, slice_ref = await asyncio.gather(
        resolve(kube, "v1", "Pod"), resolve(kube, "discovery.k8s.io/v1", "EndpointSlice")
    )
    listed, slices = await asyncio.gather(
        quietly(list_objects(kube, pod_ref, namespace, limit=limit)),
        quietly(
            list_objects(
                kube, slice_ref, namespace, label_selector=f"kubernetes.io/service-name={name}"
            )
        ),
    )
    namespace_pods = listed[0] if isinstance(listed, tuple) else []
    ready, not_ready = [], []
    found_slices = slices[0] if isinstance(slices, tuple) else []
    for found in found_slices:
        for endpoint in found.get("endpoints") or []:
            target = (endpoint.get("targetRef") or {}).get("name") or ",".join(
                endpoint.get("addresses") or []
            )
            conditions = endpoint.get("conditions") or {}
            (ready if conditions.get("ready", True) else not_ready).append(target)
    selected = [
        meta(p).get("name")
        for p in namespace_pods
        if selector and all((meta(p).get("labels") or {}).get(k) == v for k, v in selector.items())
    ]
    similar = []
    for pod in namespace_pods:
        labels = meta(pod).get("labels") or {}
        differing = {k: labels[k] for k in selector if k in labels and labels[k] != selector[k]}
        if differing and meta(pod).get("name") not in selected:
            likeness = max(_likeness(str(selector[k]), str(v), name) for k, v in differing.items())
            if likeness >= 0.6:
                similar.append({"pod": meta(pod).get("name"), "labels": differing})
    facts = {
        "type": spec.get("type", "ClusterIP"),
        "selector": selector,
        "ports": spec.get("ports") or [],
        "selected_pods": selected,
        "endpoints": {
            # The controller keeps an EndpointSlice for every Service with a selector: none at
            # all means they could not be seen (not recorded, or no permission), not "empty".
            "read": bool(found_slices),
            "ready": ready,
            "not_ready": not_ready,
        },
        "similar_pods": similar[:10],
    }
    shown = ",".join(f"{k}={v}" for k, v in selector.items()) or "(none)"
    lines = [
        f"selector {shown} matches {len(selected)} pod(s)"
        + (f": {', '.join(selected[:5])}" if selected else ""),
    ]
    if not found_slices:
        lines.append("endpoints: no EndpointSlice found for this Service")
    else:
        lines.append(
            f"endpoints: {len(ready)} ready"
            + (f" ({', '.join(ready[:5])})" if ready else "")
            + f", {len(not_ready)} not ready"
            + (f" ({', '.join(not_ready[:5])})" if not_ready else "")
        )
    if similar and not selected:
        values = sorted({f"{k}={v}" for entry in similar for k, v in entry["labels"].items()})
        lines.append(
            f"pods with similar labels that it does not select: {', '.join(values[:5])} "
            f"({len(similar)} pod(s), e.g. {similar[0]['pod']})"
        )
    return lines, facts
