"""Which pods an object concerns: those mounting a ConfigMap, Secret or PVC, running as a
ServiceAccount (directly, or through a RoleBinding or the bindings of a Role), selected by a
NetworkPolicy, owned by a custom resource; and an HPA's scale target.

Called by `kubernetes_describe` for those kinds, so a question naming a ConfigMap or a Role
reaches the pods that fail because of it. Reads the namespace's pods (specs, never Secret
data) and, for a Role, its RoleBindings; pure matching otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from holmes.tools.base import ToolFailure
from holmes.tools.facts.selectors import LabelSelector, SelectorError
from holmes.tools.kubernetes.client import KubeSession
from holmes.tools.kubernetes.common import meta
from holmes.tools.kubernetes.related import quietly
from holmes.tools.kubernetes.resources import list_objects, resolve

# Kinds whose pods this module finds; any other kind is matched by owner reference.
USED_BY_PODS = frozenset(
    {
        "ConfigMap",
        "Secret",
        "PersistentVolumeClaim",
        "ServiceAccount",
        "RoleBinding",
        "Role",
        "NetworkPolicy",
    }
)
_MAX_SHOWN = 8


def concerns_pods(obj: dict[str, Any]) -> bool:
    """Whether `pods_using` applies: a namespaced kind of `USED_BY_PODS`, or a namespaced
    custom resource (a group outside Kubernetes' own `*.k8s.io` and the core ones)."""
    if not meta(obj).get("namespace"):
        return False
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    custom = "." in group and not group.endswith(".k8s.io")
    return obj.get("kind") in USED_BY_PODS or custom


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def _config_uses(spec: dict[str, Any], kind: str, name: str) -> list[str]:
    """How a pod spec uses a ConfigMap or Secret `name`: volumes, envFrom, env keys."""
    volume_key, ref_key, env_key, name_field = (
        ("configMap", "configMapRef", "configMapKeyRef", "name")
        if kind == "ConfigMap"
        else ("secret", "secretRef", "secretKeyRef", "secretName")
    )
    uses = []
    for volume in spec.get("volumes") or []:
        if (volume.get(volume_key) or {}).get(name_field) == name:
            uses.append(f"volume {volume.get('name')}")
        for source in (volume.get("projected") or {}).get("sources") or []:
            if (source.get(volume_key) or {}).get("name") == name:
                uses.append(f"projected volume {volume.get('name')}")
    for container in _containers(spec):
        for source in container.get("envFrom") or []:
            if (source.get(ref_key) or {}).get("name") == name:
                uses.append(f"envFrom in container {container.get('name')}")
        for env in container.get("env") or []:
            if ((env.get("valueFrom") or {}).get(env_key) or {}).get("name") == name:
                uses.append(f"env {env.get('name')} in container {container.get('name')}")
    if kind == "Secret" and any(s.get("name") == name for s in spec.get("imagePullSecrets") or []):
        uses.append("imagePullSecrets")
    return uses


def _claim_uses(spec: dict[str, Any], name: str) -> list[str]:
    return [
        f"volume {v.get('name')}"
        for v in spec.get("volumes") or []
        if (v.get("persistentVolumeClaim") or {}).get("claimName") == name
    ]


def _account(spec: dict[str, Any]) -> str:
    return spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"


def _bound_accounts(binding: dict[str, Any]) -> set[str]:
    """The ServiceAccounts of the binding's own namespace that a RoleBinding names."""
    namespace = meta(binding).get("namespace")
    return {
        subject.get("name", "")
        for subject in binding.get("subjects") or []
        if subject.get("kind") == "ServiceAccount"
        and (subject.get("namespace") or namespace) == namespace
    }


async def _role_bindings(kube: KubeSession, role: dict[str, Any], limit: int) -> list[dict]:
    ref = await resolve(kube, "rbac.authorization.k8s.io/v1", "RoleBinding")
    bindings, _ = await list_objects(kube, ref, meta(role).get("namespace"), limit=limit)
    name = meta(role).get("name")
    return [
        b
        for b in bindings
        if (b.get("roleRef") or {}).get("kind") == "Role"
        and (b.get("roleRef") or {}).get("name") == name
    ]


async def _matcher(
    kube: KubeSession, obj: dict[str, Any], limit: int
) -> tuple[Callable[[dict[str, Any]], list[str]], list[str]]:
    """A function from a pod to how it uses `obj` ([] when it does not), and lines to show."""
    kind, name = obj.get("kind", ""), meta(obj).get("name", "")
    if kind in ("ConfigMap", "Secret"):
        return lambda pod: _config_uses(pod.get("spec") or {}, kind, name), []
    if kind == "PersistentVolumeClaim":
        return lambda pod: _claim_uses(pod.get("spec") or {}, name), []
    if kind == "ServiceAccount":
        return (
            lambda pod: ["serviceAccountName"] if _account(pod.get("spec") or {}) == name else [],
            [],
        )
    if kind in ("RoleBinding", "Role"):
        bindings = [obj] if kind == "RoleBinding" else await _role_bindings(kube, obj, limit)
        accounts = set().union(*(_bound_accounts(b) for b in bindings)) if bindings else set()
        lines = (
            [f"bound by RoleBinding(s): {', '.join(meta(b).get('name', '') for b in bindings)}"]
            if kind == "Role"
            else []
        )
        lines.append(f"ServiceAccounts bound: {', '.join(sorted(accounts)) or 'none'}")

        def by_account(pod: dict[str, Any]) -> list[str]:
            account = _account(pod.get("spec") or {})
            return [f"runs as ServiceAccount {account}"] if account in accounts else []

        return by_account, lines
    if kind == "NetworkPolicy":
        try:
            selector = LabelSelector.of((obj.get("spec") or {}).get("podSelector") or {})
        except SelectorError as error:
            return lambda pod: [], [f"podSelector unreadable: {error}"]
        text = selector.text() or "(every pod)"
        return lambda pod: ["selected"] if selector.matches(meta(pod).get("labels")) else [], [
            f"podSelector {text}"
        ]
    owners = await _owned_uids(kube, obj, limit)
    return lambda pod: [
        "owned" for o in meta(pod).get("ownerReferences") or [] if o.get("uid") in owners
    ], []


# The workload kinds a custom resource's controller creates its pods through (a KServe
# InferenceService owns a Deployment, which owns ReplicaSets, which own the pods).
_INTERMEDIATE = (
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "StatefulSet"),
    ("batch/v1", "Job"),
)


async def _owned_uids(kube: KubeSession, obj: dict[str, Any], limit: int) -> set[str]:
    """The uid of `obj` and of the namespace's workloads it owns, directly or through others."""
    uid = meta(obj).get("uid")
    if not uid:
        return set()
    namespace = meta(obj).get("namespace")
    refs = [await resolve(kube, version, kind) for version, kind in _INTERMEDIATE]
    listed = await asyncio.gather(
        *(quietly(list_objects(kube, ref, namespace, limit=limit)) for ref in refs)
    )
    workloads = [o for found in listed if not isinstance(found, ToolFailure) for o in found[0]]
    owned = {uid}
    grew = True
    while grew:  # owners before the owned: a Deployment's uid joins before its ReplicaSets'
        grew = False
        for workload in workloads:
            mine = meta(workload).get("uid")
            parents = {o.get("uid") for o in meta(workload).get("ownerReferences") or []}
            if mine and mine not in owned and parents & owned:
                owned.add(mine)
                grew = True
    return owned


async def pods_using(
    kube: KubeSession, obj: dict[str, Any], limit: int
) -> tuple[list[str], dict[str, Any]]:
    """Lines naming the pods `obj` concerns, and `used_by` facts: pod -> how it uses it."""
    matcher, lines = await _matcher(kube, obj, limit)
    pod_ref = await resolve(kube, "v1", "Pod")
    listed = await quietly(list_objects(kube, pod_ref, meta(obj).get("namespace"), limit=limit))
    if isinstance(listed, ToolFailure):
        return [*lines, f"pods using it: could not list pods ({listed.error.message})"], {}
    used = {meta(pod).get("name", ""): uses for pod in listed[0] if (uses := matcher(pod))}
    shown = [f"{pod} ({', '.join(uses)})" for pod, uses in list(used.items())[:_MAX_SHOWN]]
    more = f" and {len(used) - _MAX_SHOWN} more" if len(used) > _MAX_SHOWN else ""
    lines.append(f"pods using it: {'; '.join(shown) + more if shown else 'none'}")
    return lines, {"used_by_pods": used}


def scale_target(hpa: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """An HPA's target and replica bounds, and its current/desired replicas."""
    spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
    target = spec.get("scaleTargetRef") or {}
    line = (
        f"scale target {target.get('kind', '?')} {target.get('name', '?')}, replicas "
        f"{spec.get('minReplicas', 1)}..{spec.get('maxReplicas', '?')}, current "
        f"{status.get('currentReplicas', '?')}, desired {status.get('desiredReplicas', '?')}"
    )
    facts = {
        "scale_target": {
            "kind": target.get("kind"),
            "name": target.get("name"),
            "api_version": target.get("apiVersion"),
        }
    }
    return [line], facts
