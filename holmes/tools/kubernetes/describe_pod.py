"""The describe view of a Pod: what `kubectl describe pod` shows, ordered for troubleshooting.

Called by `kubernetes_describe`. Gathers, in parallel, the owner chain, the pod's events, its
DRA claims and whether the ConfigMaps, Secrets and PVCs it references exist; then renders
problems first: status and reason, container states with exit-code meanings, conditions that
are not True, claims, volumes, scheduling constraints, events (Warning first).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from holmes.tools.facts.owners import OwnerRef
from holmes.tools.kubernetes import pods
from holmes.tools.kubernetes.client import KubeSession
from holmes.tools.kubernetes.common import age, conditions_text, full_name, meta
from holmes.tools.kubernetes.events import object_events
from holmes.tools.kubernetes.related import exists_text, owner_chain, pod_claims, pvc_text
from holmes.tools.shaping.events import EventRecord, render_events


async def describe_pod(
    kube: KubeSession, pod: dict[str, Any], now: datetime, max_events: int
) -> tuple[str, dict[str, Any]]:
    """The text view and the structured facts of one pod."""
    namespace = meta(pod).get("namespace", "")
    references = pods.volume_references(pod)
    pull_secrets = [
        ref.get("name", "")
        for ref in (pod.get("spec") or {}).get("imagePullSecrets") or []
        if ref.get("name")
    ]
    chain, events, claims, checks, pull_checks = await asyncio.gather(
        owner_chain(kube, pod, now),
        object_events(kube, "Pod", meta(pod).get("name", ""), namespace, 200),
        pod_claims(kube, pod),
        asyncio.gather(*(_check(kube, kind, name, namespace) for kind, name, _ in references)),
        asyncio.gather(*(_check(kube, "Secret", name, namespace) for name in pull_secrets)),
    )
    if _all_started(pod):
        # A container that started had its ConfigMaps and Secrets then; say so, lest a
        # reference deleted (or not recorded) since look like the cause.
        checks = [
            "not found now (the containers started, so it existed then)" if c == "MISSING" else c
            for c in checks
        ]
    lines = _head(pod, now, chain)
    lines += _containers(pod, now)
    lines += _conditions(pod, now)
    if claims:
        lines.append("DRA resource claims:")
        lines += [
            f"- {c['name']} -> ResourceClaim {c['claim'] or '?'}: {c['state']}" for c in claims
        ]
    if references:
        volumes = [
            f"{kind} {name}{' (optional)' if optional else ''}: {state}"
            for (kind, name, optional), state in zip(references, checks, strict=True)
        ]
        lines.append("references: " + "; ".join(volumes))
    if pull_secrets:
        lines.append(
            "imagePullSecrets: "
            + "; ".join(f"{n}: {c}" for n, c in zip(pull_secrets, pull_checks, strict=True))
        )
    scheduling = pods.scheduling_lines(pod)
    if scheduling:
        lines.append("scheduling: " + "; ".join(scheduling))
    lines += events_section(events, now, max_events)
    data = {
        "kind": "Pod",
        "name": full_name(pod),
        "namespace": namespace,
        "pod": meta(pod).get("name", ""),
        "labels": meta(pod).get("labels") or {},
        "status": pods.pod_status(pod),
        "phase": (pod.get("status") or {}).get("phase"),
        "node": (pod.get("spec") or {}).get("nodeName"),
        "problems": pods.pod_problems(pod),
        "conditions": (pod.get("status") or {}).get("conditions") or [],
        "scheduling": scheduling,
        "owners": [o.text() for o in chain],
        "owner_refs": [o.model_dump() for o in chain],
        "containers": _container_data(pod),
        "claims": claims,
        "references": [
            {"kind": kind, "name": name, "state": state}
            for (kind, name, _), state in zip(references, checks, strict=True)
        ],
        "image_pull_secrets": [
            {"name": name, "state": state}
            for name, state in zip(pull_secrets, pull_checks, strict=True)
        ],
        "service_account": (pod.get("spec") or {}).get("serviceAccountName"),
        "events": [event.model_dump(mode="json") for event in events[:max_events]],
    }
    return "\n".join(lines), data


def _all_started(pod: dict[str, Any]) -> bool:
    found = pods.statuses(pod)
    return bool(found) and all(
        "running" in (s.get("state") or {}) or (s.get("lastState") or {}).get("terminated")
        for s in found
    )


async def _check(kube: KubeSession, kind: str, name: str, namespace: str) -> str:
    if kind == "PersistentVolumeClaim":
        return await pvc_text(kube, name, namespace)
    return await exists_text(kube, kind, name, namespace)


def _head(pod: dict[str, Any], now: datetime, chain: list[OwnerRef]) -> list[str]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    lines = [
        f"Pod {full_name(pod)}: phase {status.get('phase', '?')}, status {pods.pod_status(pod)}, "
        f"ready {pods.ready_text(pod)}, restarts {pods.restart_text(pod, now)}",
        f"node {spec.get('nodeName') or '(not scheduled)'}, IP {status.get('podIP') or '-'}, "
        f"QoS {status.get('qosClass', '?')}, created {age(pod, now)} ago"
        + (f", priorityClass {spec['priorityClassName']}" if spec.get("priorityClassName") else ""),
    ]
    if status.get("message"):
        lines.append(f"message: {status['message']}")
    lines.append(
        "owners: " + (" -> ".join(o.text() for o in chain) if chain else "none (a bare pod)")
    )
    problems = pods.pod_problems(pod)
    if problems:
        lines.append("problems:")
        lines += [f"- {problem}" for problem in problems]
    return lines


def _containers(pod: dict[str, Any], now: datetime) -> list[str]:
    lines = []
    for init in (True, False):
        statuses = {s.get("name"): s for s in pods.statuses(pod, init=init)}
        specs = pods.containers(pod, init=init)
        if specs:
            lines.append("init containers:" if init else "containers:")
        for container in specs:
            lines += _container(container, statuses.get(container.get("name")) or {}, now)
    return lines


def _container(container: dict[str, Any], status: dict[str, Any], now: datetime) -> list[str]:
    name = container.get("name", "?")
    state = pods.state_text(status.get("state"), now) if status else "no status reported yet"
    lines = [
        f"- {name}: {state}; ready {bool(status.get('ready'))}, "
        f"restarts {status.get('restartCount', 0)}; image {container.get('image', '?')}"
    ]
    last = (status.get("lastState") or {}) if status else {}
    if last:
        lines.append(f"    last termination: {pods.state_text(last, now)}")
    lines.append(f"    resources: {pods.resources_text(container)}")
    command = (container.get("command") or []) + (container.get("args") or [])
    if command:
        lines.append("    command: " + " ".join(str(part) for part in command)[:200])
    return lines


def _conditions(pod: dict[str, Any], now: datetime) -> list[str]:
    conditions = conditions_text((pod.get("status") or {}).get("conditions") or [], now)
    return ["conditions: " + "; ".join(conditions)] if conditions else []


def events_section(events: list[EventRecord], now: datetime, limit: int) -> list[str]:
    """`events (N distinct, Warning first):` and one line each, or `events: none found`."""
    if not events:
        return ["events: none found (events expire after about an hour)"]
    warnings = sum(1 for event in events if event.type == "Warning")
    head = f"events ({len(events)} distinct, {warnings} Warning; Warning first):"
    return [head, *render_events(events, now, limit=limit, with_subject=False)]


def _container_data(pod: dict[str, Any]) -> list[dict[str, Any]]:
    statuses = {s.get("name"): s for s in pods.statuses(pod) + pods.statuses(pod, init=True)}
    data = []
    for container in pods.containers(pod, init=True) + pods.containers(pod):
        status = statuses.get(container.get("name")) or {}
        last = (status.get("lastState") or {}).get("terminated") or {}
        init = container in pods.containers(pod, init=True)
        data.append(
            {
                "name": container.get("name"),
                "init": init,
                "image": container.get("image"),
                "ready": status.get("ready"),
                "restart_count": status.get("restartCount", 0),
                "state": status.get("state"),
                "last_exit_code": last.get("exitCode"),
                "last_reason": last.get("reason"),
                "last_message": last.get("message"),
                "last_finished": last.get("finishedAt"),
                "resources": container.get("resources") or {},
                "command": [str(part) for part in container.get("command") or []],
                "args": [str(part) for part in container.get("args") or []],
                "env": [_env(env) for env in container.get("env") or []],
                "env_from": [_env_from(source) for source in container.get("envFrom") or []],
                "probes": {
                    kind: _probe(container[f"{kind}Probe"])
                    for kind in ("liveness", "readiness", "startup")
                    if container.get(f"{kind}Probe")
                },
            }
        )
    return data


def _env(env: dict[str, Any]) -> dict[str, Any]:
    """An env entry: its name, and its literal value or where the value comes from."""
    found: dict[str, Any] = {"name": env.get("name", ""), "value": env.get("value")}
    value_from = env.get("valueFrom") or {}
    for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
        if value_from.get(key):
            ref = value_from[key]
            found["source"] = {
                "kind": kind,
                "name": ref.get("name", ""),
                "key": ref.get("key", ""),
                "optional": bool(ref.get("optional")),
            }
    if value_from.get("fieldRef"):
        found["source"] = {"kind": "field", "name": value_from["fieldRef"].get("fieldPath", "")}
    if value_from.get("resourceFieldRef"):
        found["source"] = {
            "kind": "resource",
            "name": value_from["resourceFieldRef"].get("resource", ""),
        }
    return found


def _env_from(source: dict[str, Any]) -> dict[str, Any]:
    for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
        if source.get(key):
            ref = source[key]
            return {
                "kind": kind,
                "name": ref.get("name", ""),
                "optional": bool(ref.get("optional")),
                "prefix": source.get("prefix", ""),
            }
    return {"kind": "?", "name": "", "optional": False, "prefix": source.get("prefix", "")}


def _probe(probe: dict[str, Any]) -> dict[str, Any]:
    """A probe's handler as one string and its timings with the kubelet's defaults filled in."""
    if probe.get("httpGet"):
        get = probe["httpGet"]
        handler = f"HTTP GET {get.get('path', '/')} on port {get.get('port', '?')}"
    elif probe.get("tcpSocket"):
        handler = f"TCP port {probe['tcpSocket'].get('port', '?')}"
    elif probe.get("grpc"):
        handler = f"gRPC port {probe['grpc'].get('port', '?')}"
    elif probe.get("exec"):
        handler = "exec " + " ".join(str(p) for p in probe["exec"].get("command") or [])
    else:
        handler = "?"
    timings = {
        "initial_delay_seconds": int(probe.get("initialDelaySeconds") or 0),
        "period_seconds": int(probe.get("periodSeconds") or 10),
        "timeout_seconds": int(probe.get("timeoutSeconds") or 1),
        "failure_threshold": int(probe.get("failureThreshold") or 3),
        "success_threshold": int(probe.get("successThreshold") or 1),
    }
    # When the last allowed failure lands if the container never answers: the first probe runs
    # after initialDelaySeconds, then one every periodSeconds until failureThreshold in a row.
    budget = timings["initial_delay_seconds"] + timings["period_seconds"] * (
        timings["failure_threshold"] - 1
    )
    return {"handler": handler, **timings, "budget_seconds": budget}
