"""An investigation's events as server-sent events, for GET .../events and POST /ask.

A subscriber first gets the events stored so far (after `Last-Event-ID` when it reconnects),
then each new one as it is written; the stream ends after `answer` or `error`. The SSE `id` is
the event's store id, so a reconnecting client resumes where it stopped, on any replica.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent

from holmes.server.services import Services

ENDING = ("answer", "error")


def event_stream(services: Services, investigation_id: str, after: int) -> EventSourceResponse:
    """The SSE response following `investigation_id` from event id `after`."""
    return EventSourceResponse(_events(services, investigation_id, after), ping=15)


async def _events(
    services: Services, investigation_id: str, after: int
) -> AsyncIterator[ServerSentEvent]:
    store, notifier = services.store, services.notifier
    finished_once = False
    while True:
        # Watch before reading: an event written in between still wakes us.
        changed = notifier.watch(investigation_id)
        events = await asyncio.to_thread(store.events_after, investigation_id, after)
        for event in events:
            after = event.id
            yield ServerSentEvent(data=_json(event.data), event=event.kind, id=str(event.id))
            if event.kind in ENDING:
                return
        if not events:
            record = await asyncio.to_thread(store.get, investigation_id)
            if record is None:
                return
            if record.finished and finished_once:
                # Finished, and its ending event never came (the worker died in between):
                # end with what the record says.
                yield _ending(record.diagnosis, record.error)
                return
            finished_once = record.finished
        await notifier.wait(changed, services.settings.poll_seconds)


def _ending(diagnosis: dict[str, Any] | None, error: str | None) -> ServerSentEvent:
    if diagnosis is not None:
        return ServerSentEvent(data=_json({"diagnosis": diagnosis}), event="answer")
    return ServerSentEvent(data=_json({"error": error}), event="error")


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), default=str)


def last_event_id(header: str | None) -> int:
    """The `Last-Event-ID` header as an event id (0 when absent or not a number)."""
    try:
        return max(int(header or 0), 0)
    except ValueError:
        return 0
