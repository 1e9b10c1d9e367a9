"""The health of each source during one investigation: which failed, how, and what to skip.

The registry records here every tool error whose `fault` says the source itself failed
(`base.py` lists the faults). Two things follow:

- The source is *degraded* for the investigation: `degraded()` lists each such source once,
  with its endpoint and the first reason, and the answer names it (a finding that needed it
  cannot be ruled out).
- A source that hung or could not be reached is *down*: later calls to it fail at once with
  the same reason (`down(source)`), and calls already waiting on it are released
  (`wait_down`), so a dead endpoint costs at most one timeout per investigation. A source that
  answered badly (5xx, 401/403, an undecodable body) stays callable: the answer came fast, and
  another request may well succeed.

One `SourceHealth` lives on each `ToolContext`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from holmes.tools.base import ToolError

# How a source failed (the `fault` of a ToolError; `base.py` explains each).
SourceFault = Literal[
    "not_configured", "unreachable", "timeout", "auth", "server_error", "bad_response"
]
# Faults after which the source is not asked again in this investigation.
_DOWN: frozenset[SourceFault] = frozenset({"unreachable", "timeout"})


class SourceDegraded(BaseModel):
    """A source that failed during the investigation: where it is, how it failed, and why."""

    source: str
    endpoint: str | None = None
    fault: SourceFault
    reason: str


class SourceHealth:
    """What each source's failures were so far in one investigation."""

    def __init__(self) -> None:
        self._degraded: dict[str, SourceDegraded] = {}
        self._down: dict[str, ToolError] = {}
        # One event per source and event loop (a context may outlive a loop: `ask -i`).
        self._down_events: dict[tuple[str, int], asyncio.Event] = {}

    def record(self, error: ToolError) -> None:
        """Note a tool error; only a failure of the source itself (`fault` set) counts."""
        if error.fault is None:
            return
        if error.source not in self._degraded or (
            self._degraded[error.source].fault == "not_configured"
        ):
            self._degraded[error.source] = SourceDegraded(
                source=error.source,
                endpoint=error.endpoint,
                fault=error.fault,
                reason=error.message,
            )
        if error.fault in _DOWN and error.source not in self._down:
            self._down[error.source] = error
            for (source, _), event in self._down_events.items():
                if source == error.source:
                    event.set()

    def record_if_down(self, error: ToolError) -> None:
        """Note an error only if it shows the source down (a probe's answer: its other
        failures are left for the real calls to find)."""
        if error.fault in _DOWN:
            self.record(error)

    def down(self, source: str) -> ToolError | None:
        """The error that took `source` down, for a later call to report without asking it."""
        error = self._down.get(source)
        if error is None:
            return None
        message = f"{error.message} (an earlier call found this; not asked again)"
        return error.model_copy(update={"message": message})

    def ask_again(self) -> None:
        """Forget which sources were down (what failed stays listed): a follow-up question may
        come minutes later, and a source fixed meanwhile deserves a new try."""
        self._down.clear()
        self._down_events.clear()

    async def wait_down(self, source: str) -> None:
        """Return once `source` is found down (by any call of this investigation)."""
        await self._event(source).wait()

    def degraded(self, *, configured_only: bool = False) -> list[SourceDegraded]:
        """The sources that failed, in the order they first did; `configured_only` leaves out
        those that were never configured (a choice, not a failure)."""
        return [
            entry
            for entry in self._degraded.values()
            if not (configured_only and entry.fault == "not_configured")
        ]

    def _event(self, source: str) -> asyncio.Event:
        key = (source, id(asyncio.get_running_loop()))
        if key not in self._down_events:
            self._down_events[key] = asyncio.Event()
            if source in self._down:
                self._down_events[key].set()
        return self._down_events[key]
