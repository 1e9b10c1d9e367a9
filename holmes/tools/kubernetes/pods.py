"""Pod facts as text: status, readiness, container states with exit-code meanings, resources,
volumes and scheduling constraints.

Pure functions over a Pod dict, used by `kubernetes_describe`, `kubernetes_list`,
`kubernetes_find` and `kubernetes_node`. Meanings of exit codes and states come from the
reference table (reference/kubernetes.md, section b).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from holmes.tools.facts.exit_codes import exit_meaning
from holmes.tools.facts.pod_status import kubectl_status
from holmes.tools.facts.selectors import LabelSelector
from holmes.tools.facts.text import clip
from holmes.tools.kubernetes.common import ago, parse_time


def statuses(pod: dict[str, Any], init: bool = False) -> list[dict[str, Any]]:
    """The container statuses (or init container statuses) of a pod."""
    key = "initContainerStatuses" if init else "containerStatuses"
    return list((pod.get("status") or {}).get(key) or [])


def containers(pod: dict[str, Any], init: bool = False) -> list[dict[str, Any]]:
    """The containers (or init containers) of a pod's spec."""
    return list((pod.get("spec") or {}).get("initContainers" if init else "containers") or [])


def pod_status(pod: dict[str, Any]) -> str:
    """kubectl's STATUS column, and for a pod the scheduler has not placed the reason, e.g.
    `Pending (Unschedulable)`."""
    shown = kubectl_status(pod)
    if shown == "Pending":
        unscheduled = _condition(pod, "PodScheduled")
        if unscheduled and unscheduled.get("status") == "False":
            return f"Pending ({unscheduled.get('reason') or 'Unschedulable'})"
    return shown


def _condition(pod: dict[str, Any], kind: str) -> dict[str, Any] | None:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == kind), None)


def ready_text(pod: dict[str, Any]) -> str:
    """Ready containers over all containers, e.g. "1/2"."""
    found = statuses(pod)
    total = len(containers(pod)) or len(found)
    return f"{sum(1 for c in found if c.get('ready'))}/{total}"


def restart_text(pod: dict[str, Any], now: datetime) -> str:
    """Total restarts and when the last one happened: "7 (last 2m ago)"."""
    found = statuses(pod)
    total = sum(int(c.get("restartCount") or 0) for c in found)
    finished = [
        parse_time(((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
        for c in found
    ]
    latest = max((f for f in finished if f), default=None)
    return f"{total} (last {ago(latest, now)})" if total and latest else str(total)


def state_text(state: dict[str, Any] | None, now: datetime) -> str:
    """One container state: `waiting CrashLoopBackOff: msg`, `terminated OOMKilled exit 137
    (meaning) at T`, `running since 3h ago`."""
    state = state or {}
    if "waiting" in state:
        waiting = state["waiting"] or {}
        message = f": {clip(waiting['message'], 240)}" if waiting.get("message") else ""
        return f"waiting {waiting.get('reason') or ''}{message}".strip()
    if "terminated" in state:
        done = state["terminated"] or {}
        code = done.get("exitCode")
        finished = parse_time(done.get("finishedAt"))
        text = f"terminated {done.get('reason') or ''} exit code {code} ({exit_meaning(code)})"
        if done.get("signal"):
            text += f" signal {done['signal']}"
        if finished:
            text += (
                f", finished {finished.isoformat().replace('+00:00', 'Z')} ({ago(finished, now)})"
            )
        if done.get("message"):
            text += f"; message: {clip(done['message'], 300)}"
        return " ".join(text.split())
    if "running" in state:
        started = parse_time((state["running"] or {}).get("startedAt"))
        return f"running since {ago(started, now)}" if started else "running"
    return "no state reported"


def container_problem(status: dict[str, Any]) -> str | None:
    """A short problem statement for one container status, or None when it looks fine."""
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated") or {}
    name = status.get("name", "?")
    waiting = state.get("waiting") or {}
    terminated = state.get("terminated") or {}
    if waiting.get("reason") and waiting["reason"] not in ("ContainerCreating", "PodInitializing"):
        problem = f"{name}: {waiting['reason']}"
        if last:
            problem += f", last exit {last.get('exitCode')} ({last.get('reason') or 'Error'})"
        return problem
    if terminated and terminated.get("exitCode", 0) != 0:
        reason = terminated.get("reason") or "Error"
        return f"{name}: terminated {reason} exit {terminated.get('exitCode')}"
    if int(status.get("restartCount") or 0) > 0 and last:
        return (
            f"{name}: {status['restartCount']} restarts, last exit {last.get('exitCode')} "
            f"({last.get('reason') or 'Error'})"
        )
    if not status.get("ready") and "running" in state:
        return f"{name}: running but not ready"
    return None


def pod_problems(pod: dict[str, Any]) -> list[str]:
    """Short problem statements: pod reason/message, unschedulable, container problems."""
    status = pod.get("status") or {}
    problems = []
    if status.get("reason"):
        problems.append(
            f"{status['reason']}: {clip(status.get('message') or '', 160)}".rstrip(": ")
        )
    scheduled = _condition(pod, "PodScheduled")
    if scheduled and scheduled.get("status") == "False":
        problems.append(f"unschedulable: {clip(scheduled.get('message') or '', 200)}")
    for found in statuses(pod, init=True) + statuses(pod):
        problem = container_problem(found)
        if problem:
            problems.append(problem)
    return problems


def resources_text(container: dict[str, Any]) -> str:
    """`requests cpu=500m memory=512Mi; limits memory=1Gi nvidia.com/gpu=1; claims gpus`."""
    resources = container.get("resources") or {}
    parts = []
    for key in ("requests", "limits"):
        values = resources.get(key) or {}
        if values:
            parts.append(f"{key} " + " ".join(f"{k}={v}" for k, v in values.items()))
    claims = resources.get("claims") or []
    if claims:
        names = [
            c.get("name", "") + (f"/{c['request']}" if c.get("request") else "") for c in claims
        ]
        parts.append("DRA claims " + ", ".join(names))
    return "; ".join(parts) or "no requests or limits"


def volume_references(pod: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(kind, name, optional) of the ConfigMaps, Secrets and PVCs the pod mounts or reads."""
    found: dict[tuple[str, str], bool] = {}
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        if volume.get("configMap"):
            ref = volume["configMap"]
            found[("ConfigMap", ref.get("name", ""))] = bool(ref.get("optional"))
        if volume.get("secret"):
            ref = volume["secret"]
            found[("Secret", ref.get("secretName", ""))] = bool(ref.get("optional"))
        if volume.get("persistentVolumeClaim"):
            found[
                ("PersistentVolumeClaim", volume["persistentVolumeClaim"].get("claimName", ""))
            ] = False
        for source in (volume.get("projected") or {}).get("sources") or []:
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                if source.get(key):
                    found[(kind, source[key].get("name", ""))] = bool(source[key].get("optional"))
    for container in containers(pod, init=True) + containers(pod):
        for source in container.get("envFrom") or []:
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if source.get(key):
                    found[(kind, source[key].get("name", ""))] = bool(source[key].get("optional"))
        for env in container.get("env") or []:
            value_from = env.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if value_from.get(key):
                    ref = value_from[key]
                    found.setdefault((kind, ref.get("name", "")), bool(ref.get("optional")))
    return [(kind, name, optional) for (kind, name), optional in found.items() if name]


def scheduling_lines(pod: dict[str, Any]) -> list[str]:
    """Node selector, affinity summary and tolerations (only those that are set)."""
    spec = pod.get("spec") or {}
    lines = []
    if spec.get("nodeSelector"):
        lines.append(
            "nodeSelector: " + ", ".join(f"{k}={v}" for k, v in spec["nodeSelector"].items())
        )
    affinity = spec.get("affinity") or {}
    node_affinity = (affinity.get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in node_affinity.get("nodeSelectorTerms") or []:
        expressions = [
            f"{e.get('key')} {e.get('operator')} {','.join(e.get('values') or [])}".strip()
            for e in (term.get("matchExpressions") or []) + (term.get("matchFields") or [])
        ]
        lines.append("required node affinity: " + " AND ".join(expressions))
    for kind in ("podAffinity", "podAntiAffinity"):
        for term in (affinity.get(kind) or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        ) or []:
            selector = LabelSelector.of(term.get("labelSelector")).text() or "all pods"
            lines.append(f"required {kind} {selector} per {term.get('topologyKey', '?')}")
        if (affinity.get(kind) or {}).get("preferredDuringSchedulingIgnoredDuringExecution"):
            lines.append(f"preferred {kind} set")
    for spread in spec.get("topologySpreadConstraints") or []:
        selector = LabelSelector.of(spread.get("labelSelector")).text() or "all pods"
        lines.append(
            f"topology spread {selector} per {spread.get('topologyKey', '?')} maxSkew "
            f"{spread.get('maxSkew', 1)} {spread.get('whenUnsatisfiable', 'DoNotSchedule')}"
        )
    tolerations = [
        f"{t.get('key', '*')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect', 'any')}"
        for t in spec.get("tolerations") or []
        if not str(t.get("key", "")).startswith("node.kubernetes.io/")
    ]
    if tolerations:
        lines.append("tolerations: " + ", ".join(tolerations))
    return lines
