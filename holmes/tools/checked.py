"""`CheckedCall`: one tool call an answer looked at, typed, for the answer's `calls` list.

The engine records one per call in `Diagnosis.calls`; `checked` holds their one-line renderings
(`[E12] kubernetes_logs(namespace=ml, name=x): ok`) for people and stored answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

_MAX_MESSAGE = 120


class CheckedCall(BaseModel):
    """A tool call: its evidence id, tool, arguments and outcome (error kind and message)."""

    evidence_id: str
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    error_kind: str | None = None
    error_message: str | None = None

    @classmethod
    def of(cls, result: Any) -> CheckedCall:
        """The checked call of a `ToolResult`."""
        error = result.error
        return cls(
            evidence_id=result.evidence_id,
            tool=result.tool,
            arguments=dict(result.arguments),
            ok=error is None,
            error_kind=error.kind if error else None,
            error_message=error.message[:_MAX_MESSAGE] if error else None,
        )

    def call_text(self) -> str:
        """`kubernetes_logs(namespace=ml, name=x)`."""
        args = ", ".join(f"{k}={v}" for k, v in self.arguments.items())
        return f"{self.tool}({args})"

    def text(self) -> str:
        """`[E12] kubernetes_logs(namespace=ml, name=x): ok` (or `<kind>: <message>`)."""
        outcome = "ok" if self.ok else f"{self.error_kind}: {self.error_message}"
        return f"[{self.evidence_id}] {self.call_text()}: {outcome}"
