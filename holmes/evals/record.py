"""Record an investigation as a bundle: investigate with a recorder on, complete, write.

Called by `holmes record` (holmes/cli/record.py) and the round-trip tests, in-process. The
runbook engine investigates as `holmes ask --no-llm` would, while the source clients report
what they read to a `SourceRecorder`; then `complete_recording` fetches whole logs and raw
series, and `write_bundle` writes the redacted bundle with `expected` left to fill.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import CallListener, RunbookEngine
from holmes.evals.bundle_writer import write_bundle
from holmes.tools import ToolContext
from holmes.tools.recorder import SourceRecorder
from holmes.tools.recording import Recording, complete_recording


class RecordOutcome(BaseModel):
    """What `holmes record` wrote, what the investigation answered, and what is missing."""

    folder: Path
    diagnosis: Diagnosis
    objects: int = 0
    logs: int = 0
    series: int = 0
    flows: int = 0
    notes: list[str] = Field(default_factory=list)


async def record_investigation(
    engine: RunbookEngine,
    request: InvestigationRequest,
    ctx: ToolContext,
    out: Path,
    *,
    since: timedelta,
    on_call: CallListener | None = None,
) -> RecordOutcome:
    """Investigate `request` on `ctx`'s sources and write what was read as a bundle in `out`."""
    recorder = SourceRecorder()
    ctx.recorder = recorder
    diagnosis = await engine.diagnose(request, ctx, on_call=on_call)
    recording = await complete_recording(recorder, ctx, time=_whole_second(ctx.now()), since=since)
    _unavailable_stays_unavailable(recording, diagnosis)
    answered = [
        f"runbook: {diagnosis.runbook_id or '(none)'}",
        f"root cause: {diagnosis.root_cause}",
    ]
    write_bundle(
        out,
        recording,
        question=request.question,
        alert=request.alert,
        answered=[" ".join(line.split()) for line in answered],
    )
    return RecordOutcome(
        folder=out,
        diagnosis=diagnosis,
        objects=len(recording.objects),
        logs=len(recording.logs),
        series=len(recording.series),
        flows=len(recording.flows),
        notes=recording.notes,
    )


def _unavailable_stays_unavailable(recording: Recording, diagnosis: Diagnosis) -> None:
    """A configured source that failed and gave nothing is left out of `sources`, so that the
    replay reports it unavailable as the investigation did, rather than serving it empty."""
    recorded = {
        "kubernetes": bool(recording.objects or recording.logs),
        "prometheus": bool(recording.series),
        "hubble": bool(recording.flows),
    }
    for missing in diagnosis.sources_unavailable:
        if missing.source in recording.sources and not recorded.get(missing.source, True):
            recording.sources.remove(missing.source)
            recording.notes.append(
                f"{missing.source}: unavailable during the investigation ({missing.reason}); "
                "the bundle records it as unavailable"
            )


def _whole_second(moment: datetime) -> datetime:
    """`moment` rounded up to a whole second: every sample a query saw is at or before it."""
    rounded = moment.replace(microsecond=0)
    return rounded if rounded == moment else rounded + timedelta(seconds=1)
