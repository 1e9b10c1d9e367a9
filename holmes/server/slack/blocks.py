"""A Diagnosis as Slack messages: Block Kit within Slack's limits, and a text fallback.

Root cause, the evidence claims with their ids, the remediation with commands in code blocks,
confidence and cost, what could not be checked, and the feedback buttons. A section's text is
cut into pieces of at most 3,000 characters and a message holds at most 50 blocks, so a long
answer becomes several messages. Only the diagnosis' own fields are shown (claims cite evidence
ids, never raw tool output); redaction happens where messages leave (`poster.py`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from holmes.agent.engine.diagnosis import Diagnosis

MAX_SECTION = 3000
MAX_BLOCKS = 50
MAX_TEXT = 3000  # the fallback: Slack cuts at 40,000; a notification needs far less
FEEDBACK_ACTIONS = ("holmes_feedback_correct", "holmes_feedback_wrong")

Block = dict[str, Any]


class SlackMessage(BaseModel):
    """One message to post: the notification/fallback text and its blocks."""

    text: str
    blocks: list[Block]


def answer_messages(
    diagnosis: dict[str, Any], investigation_id: str, note: str | None = None
) -> list[SlackMessage]:
    """The answer as one or more messages; the last one carries the feedback buttons."""
    answer = Diagnosis.model_validate(diagnosis)
    blocks: list[Block] = []
    if note:
        blocks += _context(note)
    # A direct answer (logs, not-ready pods, changes) is what was asked, not a root cause.
    label = "Answer" if answer.answer_kind != "diagnosis" else "Root cause"
    blocks += _sections(f"*{label}:* {answer.root_cause}")
    if answer.summary and answer.summary != answer.root_cause:
        blocks += _sections(answer.summary)
    if answer.explanation:
        blocks += _sections(answer.explanation)
    if answer.chain:
        hops = [
            f"{number}. *{hop.role.replace('_', ' ')}* "
            f"{hop.subject.text() if hop.subject else 'the namespace'}: {hop.summary} "
            f"`{', '.join(dict.fromkeys(i for c in hop.evidence for i in c.evidence_ids))}`"
            for number, hop in enumerate(answer.chain, 1)
        ]
        blocks += _sections("*Causal chain*\n" + "\n".join(hops))
    if answer.hypotheses:
        lines = [
            f"• {h.hypothesis}: *{h.verdict.replace('_', ' ')}*. {h.reason}"
            + (f" `{', '.join(h.evidence_ids)}`" if h.evidence_ids else "")
            for h in answer.hypotheses
        ]
        blocks += _sections("*Hypotheses*\n" + "\n".join(lines))
    if answer.evidence:
        lines = [
            f"• {claim.claim} `{', '.join(claim.evidence_ids)}`"
            if claim.evidence_ids
            else f"• {claim.claim}"
            for claim in answer.evidence
        ]
        blocks += _sections("*Evidence*\n" + "\n".join(lines))
    if answer.remediation:
        steps = []
        for number, step in enumerate(answer.remediation, 1):
            command = f"\n```{step.command}```" if step.command else ""
            steps.append(f"{number}. {step.action}{command}")
        blocks += _sections("*Remediation*\n" + "\n".join(steps))
    if answer.alert_explanation and answer.alert_explanation.checks:
        checks = [
            f"{n}. {c.action}" + (f"\n```{c.command}```" if c.command else "")
            for n, c in enumerate(answer.alert_explanation.checks, 1)
        ]
        title = f"*What to check for {answer.alert_explanation.alert}*"
        blocks += _sections(title + "\n" + "\n".join(checks))
    for source in answer.sources_unavailable:
        blocks += _sections(f":warning: *{source.source} could not be checked:* {source.reason}")
    for warning in answer.warnings:
        blocks += _sections(f":warning: {warning}")
    blocks += _context(_footer(answer, investigation_id))
    blocks.append(feedback_block(investigation_id))
    text = _fallback(answer, note)
    return [
        SlackMessage(text=text if index == 0 else f"{text} (continued)", blocks=chunk)
        for index, chunk in enumerate(_chunks(blocks))
    ]


def error_message(error: str, investigation_id: str) -> SlackMessage:
    """An investigation that failed: said so, with its id."""
    text = f"The investigation failed: {error}"
    return SlackMessage(
        text=text[:MAX_TEXT],
        blocks=_sections(f":x: {text}") + _context(f"investigation `{investigation_id}`"),
    )


def progress_text(tool_calls: int, last_tool: str | None, *, done: bool = False) -> str:
    """The progress message: how far the investigation is."""
    calls = f"{tool_calls} tool call{'s' if tool_calls != 1 else ''}"
    if done:
        return f"Done: {calls}. The answer is in the thread."
    last = f" (last: {last_tool})" if last_tool else ""
    return f"Looking into it: {calls} so far{last}..."


def feedback_block(investigation_id: str) -> Block:
    """The "correct" / "wrong" buttons; their value is the investigation id."""
    correct, wrong = FEEDBACK_ACTIONS
    return {
        "type": "actions",
        "block_id": f"feedback-{investigation_id}",
        "elements": [
            _button("Correct", correct, investigation_id, "primary"),
            _button("Wrong", wrong, investigation_id, "danger"),
        ],
    }


def _button(label: str, action_id: str, value: str, style: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
        "style": style,
    }


def _sections(text: str) -> list[Block]:
    """`text` as sections of at most 3,000 characters, cut at line ends where possible."""
    pieces, rest = [], text
    while len(rest) > MAX_SECTION:
        cut = rest.rfind("\n", 0, MAX_SECTION)
        cut = cut if cut > MAX_SECTION // 2 else MAX_SECTION
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    pieces.append(rest)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in pieces]


def _context(text: str) -> list[Block]:
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}]


def _footer(answer: Diagnosis, investigation_id: str) -> str:
    cost = answer.cost
    usd = f", ~${cost.estimated_usd:.4f}" if cost.estimated_usd is not None else ""
    runbook = f", runbook `{answer.runbook_id}`" if answer.runbook_id else ""
    return (
        f"Confidence: *{answer.confidence}* | {cost.tool_calls} tool calls, "
        f"{cost.seconds:.1f} s{usd} ({answer.mode}{runbook}) | investigation `{investigation_id}`"
    )


def _fallback(answer: Diagnosis, note: str | None) -> str:
    lead = f"{note}\n" if note else ""
    label = "Answer" if answer.answer_kind != "diagnosis" else "Root cause"
    return f"{lead}{label}: {answer.root_cause}"[:MAX_TEXT]


def _chunks(blocks: list[Block]) -> list[list[Block]]:
    return [blocks[start : start + MAX_BLOCKS] for start in range(0, len(blocks), MAX_BLOCKS)]
