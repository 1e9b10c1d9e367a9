"""`kubernetes_events`: events of a namespace or an object, deduplicated, Warning first.

Called through the registry; `object_events` is also used by `kubernetes_describe` and
`kubernetes_node`. Reads core/v1 Events (the replay and real API servers serve the same objects
as events.k8s.io/v1; `shaping.events.normalize` reads either shape). Filters on the involved
object, reason and type go to the API server as field selectors; `since` (a duration ending at
the investigation's clock) is applied to the time each event was last seen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.kubernetes.arguments import OptionalKind, OptionalNamespace, check_name_for_kind
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.common import parse_duration
from holmes.tools.kubernetes.resources import ResourceRef, list_objects, well_known
from holmes.tools.shaping.events import EventRecord, deduplicate, normalize, render_events

_EVENTS = ResourceRef(group="", version="v1", kind="Event", plural="events", namespaced=True)


async def read_events(
    kube: KubeSession,
    namespace: str | None,
    selectors: dict[str, str],
    limit: int,
) -> tuple[list[EventRecord], int | None]:
    """Events matching field `selectors` (involvedObject.kind, reason, ...), normalized, and
    how many more the server holds beyond `limit`."""
    field_selector = ",".join(
        f"{key}={_escape(value)}" for key, value in selectors.items() if value
    )
    items, remaining = await list_objects(
        kube, _EVENTS, namespace, field_selector=field_selector, limit=limit
    )
    return [normalize(item) for item in items], remaining


def _escape(value: str) -> str:
    """A field selector value escaped as apimachinery's fields.EscapeValue does, so a `,` or
    `=` in it cannot add a term."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


async def object_events(
    kube: KubeSession, kind: str, name: str, namespace: str | None, limit: int
) -> list[EventRecord]:
    """Deduplicated events about one object (cluster-scoped objects: any namespace)."""
    events, _ = await read_events(
        kube,
        namespace or None,
        {"involvedObject.kind": kind, "involvedObject.name": name},
        limit,
    )
    return deduplicate(events)


class EventsInput(BaseModel):
    """Arguments of kubernetes_events."""

    namespace: OptionalNamespace = Field(
        None, description="Namespace; leave empty for all namespaces."
    )
    kind: OptionalKind = Field(
        None, description="Kind of the involved object, e.g. Pod, Node, PersistentVolumeClaim."
    )
    name: str | None = Field(None, description="Name of the involved object.")
    reason: str | None = Field(None, description="Event reason, e.g. FailedScheduling, BackOff.")
    type: Literal["Warning", "Normal"] | None = Field(
        None, description="Only events of this type (Warning for problems)."
    )
    since: str | None = Field(
        None, description="Only events last seen within this duration before now, e.g. 1h, 30m."
    )
    limit: int = Field(30, ge=1, le=500, description="Most deduplicated events to show.")

    _name = field_validator("name")(check_name_for_kind)


class KubernetesEvents(Tool):
    """Events, deduplicated, Warning first."""

    name = "kubernetes_events"
    toolset = "kubernetes"
    description = (
        "Query Kubernetes events in a namespace (or all), optionally about one object (kind "
        "and name), with a reason, of a type (Warning for problems), or last seen within a "
        "duration (since, e.g. 1h). Identical events are folded with their total count and "
        "first/last seen times; Warnings come first, then the most recent. Events expire after "
        "about an hour on most clusters."
    )
    Input = EventsInput

    async def run(self, args: EventsInput, ctx: ToolContext) -> ToolOutput:
        """Read, filter, fold and render the events."""
        window = parse_duration(args.since) if args.since else None
        kube = session(ctx)
        kind = (well_known(args.kind) or ("", args.kind))[1] if args.kind else None
        selectors = {
            "involvedObject.kind": kind or "",
            "involvedObject.name": args.name or "",
            "reason": args.reason or "",
            "type": args.type or "",
        }
        limit = ctx.limits.max_items
        events, remaining = await read_events(kube, args.namespace, selectors, limit)
        now = ctx.now()
        read = len(events)
        if window is not None:
            events = [e for e in events if e.last_seen and e.last_seen >= now - window]
        groups = deduplicate(events)
        text = _render(groups, read, len(events), args, now, remaining)
        data = {
            "events": [group.model_dump(mode="json") for group in groups[: args.limit]],
            "read": read,
            "matched": len(events),
            "more_on_server": remaining,
        }
        return ToolOutput(data=data, text=text)


def _render(
    groups: list[EventRecord],
    read: int,
    matched: int,
    args: EventsInput,
    now: datetime,
    remaining: int | None,
) -> str:
    filters = [
        f"{label} {value}"
        for label, value in (
            ("namespace", args.namespace or "all namespaces"),
            ("kind", args.kind),
            ("name", args.name),
            ("reason", args.reason),
            ("type", args.type),
            ("last seen within", args.since),
        )
        if value
    ]
    scope = ", ".join(filters)
    if not groups:
        return (
            f"no events match ({scope}); {read} events read. Events expire (1h by default), "
            "so an old problem may have left none."
        )
    warnings = sum(1 for group in groups if group.type == "Warning")
    lines = [
        f"{len(groups)} distinct events ({warnings} Warning) folded from {matched} events "
        f"({scope}), Warning first:"
    ]
    lines += render_events(groups, now, limit=args.limit)
    if remaining:
        lines.append("more events exist on the server than were read; narrow the query")
    return "\n".join(lines)
