"""Round trip of `holmes record` over every public incident.

Each incident is replayed and recorded in-process (as `holmes record --incident` does), the
original `expected` is copied into the recorded incident.yaml, and the recorded suite must pass
`holmes eval` with the same runbook: what was recorded is all the investigation needs. The
recordings run in parallel threads, each with its own replay and event loop.
"""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.evals import load_bundle
from holmes.evals.record import RecordOutcome, record_investigation
from holmes.evals.replay import replay
from holmes.evals.replay.prometheus_errors import PrometheusReplayError
from holmes.evals.runner import context_for, request_for, run_incident, run_suite
from tests.conftest import INCIDENTS

pytestmark = pytest.mark.slow

_ENGINE = RunbookEngine()


# A Prometheus replay forked while gRPC threads run may abort before exec (exit -6): CPython
# forks the slow way because of the replay's preexec_fn, running gRPC's fork handlers. The fix
# (vfork, no preexec_fn) is in flight on another branch; until it lands, a replay that failed
# to start is retried once here, and only that.
_START_FAILURE = "PrometheusReplayError"


def record_from_replay(incident: Path, out: Path) -> RecordOutcome:
    """Replay `incident` and record its question/alert into `out` (one retry of a failed start)."""
    try:
        return _record(incident, out)
    except PrometheusReplayError:
        shutil.rmtree(out, ignore_errors=True)
        return _record(incident, out)


def _record(incident: Path, out: Path) -> RecordOutcome:
    bundle = load_bundle(incident)
    with replay(bundle) as endpoints:
        ctx = context_for(endpoints)

        async def run() -> RecordOutcome:
            try:
                return await record_investigation(
                    _ENGINE, request_for(bundle), ctx, out, since=timedelta(hours=1)
                )
            finally:
                await ctx.aclose()

        return asyncio.run(run())


def with_expected(recorded: Path, original: Path) -> None:
    """Copy the original incident's `expected` into the recorded incident.yaml (of a webhook
    body, the first alert's: `request_for` records the investigation of that alert)."""
    expected = load_bundle(original).expected_for(0).model_dump(exclude_defaults=True)
    path = recorded / "incident.yaml"
    document = yaml.safe_load(path.read_text())
    document["expected"] = expected
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_every_public_incident_round_trips(tmp_path: Path) -> None:
    incidents = sorted(p for p in INCIDENTS.iterdir() if (p / "incident.yaml").is_file())
    assert len(incidents) >= 35
    suite = tmp_path / "recorded"
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda p: record_from_replay(p, suite / p.name), incidents))
    for incident, outcome in zip(incidents, outcomes, strict=True):
        assert outcome.notes == [], f"{incident.name}: {outcome.notes}"
        with_expected(outcome.folder, incident)
    results = [
        run_incident(suite / r.incident, _ENGINE.diagnose)
        if (r.error or "").startswith(_START_FAILURE)
        else r
        for r in run_suite(suite, _ENGINE, workers=4)
    ]
    failures = {r.incident: r.error or "; ".join(r.missing) for r in results if not r.passed}
    assert failures == {}
    # The same runbook answers the recording as the original (where the original names one).
    for result, outcome in zip(results, outcomes, strict=True):
        assert result.runbook == outcome.diagnosis.runbook_id, result.incident
