"""What the routes share: the settings, the store, the workers, metrics and wake-ups.

`create_app` builds a `Services` at start-up and the routes reach it through the `ServicesDep`
dependency, never through module globals, so several apps live side by side in one process
(the tests do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from holmes.server.investigator import Investigator
from holmes.server.metrics import ServiceMetrics
from holmes.server.notify import Notifier
from holmes.server.slack.settings import SlackSettings
from holmes.server.store import Store
from holmes.server.workers import WorkerPool


class ServerSettings(BaseModel):
    """How the service runs (`holmes serve` options)."""

    store_url: str
    host: str = "127.0.0.1"
    workers: int = Field(2, ge=1, le=64, description="Concurrent investigations.")
    queue_size: int = Field(100, ge=1, description="Queued investigations before 429.")
    tokens: list[str] = Field(default_factory=list, repr=False)
    lease_seconds: float = Field(30.0, gt=0)
    poll_seconds: float = Field(1.0, gt=0)
    retry_after_seconds: int = Field(10, ge=1)
    shutdown_grace_seconds: float = Field(10.0, ge=0)
    slack: SlackSettings | None = Field(None, description="The Slack responder, when enabled.")


@dataclass
class Services:
    """The running parts of one app."""

    settings: ServerSettings
    store: Store
    investigator: Investigator
    pool: WorkerPool
    metrics: ServiceMetrics
    notifier: Notifier
    owner: str


def services(request: Request) -> Services:
    """The app's services (a FastAPI dependency)."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]
