"""`kubernetes_node`: one node's health, capacity, GPUs, DRA devices and the pods on it.

Called through the registry, and by `kubernetes_describe` for a Node. Conditions come
unhealthy first (pressure conditions are healthy when False), then taints, capacity and
allocatable (incl. `nvidia.com/gpu`), the requests of the pods on the node summed, the DRA
devices its ResourceSlices publish (count, model, device taints such as
`gpu.nvidia.com/xid=79`), the claims allocated there, the node's events, and its pods with
problems first.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.dra_layout import device_fields
from holmes.tools.facts.quantities import format_summed, quantity
from holmes.tools.kubernetes import dra, pods
from holmes.tools.kubernetes.arguments import NodeName
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.common import (
    age,
    ago,
    conditions_text,
    full_name,
    meta,
    parse_time,
)
from holmes.tools.kubernetes.describe_pod import events_section
from holmes.tools.kubernetes.events import object_events
from holmes.tools.kubernetes.related import quietly
from holmes.tools.kubernetes.resources import get_object, list_objects, resolve
from holmes.tools.kubernetes.summaries import GPU_RESOURCE, node_ready, node_roles

_HEALTHY = {
    "Ready": "True",
    "MemoryPressure": "False",
    "DiskPressure": "False",
    "PIDPressure": "False",
    "NetworkUnavailable": "False",
}
_SHOWN_RESOURCES = ("cpu", "memory", "pods", "ephemeral-storage", GPU_RESOURCE)


async def node_view(
    kube: KubeSession, name: str, now: datetime, max_items: int, max_events: int
) -> tuple[str, dict[str, Any]]:
    """The text view and the structured facts of one node."""
    node = await get_object(kube, await resolve(kube, "v1", "Node"), name)
    pod_ref = await resolve(kube, "v1", "Pod")
    node_pods, slices, claims, events = await asyncio.gather(
        list_objects(kube, pod_ref, None, field_selector=f"spec.nodeName={name}", limit=max_items),
        quietly(_slices(kube, name, max_items)),
        quietly(_claims_on(kube, name, max_items)),
        object_events(kube, "Node", name, None, max_items),
    )
    items, more_pods = node_pods
    lines = _head(node, now)
    lines += _capacity(node, items)
    lines += _dra(slices, claims, now)
    lines += events_section(events, now, max_events)
    lines += _pods(items, more_pods, now)
    data = {
        "name": name,
        "ready": node_ready(node),
        "unschedulable": bool((node.get("spec") or {}).get("unschedulable")),
        "labels": meta(node).get("labels") or {},
        "conditions": (node.get("status") or {}).get("conditions") or [],
        "taints": (node.get("spec") or {}).get("taints") or [],
        "capacity": (node.get("status") or {}).get("capacity") or {},
        "allocatable": (node.get("status") or {}).get("allocatable") or {},
        "requested": {k: str(v) for k, v in _requested(items).items()},
        "dra_devices": slices if isinstance(slices, list) else [],
        "claims": claims if isinstance(claims, list) else [],
        "pods": [
            {"name": full_name(p), "status": pods.pod_status(p), "problems": pods.pod_problems(p)}
            for p in items
        ],
        "events": [event.model_dump(mode="json") for event in events[:max_events]],
    }
    return "\n".join(lines), data


def _head(node: dict[str, Any], now: datetime) -> list[str]:
    metadata, spec = meta(node), node.get("spec") or {}
    info = (node.get("status") or {}).get("nodeInfo") or {}
    labels = metadata.get("labels") or {}
    lines = [
        f"Node {metadata.get('name')}: {node_ready(node)}, roles {node_roles(node)}, "
        f"created {age(node, now)} ago, kubelet {info.get('kubeletVersion', '?')}, "
        f"instance type {labels.get('node.kubernetes.io/instance-type', '?')}"
    ]
    conditions = conditions_text(
        (node.get("status") or {}).get("conditions") or [], now, healthy=_HEALTHY
    )
    lines.append("conditions: " + ("; ".join(conditions) or "none reported"))
    taints = [
        f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}"
        for t in spec.get("taints") or []
    ]
    lines.append("taints: " + (", ".join(taints) or "none"))
    return lines


def _requested(items: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Requests of the node's running pods summed per resource (extended resources from
    limits when no request is given, as the API defaults them)."""
    total: dict[str, Decimal] = defaultdict(Decimal)
    for pod in items:
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        for container in pods.containers(pod):
            resources = container.get("resources") or {}
            requests = dict(resources.get("limits") or {})
            requests = {k: v for k, v in requests.items() if "/" in k}
            requests.update(resources.get("requests") or {})
            for key, value in requests.items():
                total[key] += quantity(value)
    return total


def _capacity(node: dict[str, Any], items: list[dict[str, Any]]) -> list[str]:
    status = node.get("status") or {}
    capacity, allocatable = status.get("capacity") or {}, status.get("allocatable") or {}
    requested = _requested(items)
    keys = [k for k in _SHOWN_RESOURCES if k in capacity or k in allocatable]
    keys += [k for k in allocatable if "/" in k and k not in keys]
    parts = []
    for key in keys:
        text = f"{key} {capacity.get(key, '?')}/{allocatable.get(key, '?')}"
        if key in requested:
            used = requested[key]
            share = quantity(allocatable.get(key))
            percent = f" ({used / share * 100:.0f}%)" if share else ""
            text += f", requested {format_summed(key, used)}{percent}"
        parts.append(text)
    lines = ["capacity/allocatable: " + ("; ".join(parts) or "not reported")]
    if GPU_RESOURCE not in capacity:
        lines.append(f"no {GPU_RESOURCE} resource on this node (GPUs, if any, are served by DRA)")
    return lines


async def _slices(kube: KubeSession, node: str, limit: int) -> list[dict[str, Any]]:
    """The node's ResourceSlices (filtered here: not every server indexes spec.nodeName)."""
    ref = await resolve(kube, "resource.k8s.io/v1", "ResourceSlice")
    items, _ = await list_objects(kube, ref, limit=limit)
    return [
        {
            "name": meta(s).get("name"),
            "text": dra.slice_text(s),
            "devices": dra.slice_devices(s),
            "taint_times": _taint_times(s),
        }
        for s in items
        if (s.get("spec") or {}).get("nodeName") == node
    ]


def _taint_times(resource_slice: dict[str, Any]) -> dict[str, str]:
    times = {}
    for device in (resource_slice.get("spec") or {}).get("devices") or []:
        for taint in device_fields(device).get("taints") or []:
            if taint.get("timeAdded"):
                times[device.get("name", "")] = taint["timeAdded"]
    return times


async def _claims_on(kube: KubeSession, node: str, limit: int) -> list[dict[str, Any]]:
    ref = await resolve(kube, "resource.k8s.io/v1", "ResourceClaim")
    items, _ = await list_objects(kube, ref, None, limit=limit)
    return [
        {"name": full_name(c), "text": dra.claim_text(c)}
        for c in items
        if dra.claim_node(c) == node
    ]


def _dra(slices: Any, claims: Any, now: datetime) -> list[str]:
    if not isinstance(slices, list):
        return [f"DRA devices: could not read ResourceSlices ({slices.error.message})"]
    if not slices:
        return ["DRA devices: no ResourceSlice for this node"]
    lines = ["DRA devices (ResourceSlices):"]
    for found in slices:
        text = f"- {found['text']}"
        for device, added in found["taint_times"].items():
            text += f" [{device} tainted {ago(parse_time(added), now)}]"
        lines.append(text)
    if isinstance(claims, list):
        lines.append(
            "DRA claims allocated on this node: "
            + ("; ".join(f"{c['name']}: {c['text']}" for c in claims) or "none")
        )
    return lines


def _pods(items: list[dict[str, Any]], more: int | None, now: datetime) -> list[str]:
    items = sorted(items, key=lambda pod: (not pods.pod_problems(pod), full_name(pod)))
    troubled = sum(1 for pod in items if pods.pod_problems(pod))
    lines = [f"pods on the node ({len(items)}, {troubled} with problems; problems first):"]
    for pod in items:
        problems = "; ".join(pods.pod_problems(pod))
        text = (
            f"- {full_name(pod)}: {pods.pod_status(pod)}, ready {pods.ready_text(pod)}, "
            f"restarts {pods.restart_text(pod, now)}"
        )
        lines.append(f"{text}; {problems}" if problems else text)
    if more:
        lines.append("more pods on the node not shown")
    return lines


class NodeInput(BaseModel):
    """Arguments of kubernetes_node."""

    name: NodeName = Field(description="Node name, e.g. gpu-node-3.")


class KubernetesNode(Tool):
    """A node's health, capacity, GPUs, DRA devices and pods."""

    name = "kubernetes_node"
    toolset = "kubernetes"
    description = (
        "Show one Kubernetes node: conditions (unhealthy first), taints, capacity and "
        "allocatable including GPUs (nvidia.com/gpu), the requests of its pods summed, the DRA "
        "devices its ResourceSlices publish (count, GPU model, device taints such as an XID "
        "taint), the DRA claims allocated there, its events, and the pods on it with their "
        "problems. Use it for node-level causes: NotReady, pressure, a broken GPU, cordons."
    )
    Input = NodeInput

    async def run(self, args: NodeInput, ctx: ToolContext) -> ToolOutput:
        """Gather and render the node view."""
        text, data = await node_view(
            session(ctx), args.name, ctx.now(), ctx.limits.max_items, max_events=15
        )
        return ToolOutput(data=data, text=text)
