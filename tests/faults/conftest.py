"""Fixtures for the faulty-source tests: replays of public incidents, one source swapped out."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.evals import load_bundle
from holmes.evals.replay import ReplayEndpoints
from holmes.evals.runner import request_for
from holmes.tools import Limits, SourceEndpoints, ToolContext, default_registry
from tests.conftest import INCIDENTS
from tests.faults.servers import swapped
from tests.tools.conftest import replayed  # noqa: F401  (fixture)

# Short, so that a hang costs little; the bound asserted is this plus a few seconds.
TOOL_TIMEOUT = 2.0
ENGINE = RunbookEngine(default_registry())


class Outcome:
    """One investigation against faulty sources: its answer, wall time and the endpoints."""

    def __init__(self, diagnosis: Diagnosis, seconds: float, sources: SourceEndpoints) -> None:
        self.diagnosis = diagnosis
        self.seconds = seconds
        self.sources = sources

    def unavailable(self, source: str):
        """The `sources_unavailable` entry of `source` (fails the test when there is none)."""
        found = [s for s in self.diagnosis.sources_unavailable if s.source == source]
        assert found, f"{source} missing from {self.diagnosis.sources_unavailable}"
        return found[0]


@pytest.fixture
def investigate_with_faults(
    replayed: Callable[[str], ReplayEndpoints],  # noqa: F811
    tmp_path: Path,
) -> Callable[..., Outcome]:
    """`await investigate_with_faults(incident, {source: fault})`: the runbook engine's answer
    to the incident's question with those sources faulty, timed."""

    async def run(incident: str, faults: dict[str, str]) -> Outcome:
        endpoints = replayed(incident)
        request: InvestigationRequest = request_for(load_bundle(INCIDENTS / incident))
        with swapped(endpoints, faults, tmp_path) as sources:
            ctx = ToolContext(
                sources, now=endpoints.time, limits=Limits(timeout_seconds=TOOL_TIMEOUT)
            )
            started = time.perf_counter()
            try:
                diagnosis = await ENGINE.diagnose(request, ctx)
            finally:
                await ctx.aclose()
            return Outcome(diagnosis, time.perf_counter() - started, sources)

    return run
