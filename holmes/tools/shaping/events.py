"""Event shaping: Kubernetes events of either API shape, deduplicated and rendered in a few lines.

Called by the `kubernetes_events` and `kubernetes_describe` tools; pure functions, no I/O.
`normalize` reads a core/v1 Event or an events.k8s.io/v1 Event (the same objects under other
field names, reference/kubernetes.md); `deduplicate` folds events about one object with one
type, reason and message (numbers aside: "Back-off 10s" and "Back-off 20s" are one event),
summing counts and keeping the first and last time seen; `render_events` prints Warnings first,
then the most recent, with times relative to the investigation's clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from holmes.tools.facts.text import ago

_DIGITS = re.compile(r"\d+")
_MAX_MESSAGE = 300


class EventRecord(BaseModel):
    """One event (or a group of identical ones), whatever API shape it was read in."""

    namespace: str = ""
    kind: str = ""
    name: str = ""
    field_path: str = ""
    type: str = "Normal"
    reason: str = ""
    message: str = ""
    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    source: str = ""

    @property
    def subject(self) -> str:
        """`kind namespace/name` of the object the event is about."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}".strip()


def parse_time(value: Any) -> datetime | None:
    """An API timestamp (RFC 3339, seconds or micro precision) as an aware UTC datetime."""
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def normalize(event: dict[str, Any]) -> EventRecord:
    """Read a core/v1 or events.k8s.io/v1 Event into an `EventRecord`."""
    new_style = "regarding" in event or "note" in event or "deprecatedCount" in event
    about = event.get("regarding" if new_style else "involvedObject") or {}
    series = event.get("series") or {}
    metadata = event.get("metadata") or {}
    if new_style:
        count = series.get("count") or event.get("deprecatedCount") or 1
        first = event.get("deprecatedFirstTimestamp") or event.get("eventTime")
        last = (
            series.get("lastObservedTime")
            or event.get("deprecatedLastTimestamp")
            or event.get("eventTime")
        )
        source = event.get("reportingController") or (event.get("deprecatedSource") or {}).get(
            "component", ""
        )
        message = event.get("note") or ""
    else:
        count = series.get("count") or event.get("count") or 1
        first = event.get("firstTimestamp") or event.get("eventTime")
        last = (
            series.get("lastObservedTime") or event.get("lastTimestamp") or event.get("eventTime")
        )
        source = (event.get("source") or {}).get("component") or event.get("reportingComponent", "")
        message = event.get("message") or ""
    created = metadata.get("creationTimestamp")
    return EventRecord(
        namespace=about.get("namespace") or metadata.get("namespace") or "",
        kind=about.get("kind") or "",
        name=about.get("name") or "",
        field_path=about.get("fieldPath") or "",
        type=event.get("type") or "Normal",
        reason=event.get("reason") or "",
        message=" ".join(message.split()),
        count=int(count),
        first_seen=parse_time(first) or parse_time(created),
        last_seen=parse_time(last) or parse_time(first) or parse_time(created),
        source=source or "",
    )


def deduplicate(events: list[EventRecord]) -> list[EventRecord]:
    """Fold events with one subject, type, reason and message (numbers aside).

    Counts add up; the first and last times widen; the latest message is kept. The result is
    ordered Warning first, then by last time seen, newest first.
    """
    groups: dict[tuple[str, ...], EventRecord] = {}
    for event in events:
        key = (
            event.namespace,
            event.kind,
            event.name,
            event.type,
            event.reason,
            _DIGITS.sub("#", event.message),
        )
        group = groups.get(key)
        if group is None:
            groups[key] = event.model_copy()
            continue
        group.count += event.count
        group.first_seen = _earliest(group.first_seen, event.first_seen)
        if _later(event.last_seen, group.last_seen):
            group.last_seen = event.last_seen
            group.message = event.message
            group.field_path = event.field_path or group.field_path
    return sorted(groups.values(), key=_order)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(a, b) if a and b else a or b


def _later(a: datetime | None, b: datetime | None) -> bool:
    return bool(a and (b is None or a > b))


def _order(event: EventRecord) -> tuple[int, float]:
    last = event.last_seen.timestamp() if event.last_seen else 0.0
    return (0 if event.type == "Warning" else 1, -last)


def render_event(event: EventRecord, now: datetime, with_subject: bool = True) -> str:
    """One line: type, reason, subject, count, first/last seen, message."""
    subject = f" {event.subject}" if with_subject else ""
    container = _container(event.field_path)
    times = f"last {ago(event.last_seen, now)}"
    if event.count > 1 and event.first_seen and event.first_seen != event.last_seen:
        times = f"first {ago(event.first_seen, now)}, {times}"
    message = event.message
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "..."
    return f"{event.type} {event.reason}{subject}{container} x{event.count} ({times}): {message}"


def _container(field_path: str) -> str:
    match = re.search(r"\{(.+)\}", field_path)
    return f" [container {match.group(1)}]" if match else ""


def render_events(
    events: list[EventRecord],
    now: datetime,
    limit: int = 30,
    with_subject: bool = True,
) -> list[str]:
    """Rendered lines of deduplicated events (already ordered), at most `limit`, with a note
    saying how many were left out."""
    lines = [render_event(event, now, with_subject) for event in events[:limit]]
    if len(events) > limit:
        hidden = events[limit:]
        warnings = sum(1 for event in hidden if event.type == "Warning")
        lines.append(f"{len(hidden)} more events not shown ({warnings} of them Warning)")
    return lines
