"""What an investigation starts from: a question, an Alertmanager alert, or both.

The CLI, the HTTP API, Slack and the eval runner build an `InvestigationRequest`; the engine
and the agent read it. `AlertInput` is one entry of the `alerts[]` of an Alertmanager webhook
(version 4) payload or of Alertmanager's API v2 (`status` an object); `alerts_from_webhook`
reads a whole payload. A `resolved` alert is investigated for what it was about, and its answer
says it resolved (`as_resolved`) instead of claiming a fault that is active now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from holmes.agent.engine.diagnosis import Diagnosis

# API v2's `status.state` in the webhook's words: suppressed alerts are silenced or inhibited.
_V2_STATES = {"active": "firing", "unprocessed": "firing", "suppressed": "suppressed"}


class AlertInput(BaseModel):
    """One alert: labels drive triage, annotations are read as text."""

    model_config = ConfigDict(extra="allow")

    status: str = "firing"
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime | None = None  # Alertmanager's spelling
    endsAt: datetime | None = None
    fingerprint: str | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _v2_status(cls, value: Any) -> Any:
        # API v2 (`GET /api/v2/alerts`): {"state": "active"|"suppressed"|"unprocessed", ...}.
        if isinstance(value, dict):
            state = value.get("state")
            if state not in _V2_STATES:
                raise ValueError(f"state {state!r} is not active, suppressed or unprocessed")
            return _V2_STATES[state]
        return value

    @field_validator("labels", "annotations", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        # Label values are always strings; YAML and hand-written JSON make `gpu: 2` an int.
        if isinstance(value, dict):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
        return value

    @field_validator("startsAt", "endsAt", mode="before")
    @classmethod
    def _zero_time(cls, value: Any) -> Any:
        # Alertmanager sends the zero time for "unset" (endsAt of a firing alert).
        return None if value in ("", "0001-01-01T00:00:00Z") else value

    @property
    def name(self) -> str:
        """The alert's name (`alertname` label), or "" without one."""
        return self.labels.get("alertname", "")

    @property
    def resolved(self) -> bool:
        """Whether Alertmanager says the alert has ended."""
        return self.status == "resolved"


class InvestigationRequest(BaseModel):
    """A question, an alert, or both; at least one of them."""

    question: str | None = None
    alert: AlertInput | None = None

    def model_post_init(self, _context: Any) -> None:
        """Refuse an empty request: there would be nothing to investigate."""
        if not (self.question and self.question.strip()) and self.alert is None:
            raise ValueError("an investigation needs a question or an alert")

    def describe(self) -> str:
        """The request in one line, as the answer repeats it."""
        if self.question:
            return self.question.strip()
        assert self.alert is not None
        summary = self.alert.annotations.get("summary") or self.alert.annotations.get(
            "description", ""
        )
        state = "resolved alert" if self.alert.resolved else "alert"
        return f"{state} {self.alert.name}" + (f": {summary}" if summary else "")


def alerts_from_webhook(payload: dict[str, Any]) -> list[AlertInput]:
    """The alerts of an Alertmanager webhook payload (or a bare alert), firing ones first."""
    if "labels" in payload and "alerts" not in payload:
        return [AlertInput.model_validate(payload)]
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise ValueError("alerts: an Alertmanager payload needs a non-empty `alerts` list")
    common = payload.get("commonLabels") or {}
    parsed = []
    for index, alert in enumerate(alerts):
        if not isinstance(alert, dict) or not isinstance(alert.get("labels"), dict):
            raise ValueError(f"alerts[{index}].labels: each alert needs a labels mapping")
        parsed.append(AlertInput.model_validate({**alert, "labels": {**common, **alert["labels"]}}))
    return sorted(parsed, key=lambda a: a.status != "firing")


def as_resolved(diagnosis: Diagnosis, alert: AlertInput) -> Diagnosis:
    """The answer to a resolved alert: what the alert was about, without claiming that a
    fault is active now (Alertmanager says it ended; the evidence may be from before)."""
    ended = f" at {alert.endsAt.isoformat()}" if alert.endsAt else ""
    note = (
        f"Alertmanager reports alert {alert.name or '(unnamed)'} resolved{ended}: this answer "
        "explains what it was about; it does not claim that the fault is still active."
    )
    lead = "Resolved" if diagnosis.fault_found else "Resolved, and the evidence shows no fault now"
    return diagnosis.model_copy(
        update={
            "summary": f"{lead} ({alert.name or 'alert'}): {diagnosis.summary}",
            "root_cause": f"What the resolved alert was about: {diagnosis.root_cause}",
            "notes": [note, *diagnosis.notes],
        }
    )
