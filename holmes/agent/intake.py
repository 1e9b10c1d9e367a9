"""What an investigation starts from: a question, an Alertmanager alert, or both.

The CLI, the HTTP API, Slack and the eval runner build an `InvestigationRequest`; the engine
and the agent read it. `AlertInput` is one entry of the `alerts[]` of an Alertmanager webhook
(version 4) payload; `alerts_from_webhook` reads a whole payload.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AlertInput(BaseModel):
    """One alert: labels drive triage, annotations are read as text."""

    model_config = ConfigDict(extra="allow")

    status: str = "firing"
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime | None = None  # Alertmanager's spelling
    fingerprint: str | None = None

    @field_validator("labels", "annotations", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        # Label values are always strings; YAML and hand-written JSON make `gpu: 2` an int.
        if isinstance(value, dict):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
        return value

    @field_validator("startsAt", mode="before")
    @classmethod
    def _zero_time(cls, value: Any) -> Any:
        # Alertmanager sends the zero time for "unset".
        return None if value in ("", "0001-01-01T00:00:00Z") else value

    @property
    def name(self) -> str:
        """The alert's name (`alertname` label), or "" without one."""
        return self.labels.get("alertname", "")


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
        return f"alert {self.alert.name}" + (f": {summary}" if summary else "")


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
