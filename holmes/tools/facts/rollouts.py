"""Rollouts as typed facts: a Deployment's ReplicaSet revisions (a StatefulSet's or DaemonSet's
ControllerRevisions), what changed between the current and the previous pod template (images,
commands, args, env, resources), and when the ConfigMaps its pods read last changed.

Built by the `kubernetes_rollout_history` tool and read by the evidence sweep; pure functions
over API objects. Times are compared with the investigation's `now`, passed in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from holmes.tools.shaping.events import parse_time

REVISION = "deployment.kubernetes.io/revision"
_MAX_VALUE = 160


class Revision(BaseModel):
    """One ReplicaSet of a Deployment (ControllerRevision of a StatefulSet or DaemonSet): its
    revision, age and replicas."""

    revision: int
    replicaset: str  # the ReplicaSet's name, or the ControllerRevision's
    created: str | None = None
    replicas: int = 0
    ready: int = 0
    images: list[str] = []


class TemplateChange(BaseModel):
    """One field of one container that differs between two pod templates."""

    container: str
    field: str  # image, command, args, env NAME, envFrom, resources, container
    before: str
    after: str

    def text(self) -> str:
        """`container api: env DB_HOST db-primary -> db-replica`."""
        return f"container {self.container}: {self.field} {self.before or '(none)'} -> " + (
            self.after or "(none)"
        )


class ConfigChange(BaseModel):
    """A ConfigMap the pods read and when it last changed (managedFields, else creation)."""

    name: str
    changed_at: str | None = None
    seconds_ago: float | None = None
    in_window: bool = False
    resource_version: str = ""
    exists: bool = True


class RolloutHistory(BaseModel):
    """A Deployment's rollout history, the last change of its template and of its config."""

    namespace: str
    name: str
    window_seconds: float
    kind: str = "Deployment"  # or StatefulSet, DaemonSet
    current: Revision | None = None
    previous: Revision | None = None
    rolled_out_at: str | None = None
    seconds_ago: float | None = None
    in_window: bool = False
    changes: list[TemplateChange] = []
    configs: list[ConfigChange] = []
    revisions: list[Revision] = []


def revision_of(replicaset: dict[str, Any]) -> int:
    """The revision a ReplicaSet's annotation gives (0 when missing or unreadable)."""
    annotations = (replicaset.get("metadata") or {}).get("annotations") or {}
    try:
        return int(annotations.get(REVISION) or 0)
    except ValueError:
        return 0


def revision(replicaset: dict[str, Any]) -> Revision:
    """The `Revision` of a ReplicaSet object."""
    metadata, status = replicaset.get("metadata") or {}, replicaset.get("status") or {}
    spec = ((replicaset.get("spec") or {}).get("template") or {}).get("spec") or {}
    return Revision(
        revision=revision_of(replicaset),
        replicaset=str(metadata.get("name") or ""),
        created=metadata.get("creationTimestamp"),
        replicas=int(status.get("replicas") or 0),
        ready=int(status.get("readyReplicas") or 0),
        images=[str(c.get("image") or "") for c in spec.get("containers") or []],
    )


def revision_template(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod template a revision holds: a ReplicaSet's `spec.template`, or a
    ControllerRevision's `data.spec.template` (the patch a StatefulSet or DaemonSet applies)."""
    holder = obj.get("data") if obj.get("kind") == "ControllerRevision" else obj
    return ((holder or {}).get("spec") or {}).get("template") or {}


def controller_revision(obj: dict[str, Any], workload: dict[str, Any], newest: bool) -> Revision:
    """The `Revision` of a ControllerRevision of `workload` (a StatefulSet or DaemonSet).

    Replicas come from the workload's status: a StatefulSet counts the pods at its
    updateRevision and currentRevision; a DaemonSet the pods updated to its newest template (the
    others run an older one). The workload's ready count is shown on the newest revision only,
    since the status does not split it by revision."""
    metadata, status = obj.get("metadata") or {}, workload.get("status") or {}
    name = str(metadata.get("name") or "")
    if workload.get("kind") == "DaemonSet":
        updated = int(status.get("updatedNumberScheduled") or 0)
        replicas = updated if newest else int(status.get("currentNumberScheduled") or 0) - updated
        ready = status.get("numberReady")
    else:
        counts = {
            status.get("currentRevision"): status.get("currentReplicas"),
            status.get("updateRevision"): status.get("updatedReplicas"),
        }
        replicas, ready = int(counts.get(name) or 0), status.get("readyReplicas")
    spec = revision_template(obj).get("spec") or {}
    return Revision(
        revision=int(obj.get("revision") or 0),
        replicaset=name,
        created=metadata.get("creationTimestamp"),
        replicas=max(0, replicas),
        ready=min(int(ready or 0), max(0, replicas)) if newest else 0,
        images=[str(c.get("image") or "") for c in spec.get("containers") or []],
    )


def _env(container: dict[str, Any]) -> dict[str, str]:
    values = {}
    for env in container.get("env") or []:
        if "value" in env:
            values[env.get("name", "")] = str(env.get("value"))
        else:
            source = env.get("valueFrom") or {}
            kind, ref = next(iter(source.items()), ("", {}))
            values[env.get("name", "")] = f"<{kind} {ref.get('name', '')}/{ref.get('key', '')}>"
    return values


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else " ".join(map(str, value or []))
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def _resources(container: dict[str, Any]) -> str:
    resources = container.get("resources") or {}
    parts = []
    for which in ("requests", "limits"):
        amounts = resources.get(which) or {}
        if amounts:
            shown = " ".join(f"{k}={v}" for k, v in sorted(amounts.items()))
            parts.append(f"{which} {shown}")
    return "; ".join(parts)


def template_changes(before: dict[str, Any], after: dict[str, Any]) -> list[TemplateChange]:
    """What differs between two pod templates (`spec.template`), container by container."""
    old = {c.get("name", ""): c for c in ((before.get("spec") or {}).get("containers") or [])}
    new = {c.get("name", ""): c for c in ((after.get("spec") or {}).get("containers") or [])}
    changes: list[TemplateChange] = []
    for name in [*new, *(n for n in old if n not in new)]:
        if name not in old or name not in new:
            changes.append(
                TemplateChange(
                    container=name,
                    field="container",
                    before="present" if name in old else "",
                    after="present" if name in new else "",
                )
            )
            continue
        a, b = old[name], new[name]
        for field in ("image", "command", "args"):
            if (a.get(field) or None) != (b.get(field) or None):
                changes.append(
                    TemplateChange(
                        container=name,
                        field=field,
                        before=_short(a.get(field) or ""),
                        after=_short(b.get(field) or ""),
                    )
                )
        env_a, env_b = _env(a), _env(b)
        for key in [*env_b, *(k for k in env_a if k not in env_b)]:
            if env_a.get(key) != env_b.get(key):
                changes.append(
                    TemplateChange(
                        container=name,
                        field=f"env {key}",
                        before=_short(env_a.get(key, "")),
                        after=_short(env_b.get(key, "")),
                    )
                )
        if (a.get("envFrom") or []) != (b.get("envFrom") or []):
            changes.append(
                TemplateChange(
                    container=name,
                    field="envFrom",
                    before=_short(str(a.get("envFrom") or "")),
                    after=_short(str(b.get("envFrom") or "")),
                )
            )
        if _resources(a) != _resources(b):
            changes.append(
                TemplateChange(
                    container=name, field="resources", before=_resources(a), after=_resources(b)
                )
            )
    return changes


def last_change(obj: dict[str, Any]) -> datetime | None:
    """When an object was last written: the latest managedFields time, else its creation."""
    metadata = obj.get("metadata") or {}
    times = [parse_time(entry.get("time")) for entry in metadata.get("managedFields") or []]
    times.append(parse_time(metadata.get("creationTimestamp")))
    known = [t for t in times if t is not None]
    return max(known) if known else None


def config_change(
    name: str, obj: dict[str, Any] | None, now: datetime, window: float
) -> ConfigChange:
    """When ConfigMap `name` (`obj`, None when it does not exist) last changed."""
    if obj is None:
        return ConfigChange(name=name, exists=False)
    changed = last_change(obj)
    ago = (now - changed).total_seconds() if changed else None
    return ConfigChange(
        name=name,
        changed_at=changed.isoformat().replace("+00:00", "Z") if changed else None,
        seconds_ago=ago,
        in_window=ago is not None and 0 <= ago <= window,
        resource_version=str((obj.get("metadata") or {}).get("resourceVersion") or ""),
    )
