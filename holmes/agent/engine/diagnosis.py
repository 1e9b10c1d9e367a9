"""The answer of an investigation: `Diagnosis`, from the runbook engine and the agent alike.

Every claim points at the evidence ids (tool results) that support it; what could not be checked
is said (`sources_unavailable`, `checked`); and the cost of the answer is recorded. The CLI, the
HTTP API, Slack and scoring all read this model.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from holmes.tools import CheckedCall, SourceFault

Confidence = Literal["high", "medium", "low", "none"]
# A `checked` line as stored before `calls`: `[E12] tool(a=b): ok` (or `<kind>: <message>`).
_LEGACY_CHECKED = re.compile(r"\[(E\d+)\] (.*?): (ok|\w+: .*)$", re.DOTALL)
Mode = Literal["runbook", "llm", "llm_fallback"]
# What the question asked: a diagnosis, or data answered directly (agent/questions.py).
AnswerKind = Literal["diagnosis", "logs", "log_errors", "not_ready", "changes"]


class Claim(BaseModel):
    """One statement of the answer and the evidence ids that support it."""

    claim: str
    evidence_ids: list[str] = Field(default_factory=list)


class RemediationStep(BaseModel):
    """What to do, with the command where one fits. holmes itself never runs it."""

    action: str
    command: str | None = None


class SourceUnavailable(BaseModel):
    """A source that failed during the investigation (or was not configured), and why."""

    source: str = Field(description="kubernetes, prometheus or hubble.")
    endpoint: str | None = Field(None, description="Where it was asked, when known.")
    reason: str = Field(description="What happened, in words: 'answered HTTP 500', ...")
    fault: SourceFault | None = Field(
        None,
        description="not_configured, unreachable, timeout, auth, server_error or bad_response "
        "(None in answers stored before faults were recorded).",
    )
    unchecked: list[str] = Field(
        default_factory=list,
        description="What could not be checked without it (the runbooks that needed it).",
    )


class SubjectRef(BaseModel):
    """An object an answer is about: a hop of a causal chain names one."""

    kind: str
    namespace: str | None = None
    name: str

    def text(self) -> str:
        """`Kind namespace/name` (or `Kind name` for a cluster-scoped object)."""
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


HopRole = Literal["symptom", "proximate_cause", "root_cause"]


class ChainHop(BaseModel):
    """One subject of a causal chain, what a runbook found there and the evidence for it."""

    role: HopRole
    subject: SubjectRef | None = Field(None, description="None: the question's namespace.")
    runbook_id: str
    finding_id: str
    summary: str
    root_cause: str
    relation: str = Field(
        "", description="How this hop produces the one before it (empty on the first hop)."
    )
    evidence: list[Claim] = Field(default_factory=list)


HypothesisVerdict = Literal["confirmed", "contributing", "ruled_out", "not_checked"]


class Hypothesis(BaseModel):
    """A suspect named in the question or tempting in the evidence, and what became of it."""

    hypothesis: str = Field(description="The suspect, in the asker's words where they named it.")
    origin: Literal["question", "evidence"]
    verdict: HypothesisVerdict
    reason: str
    evidence_ids: list[str] = Field(default_factory=list)


class Cost(BaseModel):
    """What the answer cost."""

    tool_calls: int = 0
    seconds: float = 0.0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated_usd: float | None = None


class AlertExplanation(BaseModel):
    """What a known alert means and what to check, from the alert-route table, given when no
    runbook finding explains the alert (`holmes/runbooks/alerts/routes.yaml`)."""

    alert: str
    source: str = Field(description="The mixin or exporter that defines the alert.")
    route: str = Field(description="`explain` or `sweep`.")
    meaning: str
    checks: list[RemediationStep] = Field(
        default_factory=list, description="What to check, with the command or PromQL to run."
    )


class Diagnosis(BaseModel):
    """Root cause, the evidence behind each claim, and the remediation."""

    summary: str
    root_cause: str
    explanation: str = ""
    evidence: list[Claim] = Field(default_factory=list)
    remediation: list[RemediationStep] = Field(default_factory=list)
    confidence: Confidence = "none"
    runbook_id: str | None = None
    fault_found: bool = Field(
        True, description="False when the evidence shows no fault or the subject does not exist."
    )
    unverified: bool = Field(
        False,
        description="No fault was shown, but a source that could show one failed: the answer "
        "says what it could not check (sources_unavailable), never that nothing is wrong.",
    )
    checked: list[str] = Field(
        default_factory=list, description="What was looked at, so an empty answer says why."
    )
    calls: list[CheckedCall] = Field(
        default_factory=list,
        description="The tool calls behind `checked`: evidence id, tool, arguments, outcome.",
    )
    sources_unavailable: list[SourceUnavailable] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list,
        description="What a reader must not miss: instruction-like text found in the evidence "
        "(reported, never followed), evidence ids an LLM cited that do not exist, fallbacks.",
    )
    alert_explanation: AlertExplanation | None = Field(
        None,
        description="For a known alert that no finding explains: what it means, what to check.",
    )
    mode: Mode = "runbook"
    answer_kind: AnswerKind = Field(
        "diagnosis",
        description="diagnosis, or the direct question answered from the tools: logs, "
        "log_errors (errors in the logs), not_ready (pods not ready), changes (what changed); "
        "a direct answer's root_cause is the answer and its evidence quotes the tools.",
    )
    symptom: str | None = Field(
        None, description="The reported symptom in the asker's words (question or alert)."
    )
    chain: list[ChainHop] = Field(
        default_factory=list,
        description="Symptom -> proximate cause -> root cause, when a finding blamed another "
        "object and holmes investigated it (empty: a single-hop answer).",
    )
    hypotheses: list[Hypothesis] = Field(
        default_factory=list,
        description="Suspects named in the question or tempting in the evidence, each ruled "
        "out, kept as contributing, or confirmed, with the evidence.",
    )
    cost: Cost = Field(default_factory=Cost)

    def checked_calls(self) -> dict[str, str]:
        """Evidence id -> the tool call that produced it (`calls`; an answer stored before
        they were typed, or one whose `calls` were not copied, is read from `checked`)."""
        if self.calls:
            return {call.evidence_id: call.call_text() for call in self.calls}
        return {m[1]: m[2] for line in self.checked if (m := _LEGACY_CHECKED.match(line))}

    def cause_text(self) -> str:
        """Root cause and explanation together: what `must_mention` is scored against."""
        return f"{self.root_cause}\n{self.explanation}"

    def remediation_text(self) -> str:
        """Every remediation step and command: what `remediation_must_mention` is scored against."""
        return "\n".join(
            f"{step.action}\n{step.command}" if step.command else step.action
            for step in self.remediation
        )
