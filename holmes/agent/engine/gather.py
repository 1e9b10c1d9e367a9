"""Running tool calls for an investigation: one registry, one context, a cache, a tally.

Triage and the runbook steps ask for evidence through `Gatherer.call`. Two runbooks that want
the same call (the same tool and arguments) share one result and one evidence id, calls run
concurrently under a bound, and every result is kept so the answer can cite it, list what was
checked and say which sources were unavailable. An optional `on_call` callback sees each call
as it starts and ends (the CLI prints a live line per call).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from holmes.agent.engine.injection import elide_in_data, elide_instructions
from holmes.tools import ToolContext, ToolRegistry, ToolResult

CallListener = Callable[[str, dict[str, Any], ToolResult | None], None]


class Gatherer:
    """Invokes tools through the registry, once per distinct call."""

    def __init__(
        self,
        registry: ToolRegistry,
        ctx: ToolContext,
        *,
        concurrency: int = 8,
        on_call: CallListener | None = None,
    ) -> None:
        self.registry = registry
        self.ctx = ctx
        self.results: list[ToolResult] = []
        # (evidence id, text as the tool returned it) of the results holding instruction-like
        # lines, for the warnings: the results themselves carry the lines elided.
        self.flagged: list[tuple[str, str]] = []
        self._cache: dict[str, asyncio.Task[ToolResult]] = {}
        self._bound = asyncio.Semaphore(concurrency)
        self._on_call = on_call
        self._started = time.perf_counter()

    async def call(self, tool: str, arguments: dict[str, Any]) -> ToolResult:
        """The result of one tool call; a repeated call returns the first result."""
        clean = {key: value for key, value in arguments.items() if value is not None}
        key = tool + json.dumps(clean, sort_keys=True, default=str)
        if key not in self._cache:
            self._cache[key] = asyncio.ensure_future(self._invoke(tool, clean))
        return await self._cache[key]

    async def _invoke(self, tool: str, arguments: dict[str, Any]) -> ToolResult:
        async with self._bound:
            if self._on_call:
                self._on_call(tool, arguments, None)
            result = await self.registry.invoke(tool, arguments, self.ctx)
        self._quote_as_data(result)
        self.results.append(result)
        if self._on_call:
            self._on_call(tool, arguments, result)
        return result

    def _quote_as_data(self, result: ToolResult) -> None:
        """Elide the instruction part of flagged lines in the result's text and data,
        remembering what they said for the warnings."""
        if not result.ok:
            return
        flagged: list[str] = []
        text = elide_instructions(result.text)
        if text is not result.text:
            flagged.append(result.text)
        data = elide_in_data(result.data, flagged)
        if flagged:
            self.flagged.append((result.evidence_id, "\n".join(flagged)))
            result.text, result.data = text, data

    def by_id(self, evidence_id: str) -> ToolResult | None:
        """The result with this evidence id, if this investigation produced it."""
        return next((r for r in self.results if r.evidence_id == evidence_id), None)

    @property
    def seconds(self) -> float:
        """Wall time since the gatherer was made."""
        return time.perf_counter() - self._started


def as_evidence(result: ToolResult, item: Any = None) -> dict[str, Any]:
    """A result as rules see it: `ok`, `data`, `text`, `id`, `error`, the call's `args`, and the
    `item` it was for."""
    return {
        "id": result.evidence_id,
        "tool": result.tool,
        "args": result.arguments,
        "ok": result.ok,
        "data": result.data,
        "text": result.text,
        "error": result.error.message if result.error else "",
        "error_kind": result.error.kind if result.error else "",
        "item": item,
    }
