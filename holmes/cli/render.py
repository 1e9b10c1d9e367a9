"""A Diagnosis as the markdown a person reads: root cause first, then evidence, then the fix.

Used by `holmes ask` (printed through rich) and, later, by Slack and the HTTP API's text view.
`diagnosis_markdown` is a pure function, tested as text.
"""

from __future__ import annotations

from holmes.agent.engine.diagnosis import Diagnosis, RemediationStep, SourceUnavailable

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
    lines += _chain(diagnosis) + _hypotheses(diagnosis)
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


def _chain(diagnosis: Diagnosis) -> list[str]:
    """`### Causal chain`: one numbered line per hop, symptom first, with its evidence ids."""
    if not diagnosis.chain:
        return []
    lines = ["### Causal chain"]
    for number, hop in enumerate(diagnosis.chain, 1):
        where = hop.subject.text() if hop.subject else "the namespace"
        ids = sorted({i for claim in hop.evidence for i in claim.evidence_ids}, key=_id_order)
        via = f" ({hop.relation})" if hop.relation else ""
        role = hop.role.replace("_", " ")
        lines.append(
            f"{number}. **{role}** {where}{via}: {hop.summary} "
            f"[{', '.join(ids) or 'no evidence id'}; runbook {hop.runbook_id}]"
        )
    return [*lines, ""]


def _hypotheses(diagnosis: Diagnosis) -> list[str]:
    """`### Hypotheses`: each suspect with its verdict, its reason and its evidence ids."""
    if not diagnosis.hypotheses:
        return []
    lines = ["### Hypotheses"]
    for item in diagnosis.hypotheses:
        ids = f" [{', '.join(item.evidence_ids)}]" if item.evidence_ids else ""
        asked = " (asked)" if item.origin == "question" else ""
        verdict = item.verdict.replace("_", " ")
        lines.append(f"- {item.hypothesis}{asked}: **{verdict}**. {item.reason}{ids}")
    return [*lines, ""]


def _id_order(evidence_id: str) -> int:
    return int(evidence_id.lstrip("E") or 0) if evidence_id.lstrip("E").isdigit() else 0


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
