"""POST /api/v1/alertmanager: Alertmanager's webhook receiver.

Every alert of the body is recorded, in one transaction, before the answer: one investigation
per fingerprint episode (see `Store.ingest_alerts`). The answer comes right after the commit;
investigating happens in the workers. When the queue is full the alerts are still stored, as
`deferred` (a non-2xx answer would make Alertmanager re-send the whole group).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Body

from holmes.server.alerts import AlertBodyError, alerts_from_body
from holmes.server.models import AlertsAccepted
from holmes.server.routes.submit import invalid
from holmes.server.services import ServicesDep

WebhookBody = Annotated[
    dict[str, Any] | list[dict[str, Any]],
    Body(description="A webhook body (version 4), one alert, or an array of API v2 alerts."),
]


async def alertmanager_webhook(body: WebhookBody, services: ServicesDep) -> AlertsAccepted:
    """Record the alerts (deduplicated per fingerprint episode) and queue new investigations."""
    try:
        alerts, suppressed = alerts_from_body(body)
    except AlertBodyError as error:
        raise invalid(error) from None
    outcome = await asyncio.to_thread(
        services.store.ingest_alerts, alerts, queue_limit=services.settings.queue_size
    )
    metrics = services.metrics.alerts
    metrics.labels("new").inc(len(outcome.created) - outcome.deferred)
    metrics.labels("deduplicated").inc(outcome.deduplicated)
    metrics.labels("deferred").inc(outcome.deferred)
    metrics.labels("resolved").inc(outcome.resolved)
    if outcome.created:
        services.pool.wake()
    return AlertsAccepted(**outcome.model_dump(exclude={"created"}), suppressed=suppressed)
