"""Convert Events between core `v1` and `events.k8s.io/v1`, as kube-apiserver serves both.

Called by `kubernetes_store`: the API server keeps one Event object and serves it in either
form, so a bundle that recorded only one form must answer under both paths. Field mapping
(reference/kubernetes.md): regarding <-> involvedObject, note <-> message, deprecatedSource <->
source, deprecatedCount / deprecatedFirstTimestamp / deprecatedLastTimestamp <-> count /
firstTimestamp / lastTimestamp, reportingController <-> reportingComponent (falling back to
source.component, which is where old-style recorders put it).
"""

from __future__ import annotations

import copy
from typing import Any

# Fields with the same name and meaning in both forms.
_SHARED = (
    "metadata",
    "reason",
    "type",
    "action",
    "related",
    "reportingInstance",
    "series",
    "eventTime",
)


def to_events_v1(event: dict[str, Any]) -> dict[str, Any]:
    """An `events.k8s.io/v1` Event with the content of a core `v1` Event."""
    core = copy.deepcopy(event)
    out: dict[str, Any] = {"apiVersion": "events.k8s.io/v1", "kind": "Event"}
    out.update({key: core[key] for key in _SHARED if core.get(key) is not None})
    source = core.get("source") or {}
    if core.get("involvedObject"):
        out["regarding"] = core["involvedObject"]
    if core.get("message") is not None:
        out["note"] = core["message"]
    controller = core.get("reportingComponent") or source.get("component")
    if controller:
        out["reportingController"] = controller
    if not out.get("reportingInstance") and source.get("host"):
        out["reportingInstance"] = source["host"]
    if source:
        out["deprecatedSource"] = source
    for old, new in (
        ("count", "deprecatedCount"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
    ):
        if core.get(old) is not None:
            out[new] = core[old]
    if out.get("series") is None and (core.get("count") or 0) > 1 and core.get("lastTimestamp"):
        out["series"] = {"count": core["count"], "lastObservedTime": _micro(core["lastTimestamp"])}
    # eventTime is required in events.k8s.io/v1 (clients refuse an Event without it); an
    # old-style Event has none, so take the best time it has.
    if not out.get("eventTime"):
        when = (
            core.get("firstTimestamp")
            or core.get("lastTimestamp")
            or core.get("metadata", {}).get("creationTimestamp")
        )
        if when:
            out["eventTime"] = _micro(when)
    return out


def to_core_v1(event: dict[str, Any]) -> dict[str, Any]:
    """A core `v1` Event with the content of an `events.k8s.io/v1` Event."""
    new = copy.deepcopy(event)
    out: dict[str, Any] = {"apiVersion": "v1", "kind": "Event"}
    out.update({key: new[key] for key in _SHARED if new.get(key) is not None})
    out["involvedObject"] = new.get("regarding") or {}
    if new.get("note") is not None:
        out["message"] = new["note"]
    if new.get("reportingController"):
        out["reportingComponent"] = new["reportingController"]
    source = new.get("deprecatedSource") or {}
    if not source and new.get("reportingController"):
        source = {"component": new["reportingController"]}
        if new.get("reportingInstance"):
            source["host"] = new["reportingInstance"]
    if source:
        out["source"] = source
    series = new.get("series") or {}
    count = new.get("deprecatedCount") or series.get("count")
    if count:
        out["count"] = count
    first = new.get("deprecatedFirstTimestamp") or _seconds(new.get("eventTime"))
    last = new.get("deprecatedLastTimestamp") or _seconds(series.get("lastObservedTime")) or first
    if first:
        out["firstTimestamp"] = first
    if last:
        out["lastTimestamp"] = last
    return out


def _micro(timestamp: str) -> str:
    """A seconds-precision RFC 3339 time as a MicroTime (`...:00.000000Z`)."""
    if "." in timestamp or not timestamp.endswith("Z"):
        return timestamp
    return timestamp[:-1] + ".000000Z"


def _seconds(timestamp: str | None) -> str | None:
    """A MicroTime cut to the seconds precision of the old timestamps."""
    if not timestamp:
        return None
    head, dot, _ = timestamp.partition(".")
    return head + "Z" if dot else timestamp
