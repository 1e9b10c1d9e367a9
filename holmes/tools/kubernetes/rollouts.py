"""`kubernetes_rollout_history`: a Deployment's recent rollouts and config changes.

Called through the registry by the evidence sweep and the LLM agent. Reads the Deployment, its
ReplicaSets (by its selector, kept when the Deployment owns them), orders them by revision,
diffs the current pod template against the previous one (`facts.rollouts.template_changes`),
and reads the ConfigMaps the current template mounts or takes env from, with when each last
changed (managedFields), so "what changed in the last hour" has an answer with evidence.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.rollouts import (
    RolloutHistory,
    config_change,
    revision,
    revision_of,
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

    namespace: Namespace = Field(description="Namespace of the Deployment.")
    name: Annotated[str, check_subdomain("Deployment name")] = Field(description="Deployment name.")
    since: str = Field("1h", description="What counts as recent: a duration before now, e.g. 1h.")

    @field_validator("since")
    @classmethod
    def _duration(cls, value: str) -> str:
        duration_seconds(value)  # a ValueError names what is wrong
        return value


class KubernetesRolloutHistory(Tool):
    """A Deployment's revisions, its last template change and its ConfigMaps' changes."""

    name = "kubernetes_rollout_history"
    toolset = "kubernetes"
    description = (
        "Show a Deployment's rollout history: its ReplicaSet revisions (age, replicas, images), "
        "when the current revision rolled out and what changed from the previous one (image, "
        "command, args, env, resources per container), and when the ConfigMaps its pods read "
        "last changed; `since` (default 1h) says what counts as recent."
    )
    Input = RolloutInput

    async def run(self, args: RolloutInput, ctx: ToolContext) -> ToolOutput:
        """Read the Deployment, its ReplicaSets and ConfigMaps; diff the last two templates."""
        kube = session(ctx)
        window = parse_duration(args.since).total_seconds()
        deployment_ref, rs_ref = await asyncio.gather(
            resolve(kube, "apps/v1", "Deployment"), resolve(kube, "apps/v1", "ReplicaSet")
        )
        deployment = await get_object(kube, deployment_ref, args.name, args.namespace)
        owned = await _replicasets(kube, rs_ref, deployment, ctx)
        history = RolloutHistory(namespace=args.namespace, name=args.name, window_seconds=window)
        history.revisions = [revision(rs) for rs in owned]
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
                (owned[1].get("spec") or {}).get("template") or {},
                (owned[0].get("spec") or {}).get("template") or {},
            )
        template = (deployment.get("spec") or {}).get("template") or {}
        history.configs = await _configs(kube, template, args.namespace, now, window)
        return ToolOutput(data=history.model_dump(), text=_text(history, now))


async def _replicasets(
    kube: KubeSession, ref: Any, deployment: dict[str, Any], ctx: ToolContext
) -> list[dict[str, Any]]:
    """The Deployment's ReplicaSets, newest revision first."""
    labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    namespace = meta(deployment).get("namespace")
    items, _ = await list_objects(kube, ref, namespace, selector, limit=ctx.limits.max_items)
    uid, name = meta(deployment).get("uid"), meta(deployment).get("name")
    owned = [
        rs
        for rs in items
        if any(
            o.get("kind") == "Deployment" and (o.get("uid") == uid or o.get("name") == name)
            for o in meta(rs).get("ownerReferences") or []
        )
    ]
    return sorted(owned, key=lambda rs: -revision_of(rs))


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
    head = f"Deployment {history.namespace}/{history.name}"
    if history.current is None:
        return f"{head}: no ReplicaSets found"
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
