"""The asker's frame: the reported symptom in their words, and the suspects they named.

An answer that is right about its finding can still miss the question: "why does the
training job stall?" wants the stall explained, and "is it the GPU?" wants the GPU ruled in
or out. `frame` (called by the engine on every answer) sets `Diagnosis.symptom` from the
question or the alert, leads the root cause with it ("The training job stalls because ..."),
and fills `Diagnosis.hypotheses`: each suspect the question names (`suspects.py`) and each
one the evidence makes tempting (`tempting.py`) gets a verdict, with the evidence ids behind
it.
"""

from __future__ import annotations

import re
from datetime import datetime

from holmes.agent.engine.diagnosis import Diagnosis, Hypothesis
from holmes.agent.engine.findings import Verdict, write
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.suspects import Suspect, asked_suspects, fits
from holmes.agent.engine.symptoms import symptom_of
from holmes.agent.engine.tempting import root_summary, tempting
from holmes.agent.engine.triage import Triage
from holmes.tools import ToolResult


def frame(
    diagnosis: Diagnosis,
    request: InvestigationRequest,
    triaged: Triage,
    verdicts: list[Verdict],
    results: list[ToolResult],
    now: datetime,
) -> None:
    """Set the symptom and the hypotheses of `diagnosis`, and lead its root cause with the
    symptom when a cause was found."""
    diagnosis.symptom = symptom_of(request)
    if _leads(diagnosis):
        diagnosis.root_cause = (
            f"{_capital(diagnosis.symptom)} because {_lower(diagnosis.root_cause)}"
        )
    diagnosis.hypotheses = [
        *(_judge(s, phrase, diagnosis, verdicts, results) for phrase, s in asked_suspects(request)),
        *tempting(diagnosis, triaged, verdicts, results, now),
    ]


def _leads(diagnosis: Diagnosis) -> bool:
    """Whether the symptom should lead the root cause: a cause was found and the root cause
    does not already open with the same words (an alert summary often does)."""
    if not (diagnosis.symptom and diagnosis.fault_found and diagnosis.confidence != "none"):
        return False
    opening = diagnosis.symptom.lower().split()[:2]
    return diagnosis.root_cause.lower().split()[:2] != opening


def _judge(
    suspect: Suspect,
    phrase: str,
    diagnosis: Diagnosis,
    verdicts: list[Verdict],
    results: list[ToolResult],
) -> Hypothesis:
    """The verdict on a suspect the question named."""
    bare = suspect.name.removeprefix("the ")
    asked = phrase if bare.lower() in phrase.lower() else f"{phrase} ({suspect.name})"
    hops = diagnosis.chain
    root_id = (
        f"{hops[-1].runbook_id}/{hops[-1].finding_id}"
        if hops
        else (f"{verdicts[0].runbook.id}/{verdicts[0].finding.id}" if verdicts else None)
    )
    if diagnosis.fault_found and fits(root_id, suspect) and diagnosis.confidence != "none":
        ids = [i for claim in diagnosis.evidence[:2] for i in claim.evidence_ids]
        return Hypothesis(
            hypothesis=asked,
            origin="question",
            verdict="confirmed",
            reason=f"The root cause is there: {root_summary(diagnosis)}",
            evidence_ids=list(dict.fromkeys(ids)),
        )
    for hop in hops[:-1]:
        if fits(f"{hop.runbook_id}/{hop.finding_id}", suspect):
            return Hypothesis(
                hypothesis=asked,
                origin="question",
                verdict="contributing",
                reason=f"A link of the chain, not its root: {hop.summary}",
                evidence_ids=[i for c in hop.evidence[:1] for i in c.evidence_ids],
            )
    for other in verdicts[1:]:
        if fits(f"{other.runbook.id}/{other.finding.id}", suspect):
            first = write(other, other.functions)["evidence"][0]
            return Hypothesis(
                hypothesis=asked,
                origin="question",
                verdict="contributing",
                reason=f"It also holds, beside the root cause: {first.claim}",
                evidence_ids=first.evidence_ids,
            )
    return _ruled_out_or_unchecked(asked, suspect, diagnosis, results)


def _ruled_out_or_unchecked(
    asked: str, suspect: Suspect, diagnosis: Diagnosis, results: list[ToolResult]
) -> Hypothesis:
    """Ruled out when evidence about the suspect was read and none of it held a fault; not
    checked when no tool that speaks to it answered. The GPU's evidence is its health."""
    preferred = [r for r in results if r.tool == suspect.tools[0] and r.ok]
    looked = (preferred or [r for r in results if r.tool in suspect.tools and r.ok])[:3]
    if not looked:
        failed = [r for r in results if r.tool in suspect.tools and not r.ok]
        why = f" ({failed[0].error.message})" if failed and failed[0].error else ""
        return Hypothesis(
            hypothesis=asked,
            origin="question",
            verdict="not_checked",
            reason=f"No evidence about {suspect.name} could be read{why}; it is neither "
            "confirmed nor ruled out.",
        )
    seen = "; ".join(f"{r.evidence_id} {_first_line(r.text)}" for r in looked)
    elsewhere = (
        f"the cause is elsewhere ({root_summary(diagnosis).rstrip('.')})"
        if diagnosis.fault_found and diagnosis.confidence != "none"
        else "no fault was found"
    )
    return Hypothesis(
        hypothesis=asked,
        origin="question",
        verdict="ruled_out",
        reason=f"No runbook finding about {suspect.name} holds and {elsewhere}. Read: {seen}",
        evidence_ids=sorted((r.evidence_id for r in looked), key=lambda i: int(i.lstrip("E"))),
    )


def _first_line(text: str) -> str:
    line = text.strip().split("\n")[0]
    return line if len(line) <= 140 else line[:137] + "..."


def _capital(text: str) -> str:
    """The first letter raised, unless the text opens with a URL or a host name (kept as typed)."""
    first = text.split(" ", 1)[0]
    if "://" in first or re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?", first):
        return text
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """The first letter lowered unless it starts an acronym or a name (GPU, XID, Service)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not _proper(text):
        return text[0].lower() + text[1:]
    return text


def _proper(text: str) -> bool:
    first = text.split(" ", 1)[0]
    return first in {
        "Service",
        "Pod",
        "Node",
        "Job",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Kueue",
        "Hubble",
        "Cilium",
        "ResourceClaim",
        "CronJob",
        "Container",
        "Ingress",
        "Gateway",
    } or any(c.isupper() for c in first[1:])
