"""Hypotheses tempting in the evidence, each with its verdict: what a reader would suspect.

Beside the root cause, the evidence often holds things that look guilty: another finding that
also holds, a restart that ended days ago, an Xid that DCGM still reports from long ago or on
another workload's GPU. `tempting` names each with a verdict (contributing, or ruled out and
why) and its evidence ids. Called by `frame.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from holmes.agent.engine.diagnosis import Diagnosis, Hypothesis
from holmes.agent.engine.findings import Verdict, write
from holmes.agent.engine.suspects import SUSPECTS, fits
from holmes.agent.engine.triage import Triage
from holmes.tools import ToolResult

# A restart this long before "now" is history, not the fault being asked about.
OLD_RESTART = timedelta(hours=6)


def root_summary(diagnosis: Diagnosis) -> str:
    """The root cause in one line: the root hop's summary in a chain, else the summary."""
    return diagnosis.chain[-1].summary if diagnosis.chain else diagnosis.summary


def tempting(
    diagnosis: Diagnosis,
    triaged: Triage,
    verdicts: list[Verdict],
    results: list[ToolResult],
    now: datetime,
) -> list[Hypothesis]:
    """The hypotheses the evidence makes tempting, with their verdicts."""
    return [
        *_also_held(diagnosis, verdicts),
        *_old_restarts(diagnosis, triaged, now),
        *_stray_xids(diagnosis, triaged, results),
    ]


def _also_held(diagnosis: Diagnosis, verdicts: list[Verdict]) -> list[Hypothesis]:
    """Other findings that hold: tempting, and real, but not the root cause chosen."""
    chained = {(h.runbook_id, h.finding_id) for h in diagnosis.chain}
    found = []
    for other in verdicts[1:3]:
        if (other.runbook.id, other.finding.id) in chained:
            continue
        if other.runbook.priority < verdicts[0].runbook.priority:
            continue  # a generic finding that yields to the specific one (a crash loop to an Xid)
        first = write(other, other.functions)["evidence"][0]
        found.append(
            Hypothesis(
                hypothesis=other.runbook.title,
                origin="evidence",
                verdict="contributing",
                reason=f"Also holds ({other.finding.confidence} confidence), ranked below the "
                f"root cause: {first.claim}",
                evidence_ids=first.evidence_ids,
            )
        )
    return found


def _old_restarts(diagnosis: Diagnosis, triaged: Triage, now: datetime) -> list[Hypothesis]:
    """Restarts that ended long before the question's time: history, ruled out as the cause
    (unless the answer is itself about restarts)."""
    found = []
    for pod in triaged.pods:
        if not pod["ok"]:
            continue
        for container in pod["data"].get("containers", []):
            finished = _when(container.get("last_finished"))
            if not container.get("restart_count") or finished is None:
                continue
            if now - finished < OLD_RESTART or _about_restarts(diagnosis):
                continue
            hours = int((now - finished).total_seconds() // 3600)
            found.append(
                Hypothesis(
                    hypothesis=f"the restart of {pod['data'].get('name', 'the pod')}"
                    f"/{container.get('name')}",
                    origin="evidence",
                    verdict="ruled_out",
                    reason=f"{container.get('restart_count')} restart(s), the last ended "
                    f"{_ago(hours)} before the question's time ({container.get('last_reason')}"
                    f", exit {container.get('last_exit_code')}); the container has run since.",
                    evidence_ids=[pod["id"]],
                )
            )
    return found[:2]


def _stray_xids(
    diagnosis: Diagnosis, triaged: Triage, results: list[ToolResult]
) -> list[Hypothesis]:
    """Xids in the GPU health read when the root cause is not the GPU: an old one (the
    counter keeps its last value) or one on a GPU that serves none of the subject's pods is
    ruled out; a new one on a GPU of the subject's pods is kept as contributing."""
    gpu = SUSPECTS[0]
    root = [f"{h.runbook_id}/{h.finding_id}" for h in diagnosis.chain[-1:]] or [
        diagnosis.runbook_id or ""
    ]
    if not diagnosis.fault_found or fits(root[0], gpu):
        return []
    subject_pods = {f"{p['namespace']}/{p['name']}" for p in triaged.subject.get("pods", [])}
    found: list[Hypothesis] = []
    for result in results:
        if result.tool != "prometheus_gpu_health" or not result.ok:
            continue
        for state in (result.data or {}).get("gpus", []):
            xid = state.get("xid")
            if not xid or any(h.evidence_ids == [result.evidence_id] for h in found):
                continue
            ours = bool(subject_pods & set(state.get("pods") or []))
            old = xid.get("since") is None or not xid.get("current", True)
            verdict = "contributing" if ours and not old else "ruled_out"
            why = (
                "an old value: DCGM keeps reporting the last Xid, and this one did not change "
                "in the window"
                if old
                else (
                    "new in the window, on a GPU of the subject's pods"
                    if ours
                    else "new in the window, but on a GPU that serves none of the subject's pods"
                )
            )
            found.append(
                Hypothesis(
                    hypothesis=f"Xid {xid.get('code')} on GPU {state.get('gpu')} of "
                    f"{state.get('node')}",
                    origin="evidence",
                    verdict=verdict,
                    reason=f"{why}; the root cause found is {root_summary(diagnosis).rstrip('.')}.",
                    evidence_ids=[result.evidence_id],
                )
            )
    return found[:2]


def _about_restarts(diagnosis: Diagnosis) -> bool:
    ids = [h.runbook_id for h in diagnosis.chain] or [diagnosis.runbook_id or ""]
    return any(i.startswith(("crashloop", "oom-killed", "probe-failures", "cuda-oom")) for i in ids)


def _ago(hours: int) -> str:
    return f"{hours // 24} day(s)" if hours >= 48 else f"{hours} h"


def _when(value: Any) -> datetime | None:
    """An API server timestamp (`2026-03-18T14:32:00Z`), or None."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
