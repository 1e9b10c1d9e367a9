"""POST /api/v1/ask: investigate and answer in the same request.

The request goes through the queue like any other (so the worker bound holds and nothing is
lost if the client goes away), then the route waits for the answer: the Diagnosis as JSON, or,
with `Accept: text/event-stream`, the investigation's event stream.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.server.events import event_stream
from holmes.server.models import InvestigationCreate
from holmes.server.routes.submit import new_investigation, submit
from holmes.server.services import ServicesDep

router = APIRouter(tags=["ask"])


@router.post(
    "/ask",
    response_model=Diagnosis,
    responses={
        200: {"content": {"text/event-stream": {}}},
        429: {"description": "The queue is full; retry after `Retry-After` seconds."},
        502: {"description": "The investigation failed; the detail says why."},
        504: {"description": "No answer within the investigation's limits; follow the id."},
    },
)
async def ask(
    body: InvestigationCreate,
    services: ServicesDep,
    accept: Annotated[str | None, Header()] = None,
) -> Diagnosis | EventSourceResponse | JSONResponse:
    """Investigate; the Diagnosis, or the events with `Accept: text/event-stream`."""
    record = await submit(services, new_investigation(body))
    if accept and "text/event-stream" in accept:
        return event_stream(services, record.id, 0)
    deadline = time.monotonic() + 2 * services.investigator.wall_seconds
    while time.monotonic() < deadline:
        changed = services.notifier.watch(record.id)
        current = await asyncio.to_thread(services.store.get, record.id)
        if current is not None and current.status == "done" and current.diagnosis:
            return Diagnosis.model_validate(current.diagnosis)
        if current is not None and current.status == "failed":
            raise HTTPException(502, detail=f"investigation {record.id} failed: {current.error}")
        await services.notifier.wait(changed, services.settings.poll_seconds)
    raise HTTPException(504, detail=f"no answer yet: follow /api/v1/investigations/{record.id}")
