"""Server-side printing: `meta.k8s.io/v1` Table answers for `kubectl get`.

Called by `kubernetes_router` when a client's Accept header asks for `as=Table` (kubectl get
does). Columns follow kube-apiserver's printers for the kinds a troubleshooter looks at first
(Pod, Event, Node, Deployment, ResourceClaim); any other kind gets Name and Age. Ages are
counted to the incident's time, the replay's "now", not to the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from holmes.evals.bundle import parse_rfc3339
from holmes.tools.facts.pod_status import kubectl_status

Row = list[Any]


class TableRequest(BaseModel):
    """What the client asked of the table: `includeObject` = None, Metadata or Object."""

    include_object: str = "Metadata"


def wants_table(accept: str) -> bool:
    """Whether the Accept header asks for a `meta.k8s.io` Table (kubectl get sends it first)."""
    for media_type in accept.split(","):
        params = {
            key.strip(): value.strip()
            for key, _, value in (p.partition("=") for p in media_type.split(";")[1:])
        }
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io":
            return True
    return False


def human_age(timestamp: str | None, now: datetime) -> str:
    """kubectl's HumanDuration of `now - timestamp`, or `<unknown>` without a timestamp."""
    if not timestamp:
        return "<unknown>"
    try:
        seconds = int((now - parse_rfc3339(timestamp)).total_seconds())
    except ValueError:
        return "<unknown>"
    if seconds < -1:
        return "<invalid>"
    if seconds < 120:
        return f"{max(seconds, 0)}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    if hours < 24 * 365 * 8:
        return f"{days // 365}y{days % 365}d" if days % 365 else f"{days // 365}y"
    return f"{days // 365}y"


def _condition(status: dict[str, Any], kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True" for c in status.get("conditions") or []
    )


def _pod_row(pod: dict[str, Any], now: datetime) -> Row:
    status, spec = pod.get("status") or {}, pod.get("spec") or {}
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    restarts = sum(int(c.get("restartCount") or 0) for c in statuses)
    finished = [
        ((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt") for c in statuses
    ]
    last = max((f for f in finished if f), default=None)
    restart_text = (
        f"{restarts} ({human_age(last, now)} ago)" if restarts and last else str(restarts)
    )
    gates = spec.get("readinessGates") or []
    return [
        f"{ready}/{len(spec.get('containers') or [])}",
        kubectl_status(pod),
        restart_text,
        human_age(pod["metadata"].get("creationTimestamp"), now),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        f"{sum(_condition(status, g.get('conditionType', '')) for g in gates)}/{len(gates)}"
        if gates
        else "<none>",
    ]


def _event_row(event: dict[str, Any], now: datetime) -> Row:
    ref = event.get("involvedObject") or event.get("regarding") or {}
    series = event.get("series") or {}
    last = (
        event.get("lastTimestamp")
        or event.get("deprecatedLastTimestamp")
        or series.get("lastObservedTime")
        or event.get("eventTime")
    )
    target = f"{ref.get('kind', '').lower()}/{ref.get('name', '')}"
    source = event.get("source") or event.get("deprecatedSource") or {}
    return [
        human_age(last, now),
        event.get("type", ""),
        event.get("reason", ""),
        target,
        event.get("message", event.get("note", "")),
        ref.get("fieldPath", ""),
        source.get("component") or event.get("reportingController", ""),
        human_age(event.get("firstTimestamp") or event.get("eventTime"), now),
        int(event.get("count") or event.get("deprecatedCount") or series.get("count") or 1),
        event["metadata"]["name"],
    ]


def _node_row(node: dict[str, Any], now: datetime) -> Row:
    status = node.get("status") or {}
    ready = next(
        (c.get("status") for c in status.get("conditions") or [] if c.get("type") == "Ready"), None
    )
    state = {"True": "Ready", "False": "NotReady"}.get(ready or "", "Unknown")
    if (node.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    roles = sorted(
        key.split("/", 1)[1]
        for key in node["metadata"].get("labels") or {}
        if key.startswith("node-role.kubernetes.io/") and "/" in key
    )
    return [
        state,
        ",".join(roles) or "<none>",
        human_age(node["metadata"].get("creationTimestamp"), now),
        (status.get("nodeInfo") or {}).get("kubeletVersion", ""),
    ]


def _deployment_row(deployment: dict[str, Any], now: datetime) -> Row:
    status = deployment.get("status") or {}
    desired = (deployment.get("spec") or {}).get("replicas", 1)
    return [
        f"{status.get('readyReplicas', 0)}/{desired}",
        status.get("updatedReplicas", 0),
        status.get("availableReplicas", 0),
        human_age(deployment["metadata"].get("creationTimestamp"), now),
    ]


def _claim_row(claim: dict[str, Any], now: datetime) -> Row:
    status = claim.get("status") or {}
    states = []
    if claim["metadata"].get("deletionTimestamp"):
        states.append("deleted")
    states.append("allocated" if status.get("allocation") else "pending")
    if status.get("reservedFor"):
        states.append("reserved")
    return [",".join(states), human_age(claim["metadata"].get("creationTimestamp"), now)]


def _generic_row(obj: dict[str, Any], now: datetime) -> Row:
    return [human_age(obj["metadata"].get("creationTimestamp"), now)]


# (column name, type, priority): priority 1 columns appear with `-o wide` only.
_Columns = list[tuple[str, str, int]]
_PRINTERS: dict[tuple[str, str], tuple[_Columns, Callable[[dict[str, Any], datetime], Row]]] = {
    ("v1", "Pod"): (
        [
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
            ("Nominated Node", "string", 1),
            ("Readiness Gates", "string", 1),
        ],
        _pod_row,
    ),
    ("v1", "Node"): (
        [
            ("Status", "string", 0),
            ("Roles", "string", 0),
            ("Age", "string", 0),
            ("Version", "string", 0),
        ],
        _node_row,
    ),
    ("apps/v1", "Deployment"): (
        [
            ("Ready", "string", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Age", "string", 0),
        ],
        _deployment_row,
    ),
}
# kubectl prints a claim's state in every served DRA version.
for _dra_version in ("v1", "v1beta2", "v1beta1"):
    _PRINTERS[(f"resource.k8s.io/{_dra_version}", "ResourceClaim")] = (
        [("State", "string", 0), ("Age", "string", 0)],
        _claim_row,
    )
_EVENT_PRINTER = (
    [
        ("Last Seen", "string", 0),
        ("Type", "string", 0),
        ("Reason", "string", 0),
        ("Object", "string", 0),
        ("Message", "string", 0),
        ("Subobject", "string", 1),
        ("Source", "string", 1),
        ("First Seen", "string", 1),
        ("Count", "integer", 1),
        ("Name", "string", 1),
    ],
    _event_row,
)


def to_table(
    key: tuple[str, str], objects: list[dict[str, Any]], request: TableRequest, now: datetime
) -> dict[str, Any]:
    """A Table of objects of one (apiVersion, kind); the caller adds list metadata."""
    if key[1] == "Event":
        columns, printer = _EVENT_PRINTER
    else:
        columns, printer = _PRINTERS.get(key, ([("Age", "string", 0)], _generic_row))
    definitions = [
        {"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0}
    ]
    definitions += [
        {"name": name, "type": kind, "format": "", "description": name, "priority": priority}
        for name, kind, priority in columns
    ]
    if key[1] == "Event":
        definitions.pop(0)  # events print Last Seen first; their name is a wide column
    rows = []
    for obj in objects:
        cells = printer(obj, now)
        row: dict[str, Any] = {
            "cells": cells if key[1] == "Event" else [obj["metadata"]["name"], *cells]
        }
        if request.include_object == "Object":
            row["object"] = obj
        elif request.include_object != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj["metadata"],
            }
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": definitions,
        "rows": rows,
    }
