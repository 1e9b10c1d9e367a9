"""Fetches that several views share: the owner chain, ConfigMap/Secret/PVC existence, claims.

Used by `describe_pod`, `describe_workload` and `describe` (async, through a `KubeSession`). A
failure to read one related object (a Secret the user may not read, a missing owner) is
reported in the text, never fails the whole view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from holmes.tools.base import ToolFailure
from holmes.tools.facts.owners import OwnerRef
from holmes.tools.kubernetes import dra
from holmes.tools.kubernetes.client import KubeSession
from holmes.tools.kubernetes.common import meta, owner
from holmes.tools.kubernetes.resources import ResourceRef, resolve
from holmes.tools.kubernetes.summaries import status_summary

T = TypeVar("T")
_MAX_OWNERS = 5  # Pod -> ReplicaSet -> Deployment is 3; custom operators add a level or two


async def quietly(awaitable: Awaitable[T]) -> T | ToolFailure:
    """The result, or the `ToolFailure` it raised (for parts of a view that may fail alone)."""
    try:
        return await awaitable
    except ToolFailure as failure:
        return failure


async def get_by_ref(
    kube: KubeSession, api_version: str, kind: str, name: str, namespace: str | None
) -> dict[str, Any] | None:
    """One object by apiVersion/kind/name; None when it does not exist."""
    ref: ResourceRef = await resolve(kube, api_version, kind)
    document = await kube.get_or_none(ref.path(namespace if ref.namespaced else None, name))
    if document is not None:
        document.setdefault("kind", ref.kind)
        document.setdefault("apiVersion", ref.api_version)
    return document


async def owner_chain(kube: KubeSession, obj: dict[str, Any], now: Any) -> list[OwnerRef]:
    """The owners of `obj` (ReplicaSet, Deployment, ...) up to the top controller, each with
    its status summary or why it could not be read."""
    chain: list[OwnerRef] = []
    current = obj
    namespace = meta(obj).get("namespace") or ""
    for _ in range(_MAX_OWNERS):
        reference = owner(current)
        if reference is None:
            break
        found = await quietly(
            get_by_ref(
                kube,
                reference.get("apiVersion", "v1"),
                reference.get("kind", ""),
                reference.get("name", ""),
                namespace,
            )
        )
        ref = OwnerRef(
            kind=str(reference.get("kind") or ""),
            name=str(reference.get("name") or ""),
            namespace=namespace,
            api_version=str(reference.get("apiVersion") or "v1"),
        )
        if isinstance(found, ToolFailure):
            chain.append(
                ref.model_copy(update={"problem": f"could not read: {found.error.message}"})
            )
            break
        if found is None:
            chain.append(ref.model_copy(update={"problem": "not found: deleted?"}))
            break
        chain.append(ref.model_copy(update={"summary": status_summary(found, now)}))
        current = found
    return chain


async def exists_text(kube: KubeSession, kind: str, name: str, namespace: str) -> str:
    """`exists`, `MISSING` or why it could not be checked, for a ConfigMap or Secret."""
    found = await quietly(get_by_ref(kube, "v1", kind, name, namespace))
    if isinstance(found, ToolFailure):
        return f"could not check: {found.error.kind}"
    return "exists" if found is not None else "MISSING"


async def pvc_text(kube: KubeSession, name: str, namespace: str) -> str:
    """`Bound to pv, storageClass x` / `Pending, storageClass standard-v2 (StorageClass
    standard-v2 NOT FOUND)` / `MISSING`."""
    claim = await quietly(get_by_ref(kube, "v1", "PersistentVolumeClaim", name, namespace))
    if isinstance(claim, ToolFailure):
        return f"could not check: {claim.error.kind}"
    if claim is None:
        return "MISSING"
    spec, status = claim.get("spec") or {}, claim.get("status") or {}
    text = f"{status.get('phase', '?')}"
    if spec.get("volumeName"):
        text += f", volume {spec['volumeName']}"
    storage = await storage_class_text(kube, spec.get("storageClassName"))
    if status.get("phase") == "Bound" and "NOT FOUND" in storage:
        # A bound claim needed its class only to be provisioned.
        storage = storage.replace("NOT FOUND", "not found now; the claim is already bound")
    return f"{text}, {storage}"


async def storage_class_text(kube: KubeSession, name: str | None) -> str:
    """`storageClass x (exists, provisioner p)` or `storageClass x (StorageClass x NOT FOUND)`."""
    if not name:
        return "no storageClassName (the default StorageClass applies)"
    found = await quietly(get_by_ref(kube, "storage.k8s.io/v1", "StorageClass", name, None))
    if isinstance(found, ToolFailure):
        return f"storageClass {name} (could not check: {found.error.kind})"
    if found is None:
        return f"storageClass {name} (StorageClass {name} NOT FOUND)"
    return f"storageClass {name} (exists, provisioner {found.get('provisioner', '?')})"


async def pod_claims(kube: KubeSession, pod: dict[str, Any]) -> list[dict[str, Any]]:
    """Each DRA claim of a pod: its name in the pod, source, real claim name and state."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    namespace = meta(pod).get("namespace", "")
    generated = {
        s.get("name"): s.get("resourceClaimName") for s in status.get("resourceClaimStatuses") or []
    }
    entries = []
    for claim in spec.get("resourceClaims") or []:
        entry = {
            "name": claim.get("name"),
            "template": claim.get("resourceClaimTemplateName"),
            "claim": claim.get("resourceClaimName") or generated.get(claim.get("name")),
        }
        entries.append(entry)
    found = await asyncio.gather(
        *(
            quietly(get_by_ref(kube, "resource.k8s.io/v1", "ResourceClaim", e["claim"], namespace))
            if e["claim"]
            else _none()
            for e in entries
        )
    )
    for entry, claim in zip(entries, found, strict=True):
        if not entry["claim"]:
            entry["state"] = (
                "ResourceClaim not created yet (from template " + f"{entry['template']})"
            )
        elif isinstance(claim, ToolFailure):
            entry["state"] = f"could not read: {claim.error.message}"
        elif claim is None:
            entry["state"] = "ResourceClaim NOT FOUND"
        else:
            entry["state"] = dra.claim_text(claim)
            entry["facts"] = dra.claim_facts(claim)
    return entries


async def _none() -> None:
    return None
