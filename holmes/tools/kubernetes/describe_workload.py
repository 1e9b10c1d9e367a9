"""The describe view of a workload: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob.

Called by `kubernetes_describe`. Shows replicas (desired/ready/updated/available) or job
progress, conditions that are not healthy, the owner chain, the pod template's containers and
resources, the workload's events, and its pods (problems first) with the Warning events of the
pods that have problems. A CronJob's pods are those of the Jobs it owns.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from holmes.tools.facts.selectors import LabelSelector
from holmes.tools.kubernetes import pods
from holmes.tools.kubernetes.client import KubeSession
from holmes.tools.kubernetes.common import (
    age,
    conditions_text,
    full_name,
    meta,
)
from holmes.tools.kubernetes.describe_pod import events_section
from holmes.tools.kubernetes.events import object_events
from holmes.tools.kubernetes.related import owner_chain
from holmes.tools.kubernetes.resources import list_objects, resolve
from holmes.tools.kubernetes.summaries import status_summary
from holmes.tools.shaping.events import render_events

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")
_MAX_POD_EVENTS = 3  # pods whose Warning events are shown


async def describe_workload(
    kube: KubeSession, obj: dict[str, Any], now: datetime, max_items: int, max_events: int
) -> tuple[str, dict[str, Any]]:
    """The text view and the structured facts of one workload."""
    kind, name = obj.get("kind", ""), meta(obj).get("name", "")
    namespace = meta(obj).get("namespace", "")
    chain, events, workload_pods = await asyncio.gather(
        owner_chain(kube, obj, now),
        object_events(kube, kind, name, namespace, max_items),
        _pods_of(kube, obj, max_items),
    )
    workload_pods.sort(key=lambda pod: (not pods.pod_problems(pod), full_name(pod)))
    troubled = [pod for pod in workload_pods if pods.pod_problems(pod)]
    pod_events = await asyncio.gather(
        *(
            object_events(kube, "Pod", meta(pod)["name"], namespace, max_items)
            for pod in troubled[:_MAX_POD_EVENTS]
        )
    )
    lines = [
        f"{kind} {full_name(obj)}: {status_summary(obj, now)}; created {age(obj, now)} ago",
        "owners: " + (" -> ".join(o.text() for o in chain) if chain else "none (top-level)"),
    ]
    conditions = conditions_text(
        (obj.get("status") or {}).get("conditions") or [], now, {"ReplicaFailure": "False"}
    )
    if conditions:
        lines.append("conditions: " + "; ".join(conditions))
    lines += _template(obj)
    lines += events_section(events, now, max_events)
    lines.append(f"pods ({len(workload_pods)}, {len(troubled)} with problems; problems first):")
    for pod in workload_pods:
        problems = "; ".join(pods.pod_problems(pod))
        text = (
            f"- {full_name(pod)}: {pods.pod_status(pod)}, ready {pods.ready_text(pod)}, "
            f"restarts {pods.restart_text(pod, now)}, node "
            f"{(pod.get('spec') or {}).get('nodeName') or '(not scheduled)'}"
        )
        lines.append(f"{text}; {problems}" if problems else text)
    for pod, found in zip(troubled, pod_events, strict=False):
        warnings = [event for event in found if event.type == "Warning"]
        if warnings:
            lines.append(f"Warning events of pod {full_name(pod)}:")
            lines += render_events(warnings, now, limit=5, with_subject=False)
    data = {
        "kind": kind,
        "name": full_name(obj),
        "summary": status_summary(obj, now),
        "owners": [o.text() for o in chain],
        "owner_refs": [o.model_dump() for o in chain],
        "conditions": (obj.get("status") or {}).get("conditions") or [],
        "pods": [
            {"name": full_name(p), "status": pods.pod_status(p), "problems": pods.pod_problems(p)}
            for p in workload_pods
        ],
        "events": [event.model_dump(mode="json") for event in events[:max_events]],
    }
    return "\n".join(lines), data


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return ((spec.get("template") or {}).get("spec")) or {}


def _template(obj: dict[str, Any]) -> list[str]:
    lines = []
    for container in _pod_spec(obj).get("containers") or []:
        lines.append(
            f"template container {container.get('name')}: image {container.get('image')}; "
            f"{pods.resources_text(container)}"
        )
    return lines


async def _pods_of(kube: KubeSession, obj: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """The workload's pods, by its selector (a Job without one: by job-name; a CronJob: through
    the Jobs it owns)."""
    namespace = meta(obj).get("namespace")
    pod_ref = await resolve(kube, "v1", "Pod")
    if obj.get("kind") == "CronJob":
        job_ref = await resolve(kube, "batch/v1", "Job")
        jobs, _ = await list_objects(kube, job_ref, namespace, limit=limit)
        uid = meta(obj).get("uid")
        names = [
            meta(job)["name"]
            for job in jobs
            if any(
                o.get("uid") == uid or o.get("name") == meta(obj).get("name")
                for o in meta(job).get("ownerReferences") or []
            )
        ]
        if not names:
            return []
        selector = f"job-name in ({','.join(names)})"
    else:
        selector = LabelSelector.of((obj.get("spec") or {}).get("selector")).query()
        if not selector and obj.get("kind") == "Job":
            selector = f"job-name={meta(obj).get('name')}"
    if not selector:
        return []
    items, _ = await list_objects(kube, pod_ref, namespace, label_selector=selector, limit=limit)
    return items
