"""The FastAPI app factory: `create_app(settings, investigator)`.

Start-up opens (and migrates) the store and starts the workers; shutdown stops claiming, gives
running investigations the grace period and re-queues the rest. Routes live under /api/v1
(plus /healthz, /readyz, /metrics, /docs, /openapi.json, and /slack/events when Slack is
enabled); every one of them needs a token except the two probes and /slack/events (verified
by Slack's request signature), exempted by route object in `TokenAuthMiddleware`. The web page
(`/`, holmes/server/web) is exempted too: its routes check a session cookie or a bearer token.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Security
from fastapi.security import HTTPBearer
from starlette.routing import BaseRoute

from holmes import __version__
from holmes.server.auth import TokenAuthMiddleware, check_exposure
from holmes.server.investigator import Investigator
from holmes.server.metrics import ServiceMetrics
from holmes.server.models import AlertsAccepted, Health, Readiness
from holmes.server.notify import Notifier
from holmes.server.routes import alertmanager, ask, investigations, operations
from holmes.server.services import ServerSettings, Services
from holmes.server.store import Store
from holmes.server.web import install as install_web
from holmes.server.workers import WorkerPool

log = logging.getLogger("holmes.server")

# Documents the bearer scheme in /openapi.json; the middleware does the checking.
_bearer = HTTPBearer(auto_error=False, description="A token of HOLMES_API_TOKENS or --tokens-file.")

ROUTE_OPTIONS: dict[Any, dict[str, Any]] = {
    operations.healthz: {"response_model": Health, "tags": ["operations"]},
    operations.readyz: {
        "response_model": Readiness,
        "responses": {503: {"model": Readiness}},
        "tags": ["operations"],
    },
    alertmanager.alertmanager_webhook: {
        "response_model": AlertsAccepted,
        "tags": ["alertmanager"],
        "dependencies": [Security(_bearer)],
    },
}


def create_app(settings: ServerSettings, investigator: Investigator) -> FastAPI:
    """The service: API, webhook, workers and store, configured by `settings`."""
    check_exposure(settings.host, settings.tokens)
    if not settings.tokens:
        log.warning(
            "NO AUTHENTICATION: no tokens configured; anyone who can reach %s may use this "
            "server (allowed on loopback only)",
            settings.host,
        )
    app = FastAPI(
        title="holmes",
        version=__version__,
        description="Troubleshoots AI infrastructure on Kubernetes: investigations, "
        "Alertmanager webhook, event streams.",
        lifespan=_lifespan(settings, investigator),
    )
    api = APIRouter(prefix="/api/v1", dependencies=[Security(_bearer)])
    api.include_router(investigations.router)
    api.include_router(ask.router)
    app.include_router(api)
    app.include_router(operations.router, dependencies=[Security(_bearer)])
    # Top-level route objects, so the middleware can tell them apart by identity.
    healthz = _route(app, "/healthz", operations.healthz, "GET")
    readyz = _route(app, "/readyz", operations.readyz, "GET")
    webhook = _route(app, "/api/v1/alertmanager", alertmanager.alertmanager_webhook, "POST")
    # The web page authenticates itself (session cookie or bearer, see holmes/server/web/auth.py).
    pages = install_web(app, settings.tokens)
    exempt = [healthz, readyz, *pages]
    if settings.slack is not None and settings.slack.enabled:
        from holmes.server.slack import mount

        slack_events = mount(app, settings.slack)
        if slack_events is not None:  # verified by Slack's request signature, not a token
            exempt.append(slack_events)
    app.add_middleware(
        TokenAuthMiddleware,
        tokens=settings.tokens,
        routes=app.router.routes,
        exempt=exempt,
        basic_routes=[webhook],
    )
    return app


def _route(app: FastAPI, path: str, endpoint: Any, method: str) -> BaseRoute:
    """Add `endpoint` as a top-level route with its declared options; return the route object."""
    options = ROUTE_OPTIONS[endpoint]
    app.add_api_route(path, endpoint, methods=[method], **options)
    return app.router.routes[-1]


def _lifespan(settings: ServerSettings, investigator: Investigator):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = await asyncio.to_thread(Store.open, settings.store_url)
        owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        metrics = ServiceMetrics(store.status_counts)
        notifier = Notifier(asyncio.get_running_loop())
        pool = WorkerPool(
            store,
            investigator,
            metrics,
            notifier,
            owner=owner,
            workers=settings.workers,
            lease_seconds=settings.lease_seconds,
            poll_seconds=settings.poll_seconds,
        )
        app.state.services = Services(settings, store, investigator, pool, metrics, notifier, owner)
        pool.start()
        slack = getattr(app.state, "slack", None)
        if slack is not None:
            await slack.start(app.state.services)
        log.info("holmes serving: %d workers, store %s", settings.workers, store.engine.url)
        try:
            yield
        finally:
            if slack is not None:
                await slack.stop()
            await pool.stop(settings.shutdown_grace_seconds)
            store.close()

    return lifespan
