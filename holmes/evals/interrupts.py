"""Cancel the investigations a suite runs in worker threads when the main thread is interrupted.

Used by the eval runner (`runner.py`). Each incident runs its own event loop in a pool thread;
Ctrl-C or SIGTERM reaches only the main thread. `RunningInvestigations.cancel()` cancels every
running investigation's task in its own loop (thread-safely), and refuses new ones, so an
interrupted suite ends within moments even when an LLM investigation had a minute left, and
each cancelled incident still stops its replay on the way out.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class RunningInvestigations:
    """The asyncio tasks running in a suite's worker threads, each with its loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[asyncio.Task[Any], asyncio.AbstractEventLoop] = {}
        self._cancelled = False

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """`asyncio.run(coroutine)`, cancellable by `cancel()` from another thread."""
        return asyncio.run(self._tracked(coroutine))

    async def _tracked(self, coroutine: Coroutine[Any, Any, T]) -> T:
        task = asyncio.current_task()
        assert task is not None
        with self._lock:
            if self._cancelled:
                coroutine.close()  # never started: no "was never awaited" warning
                raise asyncio.CancelledError
            self._running[task] = asyncio.get_running_loop()
        try:
            return await coroutine
        finally:
            with self._lock:
                self._running.pop(task, None)

    def cancel(self) -> None:
        """Cancel every running investigation and refuse those not yet started."""
        with self._lock:
            self._cancelled = True
            for task, loop in self._running.items():
                loop.call_soon_threadsafe(task.cancel)
