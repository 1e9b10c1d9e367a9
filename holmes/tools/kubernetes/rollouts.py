"""`kubernetes_rollout_history`: a workload's recent rollouts and config changes.

Called through the registry by the evidence sweep and the LLM agent. Reads the Deployment, its
ReplicaSets (by its selector, kept when the Deployment owns them) -- or the StatefulSet or
DaemonSet and its ControllerRevisions (their `data` holds the pod template) --, orders them by
revision,
diffs the current pod template against the previous one (`facts.rollouts.template_changes`),
and reads the ConfigMaps the current template mounts or takes env from, with when each last
changed (managedFields), so "what changed in the last hour" has an answer with evidence.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.rollouts import (
    Revision,
    RolloutHistory,
    config_change,
    controller_revision,
    revision,
    revision_of,
    revision_template,
    template_changes,
)
from holmes.tools.kubernetes import pods
from holmes.tools.kubernetes.arguments import Namespace, check_subdomain
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.common import ago, meta, parse_duration, parse_time
from holmes.tools.kubernetes.resources import get_object, list_objects, resolve
from holmes.tools.times import duration_seconds

_MAX_CONFIGMAPS = 6


class RolloutInput(BaseModel):
    """Arguments of kubernetes_rollout_history."""

    namespace: Namespace = Field(description="Namespace of the workload.")
    name: Annotated[str, check_subdomain("workload name")] = Field(description="Workload name.")
    kind: Literal["Deployment", "StatefulSet", "DaemonSet"] = Field(
        "Deployment", description="Deployment (ReplicaSets), StatefulSet or DaemonSet."
    )
    since: str = Field("1h", description="What counts as recent: a duration before now, e.g. 1h.")

    @field_validator("since")
    @classmethod
    def _duration(cls, value: str) -> str:
        duration_seconds(value)  # a ValueError names what is wrong
        return value


class KubernetesRolloutHistory(Tool):
    """A workload's revisions, its last template change and its ConfigMaps' changes."""

    name = "kubernetes_rollout_history"
    toolset = "kubernetes"
    description = (
        "Show a Deployment's, StatefulSet's or DaemonSet's rollout history: its revisions "
        "(ReplicaSets, or ControllerRevisions; age, replicas, images), "
        "when the current revision rolled out and what changed from the previous one (image, "
        "command, args, env, resources per container), and when the ConfigMaps its pods read "
        "last changed; `since` (default 1h) says what counts as recent."
    )
    Input = RolloutInput

    async def run(self, args: RolloutInput, ctx: ToolContext) -> ToolOutput:
        """Read the workload, its revisions and ConfigMaps; diff the last two templates."""
        kube = session(ctx)
        window = parse_duration(args.since).total_seconds()
        child = "ReplicaSet" if args.kind == "Deployment" else "ControllerRevision"
        workload_ref, child_ref = await asyncio.gather(
            resolve(kube, "apps/v1", args.kind), resolve(kube, "apps/v1", child)
        )
        workload = await get_object(kube, workload_ref, args.name, args.namespace)
        workload.setdefault("kind", args.kind)
        owned = await _owned(kube, child_ref, workload, args.kind, ctx)
        history = RolloutHistory(
            namespace=args.namespace, name=args.name, window_seconds=window, kind=args.kind
        )
        history.revisions = _revisions(owned, workload)
        now = ctx.now()
        if owned:
            history.current = history.revisions[0]
            created = parse_time(meta(owned[0]).get("creationTimestamp"))
            if created is not None:
                history.rolled_out_at = history.current.created
                history.seconds_ago = (now - created).total_seconds()
                history.in_window = 0 <= history.seconds_ago <= window
        if len(owned) > 1:
            history.previous = history.revisions[1]
            history.changes = template_changes(
                revision_template(owned[1]), revision_template(owned[0])
            )
        template = (workload.get("spec") or {}).get("template") or {}
        history.configs = await _configs(kube, template, args.namespace, now, window)
        return ToolOutput(data=history.model_dump(), text=_text(history, now))


def _revisions(owned: list[dict[str, Any]], workload: dict[str, Any]) -> list[Revision]:
    if workload.get("kind") == "Deployment":
        return [revision(rs) for rs in owned]
    return [controller_revision(cr, workload, i == 0) for i, cr in enumerate(owned)]


async def _owned(
    kube: KubeSession, ref: Any, workload: dict[str, Any], kind: str, ctx: ToolContext
) -> list[dict[str, Any]]:
    """The workload's ReplicaSets or ControllerRevisions (by its selector, kept when it owns
    them), newest revision first."""
    labels = ((workload.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    namespace = meta(workload).get("namespace")
    items, _ = await list_objects(kube, ref, namespace, selector, limit=ctx.limits.max_items)
    uid, name = meta(workload).get("uid"), meta(workload).get("name")
    owned = [
        item
        for item in items
        if any(
            o.get("kind") == kind and (o.get("uid") == uid or o.get("name") == name)
            for o in meta(item).get("ownerReferences") or []
        )
    ]
    for item in owned:  # list items carry no kind; revision_template reads it
        item.setdefault("kind", "ReplicaSet" if kind == "Deployment" else "ControllerRevision")
    return sorted(owned, key=lambda item: -_number(item))


def _number(item: dict[str, Any]) -> int:
    if item.get("kind") == "ControllerRevision":
        return int(item.get("revision") or 0)
    return revision_of(item)


async def _configs(
    kube: KubeSession, template: dict[str, Any], namespace: str, now: Any, window: float
) -> list[Any]:
    names = [name for kind, name, _ in pods.volume_references(template) if kind == "ConfigMap"]
    names = names[:_MAX_CONFIGMAPS]
    if not names:
        return []
    ref = await resolve(kube, "v1", "ConfigMap")

    async def one(name: str) -> dict[str, Any] | None:
        try:
            return await get_object(kube, ref, name, namespace)
        except ToolFailure as failure:
            if failure.error.kind == "not_found":
                return None
            raise

    found = await asyncio.gather(*(one(name) for name in names))
    return [config_change(n, obj, now, window) for n, obj in zip(names, found, strict=True)]


def _text(history: RolloutHistory, now: Any) -> str:
    head = f"{history.kind} {history.namespace}/{history.name}"
    if history.current is None:
        kept = "ReplicaSets" if history.kind == "Deployment" else "ControllerRevisions"
        return f"{head}: no {kept} found"
    current = history.current
    when = parse_time(current.created)
    recent = " (within the window)" if history.in_window else ""
    lines = [
        f"{head}: revision {current.revision} ({current.replicaset}) rolled out "
        f"{ago(when, now) if when else 'at an unknown time'}{recent}; "
        f"{current.ready}/{current.replicas} ready"
    ]
    if history.previous is not None:
        lines.append(f"changes from revision {history.previous.revision}:")
        lines += [f"- {change.text()}" for change in history.changes] or ["- none in containers"]
    lines.append("revisions:")
    for rev in history.revisions[:6]:
        created = parse_time(rev.created)
        lines.append(
            f"- {rev.revision} {rev.replicaset}: created {ago(created, now) if created else '?'}, "
            f"{rev.ready}/{rev.replicas} ready, images {', '.join(rev.images)}"
        )
    for config in history.configs:
        if not config.exists:
            lines.append(f"ConfigMap {config.name}: does not exist")
            continue
        changed = parse_time(config.changed_at)
        mark = " (within the window)" if config.in_window else ""
        lines.append(
            f"ConfigMap {config.name}: last changed {ago(changed, now) if changed else '?'}"
            f"{mark}, resourceVersion {config.resource_version}"
        )
    return "\n".join(lines)
