"""The API's request and response models (pydantic): what /openapi.json documents.

One family per resource: `InvestigationCreate` (what a client sends), `InvestigationPublic`
(what it reads back), `InvestigationAccepted` (the 202), `InvestigationPage` (a listing page).
Unknown request fields are refused, so a typo is a 422 naming it rather than silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import AlertInput
from holmes.server.store import InvestigationRecord


def _no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str | None, AfterValidator(_no_nul)]

Status = Literal["queued", "running", "done", "failed", "deferred"]
Source = Literal["api", "alertmanager", "slack"]
Verdict = Literal["correct", "wrong"]


class InvestigationCreate(BaseModel):
    """What to investigate: a question, an alert (one Alertmanager alert), or both."""

    model_config = ConfigDict(extra="forbid")

    question: Text = Field(None, max_length=4000, description="What to investigate.")
    alert: AlertInput | None = Field(None, description="One Alertmanager alert.")
    namespace: Text = Field(
        None, max_length=253, description="The namespace the question is about, if it says none."
    )
    llm: bool | None = Field(
        None,
        description="true: the LLM agent; false: the runbook engine; absent: the server's default.",
    )

    @model_validator(mode="after")
    def _something_to_investigate(self) -> InvestigationCreate:
        if not (self.question and self.question.strip()) and self.alert is None:
            raise ValueError("question or alert: give at least one of them")
        return self


class FollowUpCreate(BaseModel):
    """A follow-up question in the conversation of an investigation."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, AfterValidator(_no_nul)] = Field(..., min_length=1, max_length=4000)


class FeedbackCreate(BaseModel):
    """A verdict on an investigation's answer; a later one replaces it."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict = Field(..., description="Was the answer correct or wrong?")
    by: Text = Field(None, max_length=253, description="Who says so (a name or handle).")


class Feedback(BaseModel):
    """The verdict on an investigation's answer, who gave it, where and when."""

    verdict: Verdict
    source: str = Field(description="Where it was given: api, web or slack.")
    by: str | None = None
    at: datetime


class InvestigationLinks(BaseModel):
    """Where to read the investigation and follow its progress."""

    self: str
    events: str


class InvestigationAccepted(BaseModel):
    """The answer to a submission: the id to follow."""

    id: str
    status: Status
    links: InvestigationLinks


class InvestigationPublic(BaseModel):
    """One investigation; `diagnosis` is the same JSON as `holmes ask --json`."""

    id: str
    status: Status
    source: Source
    question: str | None = None
    alert: dict[str, Any] | None = None
    namespace: str | None = None
    alertname: str | None = None
    fingerprint: str | None = None
    follow_up_of: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    diagnosis: Diagnosis | None = None
    error: str | None = None
    feedback: Feedback | None = None
    links: InvestigationLinks

    @classmethod
    def of(cls, record: InvestigationRecord) -> InvestigationPublic:
        """The public view of a stored investigation."""
        private = {"lease_owner", "lease_expires_at", "llm", "parent_id"}
        private |= {"feedback", "feedback_source", "feedback_by", "feedback_at"}
        feedback = None
        if record.feedback is not None and record.feedback_at is not None:
            feedback = Feedback(
                verdict=record.feedback,
                source=record.feedback_source or "api",
                by=record.feedback_by,
                at=record.feedback_at,
            )
        return cls(
            **record.model_dump(exclude=private),
            follow_up_of=record.parent_id,
            feedback=feedback,
            links=links(record.id),
        )


class InvestigationPage(BaseModel):
    """A page of investigations, newest first; `next` is the cursor of the following page."""

    items: list[InvestigationPublic]
    next: str | None = None


class AlertsAccepted(BaseModel):
    """What the webhook did with a body's alerts (after the store committed them)."""

    accepted: int = Field(description="Alerts in the body that were recorded.")
    deduplicated: int = Field(description="Alerts attached to an already open episode.")
    deferred: int = Field(0, description="New investigations queued as deferred (queue full).")
    resolved: int = Field(0, description="Episodes closed by a resolved alert.")
    suppressed: int = Field(0, description="API v2 alerts skipped as silenced or inhibited.")
    investigations: list[str] = Field(description="Investigations the alerts belong to.")


class Health(BaseModel):
    """Liveness."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Readiness: store writable and workers running; sources and LLM are informative."""

    ready: bool
    store: str
    workers: str
    llm: str
    sources: dict[str, str]


def links(investigation_id: str) -> InvestigationLinks:
    """The links of an investigation."""
    base = f"/api/v1/investigations/{investigation_id}"
    return InvestigationLinks(self=base, events=f"{base}/events")
