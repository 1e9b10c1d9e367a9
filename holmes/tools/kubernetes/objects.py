"""`kubernetes_get` and `kubernetes_list`: read any kind the cluster serves, CRDs included.

Called through the tool registry by the runbook engine and the LLM agent. `kubernetes_get`
returns one object as compact YAML (spec and status, no bookkeeping); `kubernetes_list`
returns one line per object with the columns that matter for its kind (see `summaries.py`),
pods with problems first.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.pods import PodFacts
from holmes.tools.kubernetes import pods
from holmes.tools.kubernetes.arguments import (
    ApiVersion,
    Kind,
    OptionalNamespace,
    check_name_for_kind,
)
from holmes.tools.kubernetes.client import session
from holmes.tools.kubernetes.common import full_name, meta
from holmes.tools.kubernetes.list_facts import list_facts
from holmes.tools.kubernetes.resources import get_object, list_objects, resolve
from holmes.tools.kubernetes.summaries import node_ready, summary_line
from holmes.tools.kubernetes.yamlview import trimmed, yaml_view

_API_VERSION = (
    "apiVersion of the kind, e.g. v1, apps/v1, batch/v1, resource.k8s.io/v1, cilium.io/v2. "
    "Optional for well-known kinds."
)
_KIND = "Kind, e.g. Pod, Deployment, Node, ResourceClaim (plural or short names work too)."


class GetInput(BaseModel):
    """Arguments of kubernetes_get."""

    kind: Kind = Field(description=_KIND)
    name: str = Field(description="Name of the object.")
    namespace: OptionalNamespace = Field(
        None, description="Namespace of the object; leave empty for cluster-scoped kinds."
    )
    api_version: ApiVersion = Field(None, description=_API_VERSION)

    _name = field_validator("name")(check_name_for_kind)


class KubernetesGet(Tool):
    """One object by kind and name, as compact YAML."""

    name = "kubernetes_get"
    toolset = "kubernetes"
    description = (
        "Read one Kubernetes object (any kind, including CRDs such as ResourceClaim or "
        "CiliumNetworkPolicy) and return its metadata, spec and status as compact YAML, without "
        "managedFields or last-applied annotations. Use it to see exact configuration (a "
        "ConfigMap's files, a policy's rules, a claim's requests). For a diagnosis of a pod, "
        "workload or node prefer kubernetes_describe."
    )
    Input = GetInput

    async def run(self, args: GetInput, ctx: ToolContext) -> ToolOutput:
        """Fetch and render the object."""
        kube = session(ctx)
        ref = await resolve(kube, args.api_version, args.kind)
        obj = await get_object(kube, ref, args.name, args.namespace)
        head = f"{ref.kind} {full_name(obj)} ({ref.api_version})"
        return ToolOutput(data=trimmed(obj), text=f"{head}\n{yaml_view(obj)}")


class ListInput(BaseModel):
    """Arguments of kubernetes_list."""

    kind: Kind = Field(description=_KIND)
    namespace: OptionalNamespace = Field(
        None, description="Namespace to list in; leave empty for all namespaces."
    )
    api_version: ApiVersion = Field(None, description=_API_VERSION)
    label_selector: str = Field("", description="Label selector, e.g. app=web,tier!=cache.")
    field_selector: str = Field(
        "", description="Field selector, e.g. status.phase=Pending or spec.nodeName=gpu-node-3."
    )
    limit: int = Field(50, ge=1, le=1000, description="Most objects to return.")


class KubernetesList(Tool):
    """Objects of a kind, one line each."""

    name = "kubernetes_list"
    toolset = "kubernetes"
    description = (
        "List Kubernetes objects of one kind (core, apps, batch, networking, storage, events, "
        "resource.k8s.io DeviceClass/ResourceClaim/ResourceClaimTemplate/ResourceSlice, "
        "cilium.io policies, any CRD) in a namespace or all namespaces, filtered by label and "
        "field selectors. Returns one line per object with the columns that matter for the "
        "kind: pods: ready, status/reason, restarts, node, age; nodes: ready, roles, GPUs; "
        "claims: allocated or not, devices, reserved for; others: age and status summary."
    )
    Input = ListInput

    async def run(self, args: ListInput, ctx: ToolContext) -> ToolOutput:
        """List one page and render a line per object."""
        kube = session(ctx)
        ref = await resolve(kube, args.api_version, args.kind)
        namespace = args.namespace if ref.namespaced else None
        limit = min(args.limit, ctx.limits.max_items)
        items, remaining = await list_objects(
            kube, ref, namespace, args.label_selector, args.field_selector, limit
        )
        if ref.kind == "Pod":
            items.sort(key=lambda pod: (not pods.pod_problems(pod), full_name(pod)))
        now = ctx.now()
        where = (
            f"in namespace {namespace}"
            if namespace
            else ("in all namespaces" if ref.namespaced else "(cluster-scoped)")
        )
        filters = ", ".join(
            f"{key} {value}"
            for key, value in (("labels", args.label_selector), ("fields", args.field_selector))
            if value
        )
        head = f"{len(items)} {ref.kind} objects ({ref.api_version}) {where}"
        head += f" matching {filters}" if filters else ""
        lines = [head + ":"] if items else [head.replace(f"{len(items)} ", "no ", 1)]
        lines += [summary_line(item, now) for item in items]
        if remaining:
            more = f"{remaining} more" if remaining > 0 else "more"
            lines.append(
                f"{more} objects not shown (limit {limit}); narrow with a selector or a namespace"
            )
        data = {
            "api_version": ref.api_version,
            "kind": ref.kind,
            "namespace": namespace,
            "items": [_item(item, now) for item in items],
            "remaining": remaining,
        }
        return ToolOutput(data=data, text="\n".join(lines))


def _item(obj: dict[str, Any], now: Any) -> dict[str, Any]:
    metadata = meta(obj)
    item = {
        "name": metadata.get("name"),
        "namespace": metadata.get("namespace"),
        "summary": summary_line(obj, now),
        "created": metadata.get("creationTimestamp"),
    }
    # The last write any field manager made: when an object was changed, not only created.
    written = [f.get("time") for f in metadata.get("managedFields") or [] if f.get("time")]
    if written:
        item["updated"] = max(written)
    item.update(_facts(obj))
    return item


def _facts(obj: dict[str, Any]) -> dict[str, Any]:
    """Structured facts of the kinds rules compare against: a pod's state (`PodFacts`), what a
    node offers (labels, taints, allocatable), what a StorageClass is (provisioner, default)."""
    metadata, spec, status = meta(obj), obj.get("spec") or {}, obj.get("status") or {}
    if obj.get("kind") == "Pod":
        return {"facts": PodFacts.of(obj).model_dump()}
    if obj.get("kind") == "Node":
        return {
            "ready": node_ready(obj),
            "unschedulable": bool(spec.get("unschedulable")),
            "labels": metadata.get("labels") or {},
            "taints": spec.get("taints") or [],
            "capacity": status.get("capacity") or {},
            "allocatable": status.get("allocatable") or {},
        }
    if obj.get("kind") == "Namespace":
        # namespaceSelectors (NetworkPolicy, webhooks, affinity) match these labels.
        return {"labels": metadata.get("labels") or {}, "phase": status.get("phase")}
    if obj.get("kind") == "StorageClass":
        annotations = metadata.get("annotations") or {}
        default = any(
            annotations.get(key) == "true"
            for key in (
                "storageclass.kubernetes.io/is-default-class",
                "storageclass.beta.kubernetes.io/is-default-class",
            )
        )
        return {
            "provisioner": obj.get("provisioner"),
            "default": default,
            "volume_binding_mode": obj.get("volumeBindingMode"),
        }
    return list_facts(obj)
