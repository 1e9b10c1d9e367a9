"""Queueing an API submission: the 429 when the queue is full, the 409 when LLM is impossible.

Shared by POST /investigations, POST /ask and the follow-ups.
"""

from __future__ import annotations

import asyncio

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError

from holmes.server.alerts import AlertBodyError, check_alert
from holmes.server.investigator import NO_LLM
from holmes.server.models import InvestigationCreate
from holmes.server.services import Services
from holmes.server.store import InvestigationRecord, NewInvestigation


def new_investigation(body: InvestigationCreate) -> NewInvestigation:
    """The stored form of an API request (422 naming the field the store cannot keep)."""
    if body.alert is not None:
        try:
            check_alert(body.alert, ["alert"])
        except AlertBodyError as error:
            raise invalid(error) from None
    alert = body.alert.model_dump(mode="json", exclude_none=True) if body.alert else None
    labels = body.alert.labels if body.alert else {}
    return NewInvestigation(
        source="api",
        question=body.question,
        alert=alert,
        namespace=body.namespace or labels.get("exported_namespace") or labels.get("namespace"),
        alertname=labels.get("alertname"),
        fingerprint=body.alert.fingerprint if body.alert else None,
        llm="auto" if body.llm is None else ("yes" if body.llm else "no"),
    )


def invalid(error: AlertBodyError) -> RequestValidationError:
    """A 422 in FastAPI's format, naming the field of the body."""
    problem = {"type": "value_error", "loc": ["body", *error.location], "msg": str(error)}
    return RequestValidationError([{**problem, "input": None}])


async def submit(services: Services, new: NewInvestigation) -> InvestigationRecord:
    """Queue `new`; 429 with Retry-After when the queue is full, 409 for an LLM we lack."""
    if new.llm == "yes" and not services.investigator.has_llm:
        raise HTTPException(409, detail=f"llm: true was asked, but {NO_LLM}")
    record = await asyncio.to_thread(
        services.store.submit, new, queue_limit=services.settings.queue_size
    )
    if record is None:
        services.metrics.rejected.inc()
        retry = services.settings.retry_after_seconds
        raise HTTPException(
            429,
            detail=f"the queue is full ({services.settings.queue_size} investigations waiting)",
            headers={"Retry-After": str(retry)},
        )
    services.pool.wake()
    return record
