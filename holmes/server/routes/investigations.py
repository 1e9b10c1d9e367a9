"""/api/v1/investigations: submit, list, read, follow an investigation, ask a follow-up."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query
from sse_starlette import EventSourceResponse

from holmes.server.events import event_stream, last_event_id
from holmes.server.investigator import NO_LLM
from holmes.server.models import (
    FeedbackCreate,
    FollowUpCreate,
    InvestigationAccepted,
    InvestigationCreate,
    InvestigationPage,
    InvestigationPublic,
    Source,
    Status,
    Verdict,
    links,
)
from holmes.server.routes.submit import new_investigation, submit
from holmes.server.services import Services, ServicesDep
from holmes.server.store import CursorError, InvestigationRecord, NewInvestigation

router = APIRouter(prefix="/investigations", tags=["investigations"])

PRINTABLE = r"^[^\x00-\x1f]*$"
QUEUE_FULL = {429: {"description": "The queue is full; retry after `Retry-After` seconds."}}
NOT_FOUND = {404: {"description": "No investigation with this id."}}


@router.post("", status_code=202, response_model=InvestigationAccepted, responses=QUEUE_FULL)
async def create_investigation(
    body: InvestigationCreate, services: ServicesDep
) -> InvestigationAccepted:
    """Queue an investigation of a question and/or an alert; follow it through `links`."""
    record = await submit(services, new_investigation(body))
    return InvestigationAccepted(id=record.id, status=record.status, links=links(record.id))


@router.get("", response_model=InvestigationPage)
async def list_investigations(
    services: ServicesDep,
    status: Status | None = None,
    source: Source | None = None,
    alertname: Annotated[str | None, Query(max_length=253, pattern=PRINTABLE)] = None,
    namespace: Annotated[str | None, Query(max_length=253, pattern=PRINTABLE)] = None,
    feedback: Annotated[Verdict | None, Query(description="Only answers judged so.")] = None,
    since: Annotated[datetime | None, Query(description="Created at or after (ISO 8601).")] = None,
    cursor: Annotated[
        str | None,
        Query(max_length=512, pattern=PRINTABLE, description="`next` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InvestigationPage:
    """Investigations, newest first, filtered; `next` is the cursor of the following page."""
    filters = {
        "status": status,
        "source": source,
        "alertname": alertname,
        "namespace": namespace,
        "feedback": feedback,
    }
    try:
        rows, following = await asyncio.to_thread(
            services.store.list, filters=filters, since=since, cursor=cursor, limit=limit
        )
    except CursorError as error:
        raise HTTPException(422, detail=str(error)) from None
    return InvestigationPage(items=[InvestigationPublic.of(r) for r in rows], next=following)


@router.get("/{investigation_id}", response_model=InvestigationPublic, responses=NOT_FOUND)
async def get_investigation(investigation_id: str, services: ServicesDep) -> InvestigationPublic:
    """One investigation: its status and, once done, its diagnosis."""
    return InvestigationPublic.of(await _found(services, investigation_id))


@router.get(
    "/{investigation_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **NOT_FOUND},
)
async def investigation_events(
    investigation_id: str,
    services: ServicesDep,
    last_event: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    """Server-sent events: tool_started, tool_finished, then answer or error (the end).

    A late subscriber first gets the events so far; `Last-Event-ID` resumes after that event.
    """
    await _found(services, investigation_id)
    return event_stream(services, investigation_id, last_event_id(last_event))


@router.post(
    "/{investigation_id}/follow-ups",
    status_code=202,
    response_model=InvestigationAccepted,
    responses={
        409: {"description": "No LLM is configured, or the investigation has not finished."},
        **NOT_FOUND,
        **QUEUE_FULL,
    },
)
async def create_follow_up(
    investigation_id: str, body: FollowUpCreate, services: ServicesDep
) -> InvestigationAccepted:
    """Ask a follow-up in the investigation's conversation (LLM agent): a new investigation."""
    if not services.investigator.has_llm:
        raise HTTPException(409, detail=f"follow-ups need the LLM agent: {NO_LLM}")
    parent = await _found(services, investigation_id)
    if not parent.finished:
        raise HTTPException(
            409, detail=f"investigation {parent.id} is {parent.status}: wait for it"
        )
    conversation = parent.parent_id or parent.id
    new = NewInvestigation(
        source=parent.source,
        question=body.question,
        namespace=parent.namespace,
        alertname=parent.alertname,
        llm="yes",
        parent_id=conversation,
    )
    record = await submit(services, new)
    return InvestigationAccepted(id=record.id, status=record.status, links=links(record.id))


@router.post(
    "/{investigation_id}/feedback", response_model=InvestigationPublic, responses=NOT_FOUND
)
async def give_feedback(
    investigation_id: str, body: FeedbackCreate, services: ServicesDep
) -> InvestigationPublic:
    """Judge the answer correct or wrong (source `api`); a later verdict replaces it."""
    record = await asyncio.to_thread(
        services.store.set_feedback, investigation_id, body.verdict, "api", body.by
    )
    if record is None:
        raise HTTPException(404, detail=f"no investigation {investigation_id}")
    return InvestigationPublic.of(record)


async def _found(services: Services, investigation_id: str) -> InvestigationRecord:
    record = await asyncio.to_thread(services.store.get, investigation_id)
    if record is None:
        raise HTTPException(404, detail=f"no investigation {investigation_id}")
    return record
