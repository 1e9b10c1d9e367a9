"""Source health as evidence: what a failing source left unchecked, and the answer that says so.

A source that failed during the investigation (refused, hung, 401/403, 5xx, an undecodable
answer: `holmes.tools.health`) is listed in the Diagnosis's `sources_unavailable` with where it
was asked, why it failed, and which runbooks could not be checked without it. A finding that
needed it cannot be ruled out, so when no finding holds the answer is never "no fault": it says
what could be checked, what could not and why, with low confidence (`unverified`). The engine
and the LLM agent's answer node call these.
"""

from __future__ import annotations

from collections.abc import Iterable

from holmes.agent.engine.diagnosis import Diagnosis, SourceUnavailable
from holmes.agent.engine.rules import Runbook
from holmes.tools import SourceHealth, ToolResult

# What a source's evidence covers, for a failure that no runbook's step hit (triage, the LLM).
_COVERS = {
    "kubernetes": "the cluster's objects, events and logs",
    "prometheus": "metrics (GPU health, resource use)",
    "hubble": "network flows",
}
_MAX_NAMED = 4


def short_title(runbook: Runbook) -> str:
    """A runbook's title up to its parenthesis: "GPU Xid error", "GPUs throttled"."""
    return runbook.title.split(" (")[0].strip()


def sources_unavailable(
    health: SourceHealth, unchecked: dict[str, list[str]] | None = None
) -> list[SourceUnavailable]:
    """Every source that failed, with what could not be checked without it."""
    unchecked = unchecked or {}
    return [
        SourceUnavailable(
            source=entry.source,
            endpoint=entry.endpoint,
            reason=entry.reason,
            fault=entry.fault,
            unchecked=list(dict.fromkeys(unchecked.get(entry.source, []))),
        )
        # Those that failed first, then those never configured (a choice, not news).
        for entry in sorted(health.degraded(), key=lambda e: e.fault == "not_configured")
    ]


def failed_sources(results: Iterable[ToolResult]) -> set[str]:
    """The sources whose own failure withheld some of these results."""
    return {r.error.source for r in results if r.error is not None and r.error.fault}


def degraded(sources: list[SourceUnavailable]) -> list[SourceUnavailable]:
    """The sources that were configured but failed (not configured is a choice, not a fault)."""
    return [s for s in sources if s.fault != "not_configured"]


def could_not_check(sources: list[SourceUnavailable]) -> list[str]:
    """One sentence per failed source: "Could not check GPU Xid error: prometheus at ... answered
    HTTP 500"."""
    lines = []
    for source in sources:
        named = source.unchecked[:_MAX_NAMED]
        what = ", ".join(named) or _COVERS.get(source.source, f"what {source.source} holds")
        if len(source.unchecked) > _MAX_NAMED:
            what += f" and {len(source.unchecked) - _MAX_NAMED} more"
        lines.append(f"Could not check {what}: {source.reason.rstrip('.')}.")
    return lines


def unverified(diagnosis: Diagnosis, subject: str | None, seen: str) -> Diagnosis:
    """`diagnosis` (no fault shown) rewritten to say that the failed sources leave it open.

    `subject` names what was asked about; `seen` is what the evidence that could be read showed.
    """
    failed = degraded(diagnosis.sources_unavailable)
    names = ", ".join(dict.fromkeys(s.source for s in failed))
    lines = could_not_check(failed)
    about = f" for {subject}" if subject else ""
    diagnosis.summary = f"Could not rule out a fault{about}: {names} unavailable"
    diagnosis.root_cause = "Not determined. " + " ".join(lines)
    diagnosis.explanation = (
        f"What could be checked shows no fault: {seen.rstrip('.')}. But the findings that need "
        f"{names} cannot be ruled out until it answers again; fix it (see the sources "
        "unavailable) and ask again."
    )
    diagnosis.confidence = "low"
    diagnosis.fault_found = False
    diagnosis.unverified = True
    return diagnosis


def note_unchecked(diagnosis: Diagnosis) -> None:
    """A fault found while a source failed: the answer stands, and says what was not seen."""
    for line in could_not_check(degraded(diagnosis.sources_unavailable)):
        if line not in diagnosis.notes:
            diagnosis.notes.append(line)


def checked_model_answer(answer: Diagnosis, runbook: Diagnosis) -> Diagnosis:
    """The model's answer held to the same rule: "nothing is wrong" is not an answer while a
    source it needed failed. Applies where the subject exists (the runbook engine found a fault,
    or could not rule one out), keeping the model's reading in the explanation."""
    if answer.fault_found or not degraded(answer.sources_unavailable):
        return answer
    if not (runbook.fault_found or runbook.unverified):
        return answer  # the subject does not exist, or Kubernetes could not be read at all
    reading = answer.explanation
    unverified(answer, None, "the model found none in the evidence it could read")
    if reading:
        answer.explanation += f" The model's reading of that evidence: {reading}"
    return answer
