"""The answer the evidence sweep gives: a finding that quotes what it saw, or the abstention
with what was swept added.

A finding needs a symptom (`SweepSignal.symptom`): a rollout alone is no fault. Its confidence
is medium when signals of two different kinds agree (throttling and slow logs, an exception
after a rollout), low otherwise; every claim cites its own evidence ids. Without a symptom the
engine's abstention stands, and says what the sweep read. Called by the engine.
"""

from __future__ import annotations

from holmes.agent.engine.diagnosis import Claim, Diagnosis, RemediationStep
from holmes.agent.engine.sweep_facts import SweepResult, SweepSignal, window_text

_MAX_CLAIMS = 6
_MAX_STEPS = 4


def answer_with_sweep(swept: SweepResult | None, abstained: Diagnosis, subject: str) -> Diagnosis:
    """The sweep's finding when it has a symptom, else `abstained` noting what was swept."""
    if swept is None:
        return abstained
    symptoms = swept.symptoms
    if not symptoms:
        return _noted(abstained, swept)
    return _finding(swept, symptoms, abstained, subject)


def _finding(
    swept: SweepResult, symptoms: list[SweepSignal], abstained: Diagnosis, subject: str
) -> Diagnosis:
    top = symptoms[0]
    changes = [s for s in swept.ranked() if s.kind in ("rollout", "config")]
    kinds = {s.kind for s in symptoms} | {s.kind for s in changes}
    confidence = "medium" if len({_family(k) for k in kinds}) >= 2 else "low"
    root_cause = top.claim.rstrip(".") + "."
    if changes:
        root_cause += f" It follows a recent change: {changes[0].claim}."
    others = [s for s in swept.ranked() if s is not top and s not in changes[:1]]
    explanation = (
        f"No runbook's finding holds for {subject}, so holmes swept the evidence a runbook does "
        f"not read (within the last {window_text(swept.window_seconds)}): "
        + "; ".join(swept.swept)
        + ". "
    )
    if others:
        explanation += "Also seen: " + "; ".join(s.claim for s in others[:4]) + ". "
    explanation += (
        "This is what the evidence shows, not a runbook's diagnosis: confirm it before acting."
    )
    claims = [Claim(claim=s.claim, evidence_ids=s.evidence_ids) for s in [top, *changes[:1]]]
    claims += [Claim(claim=s.claim, evidence_ids=s.evidence_ids) for s in others]
    steps: list[RemediationStep] = []
    for signal in [top, *changes[:1], *others]:
        for remedy in signal.remedies:
            if all(step.action != remedy.action for step in steps):
                steps.append(RemediationStep(action=remedy.action, command=remedy.command))
    return Diagnosis(
        summary=f"{subject}: " + _headline(top),
        root_cause=root_cause,
        explanation=explanation,
        evidence=claims[:_MAX_CLAIMS],
        remediation=steps[:_MAX_STEPS],
        confidence=confidence,
        fault_found=True,
        sources_unavailable=abstained.sources_unavailable,
        notes=[f"evidence sweep: {len(swept.signals)} signal(s); no runbook finding held"],
    )


def _family(kind: str) -> str:
    """Signals of one family do not corroborate each other (cpu and memory are both metrics)."""
    return {"cpu": "metrics", "memory": "metrics", "config": "rollout"}.get(kind, kind)


def _headline(signal: SweepSignal) -> str:
    """The signal's claim up to its colon or parenthesis, for the summary."""
    head = signal.claim.split(": ")[0].split(" (")[0]
    return head if len(head) <= 140 else head[:137] + "..."


def _noted(abstained: Diagnosis, swept: SweepResult) -> Diagnosis:
    """The abstention, saying what the sweep read and that none of it showed a fault."""
    if not swept.swept:
        return abstained
    window = window_text(swept.window_seconds)
    what = "; ".join(swept.swept)
    abstained.explanation = (
        abstained.explanation.rstrip() + f" Also swept, within the last {window}, with nothing "
        f"decisive found: {what}."
    ).strip()
    weak = [s.claim for s in swept.ranked()]
    if weak:
        abstained.explanation += " Seen, but no fault by itself: " + "; ".join(weak[:3]) + "."
    if swept.evidence_ids:
        abstained.evidence.append(
            Claim(claim=f"Swept with no decisive signal: {what}", evidence_ids=swept.evidence_ids)
        )
    return abstained
