"""What the templates show, computed from stored records: typed, so templates only format.

An investigation's evidence comes from its `tool_finished` events (tool, arguments, duration and
the compacted, redacted output the tool returned); the progress list from its tool events.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.server.store import EventRecord, InvestigationRecord


class Evidence(BaseModel):
    """One tool call behind an evidence id."""

    evidence_id: str
    tool: str
    arguments: dict[str, Any]
    ms: float | None = None
    ok: bool = True
    error: str | None = None
    text: str = ""
    truncated: bool = False


class Step(BaseModel):
    """One line of the progress list: a tool call, started or finished."""

    event_id: int
    tool: str
    arguments: str
    key: str  # the arguments as compact JSON: the script matches live events to lines by it
    state: str  # "running" | "ok" | "failed"
    evidence_id: str | None = None
    ms: float | None = None


class Row(BaseModel):
    """One line of the investigations list."""

    id: str
    status: str
    source: str
    subject: str
    summary: str
    age: str
    created_at: datetime
    feedback: str | None = None


def subject(record: InvestigationRecord) -> str:
    """What the investigation is about: its question, else its alert's name, summary, namespace."""
    if record.question:
        return record.question
    labels = (record.alert or {}).get("labels", {})
    summary = (record.alert or {}).get("annotations", {}).get("summary")
    where = labels.get("namespace") or labels.get("exported_namespace") or record.namespace
    name = record.alertname or labels.get("alertname") or "alert"
    name = f"{name}: {summary}" if summary else name
    return f"{name} (namespace {where})" if where else name


def age(created: datetime, now: datetime | None = None) -> str:
    """'12 s', '5 min', '3 h', '2 d' ago."""
    seconds = max(((now or datetime.now(UTC)) - created).total_seconds(), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def row(record: InvestigationRecord, now: datetime) -> Row:
    """The list's line of an investigation."""
    diagnosis = record.diagnosis or {}
    summary = diagnosis.get("root_cause") or diagnosis.get("summary") or (record.error or "")
    return Row(
        id=record.id,
        status=record.status,
        source=record.source,
        subject=subject(record),
        summary=summary,
        age=age(record.created_at, now),
        created_at=record.created_at,
        feedback=record.feedback,
    )


def _attempt(events: list[EventRecord]) -> list[EventRecord]:
    """The events of the last attempt (a resumed investigation starts again)."""
    starts = [n for n, event in enumerate(events) if event.kind == "started"]
    return events[starts[-1] :] if starts else events


def arguments_text(arguments: dict[str, Any]) -> str:
    """`key=value, ...` as the CLI prints a call."""
    return ", ".join(f"{key}={value!r}" for key, value in arguments.items())


def steps(events: list[EventRecord]) -> list[Step]:
    """The progress list: each started call, marked once it finished."""
    found: list[Step] = []
    for event in _attempt(events):
        data = event.data
        if event.kind == "tool_started":
            found.append(
                Step(
                    event_id=event.id,
                    tool=data.get("tool", "?"),
                    arguments=arguments_text(data.get("arguments") or {}),
                    key=_key(data.get("arguments") or {}),
                    state="running",
                )
            )
        elif event.kind == "tool_finished":
            step = _open_step(found, data)
            step.state = "ok" if data.get("ok", True) else "failed"
            step.evidence_id = data.get("evidence_id")
            step.ms = data.get("ms")
    return found


def _key(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, separators=(",", ":"), ensure_ascii=False, default=str)


def _open_step(found: list[Step], data: dict[str, Any]) -> Step:
    key = _key(data.get("arguments") or {})
    for step in found:
        if step.state == "running" and step.tool == data.get("tool") and step.key == key:
            return step
    arguments = arguments_text(data.get("arguments") or {})
    step = Step(
        event_id=0, tool=data.get("tool", "?"), arguments=arguments, key=key, state="running"
    )
    found.append(step)
    return step


def evidence(events: list[EventRecord]) -> dict[str, Evidence]:
    """Evidence id -> the tool call and its output, from the last attempt's events."""
    found: dict[str, Evidence] = {}
    for event in _attempt(events):
        if event.kind != "tool_finished" or not event.data.get("evidence_id"):
            continue
        data = event.data
        found[data["evidence_id"]] = Evidence(
            evidence_id=data["evidence_id"],
            tool=data.get("tool", "?"),
            arguments=data.get("arguments") or {},
            ms=data.get("ms"),
            ok=data.get("ok", True),
            error=data.get("error"),
            text=data.get("text") or "",
            truncated=bool(data.get("truncated")),
        )
    return found


def diagnosis(record: InvestigationRecord) -> Diagnosis | None:
    """The stored diagnosis, typed."""
    return Diagnosis.model_validate(record.diagnosis) if record.diagnosis else None
