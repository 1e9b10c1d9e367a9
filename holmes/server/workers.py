"""The bounded pool of asyncio workers that claim queued investigations and run them.

Each worker loops: claim (a lease) -> investigate, renewing the lease every third of its
length -> store the diagnosis (or the error) -> claim the next. A worker that finds nothing
waits for a wake-up (a new submission) or the poll interval (work queued by another replica,
an expired lease). Tool calls become `tool_started` / `tool_finished` events, written in
order by one writer task per investigation; the end is an `answer` or `error` event. On
shutdown running investigations get `grace` seconds, then their leases are released so the
next start (or another replica) resumes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.server.investigator import InvestigationError, Investigator
from holmes.server.metrics import ServiceMetrics
from holmes.server.notify import Notifier
from holmes.server.store import InvestigationRecord, Store
from holmes.tools import ToolResult
from holmes.tools.redaction import redact

log = logging.getLogger("holmes.server")


class EventWriter:
    """Appends one investigation's events to the store in the order they happened."""

    def __init__(self, store: Store, investigation_id: str, notifier: Notifier) -> None:
        self.store, self.investigation_id, self.notifier = store, investigation_id, notifier
        self._pending: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._drain())

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        """Queue an event (never blocks the investigation)."""
        self._pending.put_nowait((kind, data))

    async def close(self) -> None:
        """Write what is pending and stop."""
        self._pending.put_nowait(None)
        await self._task

    async def _drain(self) -> None:
        closing = False
        while not closing:
            batch = [await self._pending.get()]
            while not self._pending.empty():  # what piled up meanwhile goes in one transaction
                batch.append(self._pending.get_nowait())
            closing = batch[-1] is None
            events = [item for item in batch if item is not None]
            if not events:
                continue
            try:
                await asyncio.to_thread(self.store.append_events, self.investigation_id, events)
            except Exception:  # progress events are best effort; the result is not
                log.exception("storing %d events of %s failed", len(events), self.investigation_id)
                continue
            self.notifier.notify(self.investigation_id)


class WorkerPool:
    """N workers of one replica, sharing the store's queue with every other replica."""

    def __init__(
        self,
        store: Store,
        investigator: Investigator,
        metrics: ServiceMetrics,
        notifier: Notifier,
        *,
        owner: str,
        workers: int = 2,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
    ) -> None:
        self.store, self.investigator = store, investigator
        self.metrics, self.notifier = metrics, notifier
        self.owner, self.size = owner, workers
        self.lease_seconds, self.poll_seconds = lease_seconds, poll_seconds
        self._stopping = False
        self._grace = 0.0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: dict[int, asyncio.Task[None]] = {}

    @property
    def running(self) -> bool:
        """True while the workers' thread and every worker are alive (readiness)."""
        alive = self._thread is not None and self._thread.is_alive()
        return alive and bool(self._tasks) and not any(task.done() for task in self._tasks)

    def start(self) -> None:
        """Start the workers in their own thread and event loop.

        Investigating is CPU work (triage, CEL, shaping evidence); on the HTTP loop it would
        delay every webhook acknowledgement behind it. In a thread it only shares the GIL.
        """
        ready = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._main(ready)), name="holmes-workers", daemon=True
        )
        self._thread.start()
        ready.wait()

    def wake(self) -> None:
        """Something was queued: idle workers claim now instead of at the next poll."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self, grace: float) -> None:
        """Stop claiming; give running investigations `grace` seconds, then re-queue them."""
        self._stopping, self._grace = True, grace
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake, self._stop = asyncio.Event(), asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._work(n), name=f"worker-{n}") for n in range(self.size)
        ]
        ready.set()
        await self._stop.wait()
        self._wake.set()
        busy = list(self._busy.values())
        if busy:
            await asyncio.wait(busy, timeout=self._grace)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _work(self, number: int) -> None:
        owner = f"{self.owner}/{number}"
        assert self._wake is not None
        while not self._stopping:
            self._wake.clear()  # before claiming: a submission from now on wakes us
            try:
                record = await asyncio.to_thread(self.store.claim, owner, self.lease_seconds)
            except Exception:  # the store is down: keep the worker, retry after a pause
                log.exception("claiming from the store failed")
                record = None
            if record is None:
                await Notifier.wait(self._wake, self.poll_seconds)
                continue
            task = asyncio.create_task(self._investigate(record, owner))
            self._busy[number] = task
            try:
                await asyncio.shield(task)
            except Exception:  # the store failed at the end: the lease expires, it runs again
                log.exception("investigation %s could not be recorded", record.id)
            except asyncio.CancelledError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                raise
            finally:
                self._busy.pop(number, None)

    async def _investigate(self, record: InvestigationRecord, owner: str) -> None:
        events = EventWriter(self.store, record.id, self.notifier)
        events.emit("started", {"attempt": record.attempts, "worker": owner})
        work = asyncio.create_task(self._diagnose(record, events))
        heartbeat = asyncio.create_task(self._heartbeat(record.id, owner, work))
        started = time.perf_counter()
        try:
            diagnosis: Diagnosis | None = await work
            error = None
        except asyncio.CancelledError:
            heartbeat.cancel()
            await events.close()
            if _lease_lost(heartbeat):
                return  # another worker holds it now and writes the result
            # Shutdown: give the investigation back to the queue for the next start.
            await asyncio.to_thread(self.store.release, record.id, owner)
            raise
        except Exception as failure:  # any failure is stored and reported, never lost
            diagnosis, error = None, _describe(failure)
        finally:
            heartbeat.cancel()
        await events.close()
        await self._finish(record, owner, diagnosis, error, time.perf_counter() - started)

    async def _diagnose(self, record: InvestigationRecord, events: EventWriter) -> Diagnosis:
        def on_call(tool: str, arguments: dict[str, Any], result: ToolResult | None) -> None:
            if result is None:
                events.emit("tool_started", {"tool": tool, "arguments": arguments})
                return
            outcome = "ok" if result.ok else (result.error.kind if result.error else "error")
            self.metrics.tool_calls.labels(result.source, outcome).inc()
            events.emit("tool_finished", _finished(tool, arguments, result))

        def on_turn(turn: dict[str, Any]) -> None:
            events.emit("llm_turn", turn)

        return await asyncio.wait_for(
            self.investigator.run(record, on_call, on_turn),
            timeout=self.investigator.wall_seconds,
        )

    async def _heartbeat(self, investigation_id: str, owner: str, work: asyncio.Task[Any]) -> bool:
        """Renew the lease until cancelled; True (and `work` cancelled) when it was lost."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                ours = await asyncio.to_thread(
                    self.store.renew, investigation_id, owner, self.lease_seconds
                )
            except Exception:  # a store hiccup: the lease still has two thirds to run
                log.exception("renewing the lease of %s failed", investigation_id)
                continue
            if not ours:
                log.warning("lost the lease of %s: another worker has it", investigation_id)
                work.cancel()
                return True

    async def _finish(
        self,
        record: InvestigationRecord,
        owner: str,
        diagnosis: Diagnosis | None,
        error: str | None,
        seconds: float,
    ) -> None:
        if diagnosis is not None:
            stored = diagnosis.model_dump(mode="json")
            saved = await asyncio.to_thread(self.store.complete, record.id, owner, stored)
            kind, data = "answer", {"diagnosis": stored}
        else:
            saved = await asyncio.to_thread(self.store.fail, record.id, owner, error or "failed")
            kind, data = "error", {"error": error}
        if not saved:  # our lease was taken over: the new holder writes the result
            return
        # Counted before the ending event: whoever waits for it (POST /ask) then reads the
        # metrics with this investigation in them.
        self.metrics.finished(record.source, "done" if diagnosis else "failed", seconds, diagnosis)
        await asyncio.to_thread(self.store.append_event, record.id, kind, data)
        self.notifier.notify(record.id)


def _lease_lost(heartbeat: asyncio.Task[bool]) -> bool:
    return heartbeat.done() and not heartbeat.cancelled() and heartbeat.result()


def _finished(tool: str, arguments: dict[str, Any], result: ToolResult) -> dict[str, Any]:
    return {
        "tool": tool,
        "arguments": arguments,
        "evidence_id": result.evidence_id,
        "source": result.source,
        "ok": result.ok,
        "error": result.error.message if result.error else None,
        "ms": round(result.duration_ms, 1),
        # The compacted (and redacted) output: the web page shows it behind the evidence id.
        "text": result.text,
        "truncated": result.truncated,
    }


def _describe(failure: BaseException) -> str:
    if isinstance(failure, InvestigationError):
        return str(failure)
    if isinstance(failure, TimeoutError):
        return "the investigation ran past its wall-time limit"
    # Stored and served: an unexpected error's text could quote a source's credentials.
    return redact(f"{type(failure).__name__}: {failure}")
