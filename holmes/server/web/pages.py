"""The pages: the investigations list, one investigation (live while it runs), the Ask form.

Every route here depends on `viewer` (the router's dependency): a session cookie or a bearer
token. Forms post back here (CSRF-checked) and redirect to the page to show (post/redirect/get).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sse_starlette import EventSourceResponse

from holmes.server.events import event_stream, last_event_id
from holmes.server.models import FollowUpCreate, InvestigationCreate
from holmes.server.routes.investigations import create_follow_up
from holmes.server.routes.submit import new_investigation, submit
from holmes.server.services import Services, ServicesDep
from holmes.server.store import InvestigationRecord
from holmes.server.web import view
from holmes.server.web.auth import Viewer, check_csrf, viewer
from holmes.server.web.forms import read_form
from holmes.server.web.render import page

router = APIRouter(include_in_schema=False, dependencies=[Depends(viewer)])
TITLES = {404: "Not found", 409: "Not now", 422: "Not valid", 429: "Busy"}


class PageError(HTTPException):
    """An error a page shows as a page (not the API's JSON)."""


async def error_page(request: Request, error: Exception) -> Response:
    """The exception handler of `PageError`: an HTML page with the status."""
    assert isinstance(error, PageError)
    title = TITLES.get(error.status_code, "Error")
    context = {"status": error.status_code, "title": title, "message": error.detail}
    return page(request, "error.html", context, error.status_code)


ViewerDep = Annotated[Viewer, Depends(viewer)]
Filter = Annotated[str | None, Query(max_length=253, pattern=r"^[^\x00-\x1f]*$")]
STATUSES = ("queued", "running", "done", "failed", "deferred")
SOURCES = ("api", "alertmanager", "slack")


@router.get("/")
async def investigations_page(
    request: Request,
    services: ServicesDep,
    status: Filter = None,
    source: Filter = None,
    namespace: Filter = None,
    alertname: Filter = None,
) -> Response:
    """Investigations, newest first, with filters; the page refreshes its table itself."""
    filters = {
        "status": status if status in STATUSES else None,
        "source": source if source in SOURCES else None,
        "namespace": namespace or None,
        "alertname": alertname or None,
    }
    records, _ = await asyncio.to_thread(services.store.list, filters=filters, limit=100)
    now = datetime.now(UTC)
    context = {
        "rows": [view.row(record, now) for record in records],
        "filters": filters,
        "statuses": STATUSES,
        "sources": SOURCES,
    }
    return page(request, "list.html", context)


@router.get("/ask")
async def ask_page(request: Request) -> Response:
    """The Ask form."""
    return page(request, "ask.html", {"question": "", "namespace": ""})


@router.post("/ask")
async def ask(request: Request, who: ViewerDep, services: ServicesDep) -> Response:
    """Queue the question and open its page."""
    form = await read_form(request)
    check_csrf(request, who, form.get("csrf"))
    question, namespace = form.get("question", ""), form.get("namespace", "").strip()
    try:
        body = InvestigationCreate(question=question, namespace=namespace or None)
        record = await submit(services, new_investigation(body))
    except ValidationError as error:
        problems = "; ".join(_problem(item) for item in error.errors())
        context = {"question": question, "namespace": namespace, "error": problems}
        return page(request, "ask.html", context, 422)
    except HTTPException as error:
        context = {"question": question, "namespace": namespace, "error": error.detail}
        return page(request, "ask.html", context, error.status_code)
    return RedirectResponse(f"/investigations/{record.id}", status_code=303)


def _problem(item: Any) -> str:
    field = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
    return f"{field}: {item['msg']}" if field else str(item["msg"])


@router.get("/investigations/{investigation_id}")
async def investigation_page(
    request: Request, investigation_id: str, services: ServicesDep
) -> Response:
    """One investigation: its subject, progress, and once done its answer with the evidence."""
    record = await _found(services, investigation_id)
    events = await asyncio.to_thread(services.store.events_after, record.id, 0)
    context = {
        "record": record,
        "subject": view.subject(record),
        "labels": (record.alert or {}).get("labels", {}),
        "annotations": (record.alert or {}).get("annotations", {}),
        "steps": view.steps(events),
        "last_event": events[-1].id if events else 0,
        "evidence": view.evidence(events),
        "diagnosis": view.diagnosis(record),
        "has_llm": services.investigator.has_llm,
        "age": view.age(record.created_at),
    }
    return page(request, "investigation.html", context)


@router.get("/investigations/{investigation_id}/events")
async def investigation_events(
    investigation_id: str,
    services: ServicesDep,
    after: Annotated[int, Query(ge=0)] = 0,
    last_event: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    """The investigation's events for the page's live progress (the API's stream).

    `after` is the last event the page was rendered with; a reconnecting EventSource sends
    `Last-Event-ID`, which resumes after the last event it received instead.
    """
    await _found(services, investigation_id)
    return event_stream(services, investigation_id, max(after, last_event_id(last_event)))


@router.post("/investigations/{investigation_id}/feedback")
async def feedback(
    request: Request, investigation_id: str, who: ViewerDep, services: ServicesDep
) -> Response:
    """Record the verdict from the page's buttons (source `web`)."""
    form = await read_form(request)
    check_csrf(request, who, form.get("csrf"))
    verdict = form.get("verdict")
    if verdict not in ("correct", "wrong"):
        raise PageError(422, detail="verdict: 'correct' or 'wrong'")
    saved = await asyncio.to_thread(
        services.store.set_feedback, investigation_id, verdict, "web", None
    )
    if saved is None:
        raise PageError(404, detail=f"no investigation {investigation_id}")
    return RedirectResponse(f"/investigations/{investigation_id}#feedback", status_code=303)


@router.post("/investigations/{investigation_id}/follow-ups")
async def follow_up(
    request: Request, investigation_id: str, who: ViewerDep, services: ServicesDep
) -> Response:
    """Ask a follow-up (LLM mode) and open its page."""
    form = await read_form(request)
    check_csrf(request, who, form.get("csrf"))
    try:
        body = FollowUpCreate(question=form.get("question", ""))
    except ValidationError:
        raise PageError(422, detail="question: write a follow-up question") from None
    try:
        accepted = await create_follow_up(investigation_id, body, services)
    except HTTPException as error:
        raise PageError(error.status_code, detail=error.detail) from None
    return RedirectResponse(f"/investigations/{accepted.id}", status_code=303)


async def _found(services: Services, investigation_id: str) -> InvestigationRecord:
    record = await asyncio.to_thread(services.store.get, investigation_id)
    if record is None:
        raise PageError(404, detail=f"no investigation {investigation_id}")
    return record
