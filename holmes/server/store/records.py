"""Typed rows the repository returns: an investigation, an event, the outcome of an alert body.

The routes turn these into the API's response models; the workers read `InvestigationRecord`
to know what to investigate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["queued", "running", "done", "failed", "deferred"]
Source = Literal["api", "alertmanager", "slack"]
LLMChoice = Literal["auto", "yes", "no"]
Verdict = Literal["correct", "wrong"]
TERMINAL: tuple[Status, ...] = ("done", "failed")


def utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class NewInvestigation(BaseModel):
    """What to investigate, as the API, the webhook or Slack hands it to the store."""

    source: Source
    question: str | None = None
    alert: dict[str, Any] | None = None
    namespace: str | None = None
    alertname: str | None = None
    fingerprint: str | None = None
    llm: LLMChoice = "auto"
    parent_id: str | None = None


class InvestigationRecord(BaseModel):
    """One stored investigation."""

    id: str
    status: Status
    source: Source
    question: str | None = None
    alert: dict[str, Any] | None = None
    namespace: str | None = None
    alertname: str | None = None
    fingerprint: str | None = None
    llm: LLMChoice = "auto"
    parent_id: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    diagnosis: dict[str, Any] | None = None
    error: str | None = None
    feedback: Verdict | None = None
    feedback_source: str | None = None
    feedback_by: str | None = None
    feedback_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once done or failed."""
        return self.status in TERMINAL


class EventRecord(BaseModel):
    """One progress event of an investigation; `id` is the SSE id (increasing)."""

    id: int
    investigation_id: str
    kind: str
    data: dict[str, Any]
    created_at: datetime


class IngestedAlerts(BaseModel):
    """What the store did with the alerts of one webhook body."""

    accepted: int = 0
    deduplicated: int = 0
    deferred: int = 0
    resolved: int = 0
    created: list[str] = Field(default_factory=list)
    investigations: list[str] = Field(default_factory=list)


class FiringAlert(BaseModel):
    """One alert of a webhook body, ready for the store: fingerprint computed, fields pulled."""

    fingerprint: str
    status: Literal["firing", "resolved"]
    alertname: str | None = None
    namespace: str | None = None
    alert: dict[str, Any]
