"""Small shared helpers of the Kubernetes toolset: names, ages, durations, quantities, conditions.

Used by every tool module; pure functions. Times are rendered relative to the investigation's
clock (`now` passed in), never the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from holmes.tools.base import ToolFailure
from holmes.tools.kubernetes.errors import SOURCE
from holmes.tools.shaping.events import ago, parse_time
from holmes.tools.times import duration_seconds

__all__ = ["ago", "parse_time"]

# Condition types that are healthy when False (a node's pressures, a job's failure, ...).
_NEGATIVE_CONDITIONS = {
    "Failed",
    "FailureTarget",
    "ReplicaFailure",
    "DisruptionTarget",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
}


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    """The object's metadata (an empty dict when missing)."""
    return obj.get("metadata") or {}


def full_name(obj: dict[str, Any]) -> str:
    """`namespace/name`, or `name` for a cluster-scoped object."""
    metadata = meta(obj)
    namespace = metadata.get("namespace")
    return f"{namespace}/{metadata.get('name', '')}" if namespace else metadata.get("name", "")


def age(obj: dict[str, Any], now: datetime) -> str:
    """How long ago the object was created, e.g. "14m"."""
    created = parse_time(meta(obj).get("creationTimestamp"))
    return ago(created, now).removesuffix(" ago") if created else "?"


def parse_duration(text: str, argument: str = "since") -> timedelta:
    """A duration like "90s", "15m", "1h", "2h30m", "1d" (bad_arguments otherwise)."""
    try:
        return timedelta(seconds=duration_seconds(text))
    except ValueError as error:
        raise ToolFailure(SOURCE, "bad_arguments", f"{argument}: {error}") from error


def conditions_text(
    conditions: list[dict[str, Any]], now: datetime, healthy: dict[str, str] | None = None
) -> list[str]:
    """Conditions, unhealthy first: `Ready=False (ContainersNotReady: msg) since 14m ago`.

    A condition is healthy when its status is "True", or "False" for the types that name a
    problem (Failed, MemoryPressure, ...), or the value given in `healthy`."""
    healthy = {kind: "False" for kind in _NEGATIVE_CONDITIONS} | (healthy or {})
    rows = []
    for condition in conditions or []:
        kind, status = condition.get("type", "?"), condition.get("status", "?")
        good = status == healthy.get(kind, "True")
        detail = ": ".join(p for p in (condition.get("reason"), condition.get("message")) if p)
        since = parse_time(condition.get("lastTransitionTime"))
        text = f"{kind}={status}"
        if detail and not good:
            text += f" ({detail})"
        if since and not good:
            text += f" since {ago(since, now)}"
        rows.append((good, text))
    return [("" if good else "! ") + text for good, text in sorted(rows, key=lambda r: r[0])]


def owner(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The controller owner reference (or the first owner), if any."""
    owners = meta(obj).get("ownerReferences") or []
    return next((o for o in owners if o.get("controller")), owners[0] if owners else None)
