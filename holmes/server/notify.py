"""In-process wake-ups: an event stream waits here for its investigation's next event.

Events written by this replica wake their subscribers at once; those written by another
replica are seen by the subscriber's periodic re-read of the store. `watch` is taken before
reading the store, so an event written between the read and the wait is never missed. The
subscribers live on the HTTP event loop and the workers on their own: `notify` may be called
from either thread.
"""

from __future__ import annotations

import asyncio
import contextlib


class Notifier:
    """One asyncio.Event per watched investigation, replaced each time it fires."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop  # the loop the subscribers wait on
        self._events: dict[str, asyncio.Event] = {}

    def watch(self, investigation_id: str) -> asyncio.Event:
        """The event that the next `notify(investigation_id)` sets."""
        return self._events.setdefault(investigation_id, asyncio.Event())

    def notify(self, investigation_id: str) -> None:
        """Wake everyone watching `investigation_id` (from any thread)."""
        self._loop.call_soon_threadsafe(self._notify, investigation_id)

    def _notify(self, investigation_id: str) -> None:
        event = self._events.pop(investigation_id, None)
        if event is not None:
            event.set()

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> None:
        """Until `event` fires or `timeout` seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
