"""Fixtures for tool tests: a replay per sample bundle (started once per session) and contexts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from holmes.evals import load_bundle
from holmes.evals.replay import ReplayEndpoints, replay
from holmes.tools import ToolResult, default_registry
from holmes.tools.context import Limits, SourceEndpoints, ToolContext
from tests.conftest import INCIDENTS


def context_for(endpoints: ReplayEndpoints, limits: Limits | None = None) -> ToolContext:
    """A ToolContext on a replay's endpoints, its clock fixed at the incident's time."""
    return ToolContext(
        SourceEndpoints(
            kubeconfig=endpoints.kubeconfig,
            prometheus_url=endpoints.prometheus_url,
            hubble_address=endpoints.hubble_address,
        ),
        now=endpoints.time,
        limits=limits,
    )


@pytest.fixture(scope="session")
def replayed() -> Iterator[Callable[[str | Path], ReplayEndpoints]]:
    """Start (once per session) the replay of a bundle, by sample id or by path."""
    started: dict[str, ReplayEndpoints] = {}
    with ExitStack() as stack:

        def start(bundle: str | Path) -> ReplayEndpoints:
            path = Path(bundle) if Path(bundle).is_absolute() else INCIDENTS / bundle
            key = str(path)
            if key not in started:
                started[key] = stack.enter_context(replay(load_bundle(path)))
            return started[key]

        yield start


@pytest.fixture
async def tool_context(
    replayed: Callable[[str | Path], ReplayEndpoints],
) -> AsyncIterator[Callable[..., ToolContext]]:
    """A fresh ToolContext (own clients, own evidence ids) on the replay of a bundle.

    Contexts made by a test are closed after it, on the test's own event loop.
    """
    made: list[ToolContext] = []

    def make(bundle: str | Path, limits: Limits | None = None) -> ToolContext:
        made.append(context_for(replayed(bundle), limits))
        return made[-1]

    yield make
    for ctx in made:
        await ctx.aclose()


@pytest.fixture
def call(tool_context: Callable[..., ToolContext]) -> Callable[..., Awaitable[ToolResult]]:
    """`await call(tool, bundle, limits=None, **arguments)` through the default registry."""
    registry = default_registry()

    async def invoke(
        tool: str, bundle: str | Path, limits: Limits | None = None, **arguments: object
    ) -> ToolResult:
        return await registry.invoke(tool, arguments, tool_context(bundle, limits))

    return invoke
