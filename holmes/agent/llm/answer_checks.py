"""What a parsed answer must not contradict: itself, the evidence ids, the runbooks, the tools.

A small model's answer can be valid JSON and still wrong in ways a check can see: it cites
evidence that does not exist, says `fault_found=false` while prescribing a fix (or true while
saying nothing is wrong), copies a runbook's heading as its root cause, or fills `suspicious`
with its own commentary or with the system prompt's examples. `check_answer` raises
`AnswerError` with a message the model can act on for the first three, and keeps in
`suspicious` only text that a tool actually returned (the rest is dropped and counted).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from holmes.agent.llm.answer import AgentAnswer, AnswerError

_NO_FAULT = re.compile(r"\b(no (fault|problem|issue)s?\b|nothing (is )?wrong|is healthy\b)", re.I)
_WORDS = re.compile(r"[^a-z0-9]+")


class AnswerContext(BaseModel):
    """What the investigation produced, to check an answer against."""

    evidence_ids: set[str] = Field(default_factory=set)
    runbook_headings: dict[str, str] = Field(
        default_factory=dict, description="runbook id -> title"
    )
    tool_output: str = Field("", description="every tool result's text, to find quotes in")


def normalized(text: str) -> str:
    """Lower case, words only, single spaces: for comparing quotes and headings."""
    return " ".join(_WORDS.sub(" ", text.lower()).split())


def check_answer(answer: AgentAnswer, context: AnswerContext) -> tuple[AgentAnswer, list[str]]:
    """The answer with `suspicious` kept to quotes from tool output, and the dropped entries.

    Raises `AnswerError` naming the contradiction and what to do instead.
    """
    unknown = [
        i for claim in answer.claims for i in claim.evidence_ids if i not in context.evidence_ids
    ]
    if unknown:
        shown = sorted(context.evidence_ids, key=lambda i: int(i.lstrip("E") or 0))
        raise AnswerError(
            f"claims cite evidence ids that do not exist: {', '.join(dict.fromkeys(unknown))}. "
            f"Cite only ids of tool results you were shown ({_span(shown)})"
        )
    if not answer.fault_found and answer.remediation:
        raise AnswerError(
            "fault_found is false but remediation lists steps. If the evidence shows a fault, "
            "set fault_found to true; if it does not, give no remediation and say in root_cause "
            "what you checked"
        )
    if answer.fault_found and _NO_FAULT.search(answer.root_cause):
        raise AnswerError(
            "fault_found is true but root_cause says there is no fault. Set fault_found to "
            "false, or state the fault"
        )
    copied = _copied_heading(answer.root_cause, context.runbook_headings)
    if copied:
        raise AnswerError(
            f"root_cause repeats the heading of runbook {copied!r}. State the cause in your "
            "own words: what failed, naming the objects (namespace/name) and the decisive "
            "log line, event or metric"
        )
    output = normalized(context.tool_output)
    kept = [q for q in answer.suspicious if normalized(q) and normalized(q) in output]
    dropped = [q for q in answer.suspicious if q not in kept]
    return answer.model_copy(update={"suspicious": kept}), dropped


def _copied_heading(root_cause: str, headings: dict[str, str]) -> str | None:
    """The runbook whose id, title or guidance heading the root cause merely repeats."""
    cause = normalized(root_cause)
    if "chosen for" in cause:
        return next(iter(headings), "the runbook guidance")
    for runbook_id, title in headings.items():
        names = {normalized(runbook_id), normalized(title)}
        if cause in names or cause.startswith(normalized(f"{runbook_id} {title}")):
            return runbook_id
    return None


def _span(ids: list[str]) -> str:
    if not ids:
        return "none"
    return ", ".join(ids) if len(ids) <= 8 else f"{ids[0]} to {ids[-1]}"
