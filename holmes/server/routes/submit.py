"""Queueing an API submission: the 429 when the queue is full, the 409 when LLM is impossible.

Shared by POST /investigations, POST /ask and the follow-ups.
"""

from __future__ import annotations

import asyncio

from fastapi import HTTPException

from holmes.server.investigator import NO_LLM
from holmes.server.models import InvestigationCreate
from holmes.server.services import Services
from holmes.server.store import InvestigationRecord, NewInvestigation


def new_investigation(body: InvestigationCreate) -> NewInvestigation:
    """The stored form of an API request."""
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
