"""Operations endpoints: /healthz (alive), /readyz (store writable, workers running), /metrics.

/healthz and /readyz are the only routes without a token (probes carry none); they say
nothing an attacker could use beyond "up". `create_app` adds them as top-level routes (the
token middleware exempts those route objects); /metrics is on `router`.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from holmes.server.models import Health, Readiness
from holmes.server.services import ServicesDep

router = APIRouter(tags=["operations"])


async def healthz() -> Health:
    """The process is alive."""
    return Health()


async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready when the store takes a write and the workers run (sources and LLM: informative)."""
    try:
        await asyncio.to_thread(services.store.touch, services.owner)
        store = "ok"
    except Exception as error:  # any store failure makes the replica unready, named
        store = f"error: {type(error).__name__}"
    workers = "ok" if services.pool.running else "stopped"
    endpoints = services.investigator.contexts().endpoints
    sources = {
        "kubernetes": "configured" if endpoints.has_kubernetes else "not configured",
        "prometheus": "configured" if endpoints.prometheus_url else "not configured",
        "hubble": "configured" if endpoints.hubble_address else "not configured",
    }
    llm = services.investigator.llm.model if services.investigator.llm else "not configured"
    ready = store == "ok" and workers == "ok"
    body = Readiness(ready=ready, store=store, workers=workers, llm=llm, sources=sources)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    """Prometheus metrics of this replica (queue depth read from the store)."""
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)
