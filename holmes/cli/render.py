"""A Diagnosis as the markdown a person reads: root cause first, then evidence, then the fix.

Used by `holmes ask` (printed through rich) and, later, by Slack and the HTTP API's text view.
`diagnosis_markdown` is a pure function, tested as text.
"""

from __future__ import annotations

from holmes.agent.diagnosis import Diagnosis, RemediationStep, SourceUnavailable

_MODES = {"runbook": "runbook engine", "llm": "LLM agent", "llm_fallback": "runbook fallback"}


def diagnosis_markdown(diagnosis: Diagnosis, *, verbose: bool = False) -> str:
    """Markdown for a diagnosis; `verbose` adds what was checked and the notes."""
    lines = [f"## {diagnosis.summary}", ""]
    # A no-fault answer's root cause says itself what was (not) found; no label to add.
    # A direct answer (logs, not-ready pods, changes) is what was asked, not a root cause.
    direct = diagnosis.answer_kind != "diagnosis"
    head = "**Root cause:** " if diagnosis.fault_found and not direct else ""
    lines += [head + diagnosis.root_cause, ""]
    if diagnosis.explanation:
        lines += [diagnosis.explanation, ""]
    if diagnosis.evidence:
        lines.append("### Evidence")
        for claim in diagnosis.evidence:
            ids = ", ".join(claim.evidence_ids) or "no evidence id"
            lines.append(f"- {claim.claim} [{ids}]")
        calls = diagnosis.checked_calls()
        cited = dict.fromkeys(i for claim in diagnosis.evidence for i in claim.evidence_ids)
        described = [f"  - {i}: {calls[i]}" for i in cited if i in calls]
        if described:
            lines += ["- where the evidence comes from:", *described]
        lines.append("")
    if diagnosis.remediation:
        lines.append("### Remediation")
        for number, step in enumerate(diagnosis.remediation, 1):
            lines.append(f"{number}. {step.action}")
            if step.command:
                lines += ["", "   ```", f"   {step.command}", "   ```"]
        lines.append("")
    if diagnosis.alert_explanation and diagnosis.alert_explanation.checks:
        lines.append(f"### What to check for {diagnosis.alert_explanation.alert}")
        lines += _numbered(diagnosis.alert_explanation.checks)
    if diagnosis.warnings:
        lines.append("### Warnings")
        lines += [f"- {warning}" for warning in diagnosis.warnings]
        lines.append("")
    if diagnosis.sources_unavailable:
        lines.append("### Sources unavailable")
        lines += [_unavailable(s) for s in diagnosis.sources_unavailable]
        lines.append("")
    cost = diagnosis.cost
    footer = (
        f"confidence {diagnosis.confidence}; runbook {diagnosis.runbook_id or '-'}; "
        f"{_MODES[diagnosis.mode]}; {cost.tool_calls} tool calls in {cost.seconds:.2f} s"
    )
    if cost.llm_calls:
        footer += (
            f"; {cost.llm_calls} LLM calls, {cost.prompt_tokens}+{cost.completion_tokens} tokens"
        )
        if cost.estimated_usd is not None:
            footer += f", ~${cost.estimated_usd:.4f}"
    lines.append(f"_{footer}_")
    if verbose:
        lines += ["", "### Checked", *(f"- {c}" for c in diagnosis.checked)]
        if diagnosis.notes:
            lines += ["", "### Notes", *(f"- {n}" for n in diagnosis.notes)]
    return "\n".join(lines)


def _numbered(steps: list[RemediationStep]) -> list[str]:
    """Numbered steps, each command in a code block, and a blank line after them."""
    lines = []
    for number, step in enumerate(steps, 1):
        lines.append(f"{number}. {step.action}")
        if step.command:
            lines += ["", "   ```", f"   {step.command}", "   ```"]
    return [*lines, ""]


def _unavailable(source: SourceUnavailable) -> str:
    """`- prometheus: <reason>; not checked: GPU Xid error, ...` (the endpoint when the reason
    does not name it)."""
    line = f"- {source.source}"
    if source.endpoint and source.endpoint not in source.reason:
        line += f" ({source.endpoint})"
    line += f": {source.reason}"
    if source.unchecked:
        line += f"; not checked: {', '.join(source.unchecked)}"
    return line
