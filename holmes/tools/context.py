"""What every tool call receives: the investigation's clock, its limits and the source endpoints.

Tools never read the wall clock or module-level settings: "now" is the incident's time in a
replay and the wall clock live, and both come from here. The context also owns the clients of
one investigation (a Kubernetes ApiClient, an httpx client, a gRPC channel) so that parallel
tool calls share connections, hands out evidence ids, and keeps the sources' health (which
failed, and which are down and not to be asked again: `health.py`).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from holmes.tools.health import SourceHealth


class Limits(BaseModel):
    """Bounds on one tool call."""

    timeout_seconds: float = Field(10.0, gt=0, description="Wall time for one tool call.")
    max_output_chars: int = Field(4000, gt=200, description="Size bound of a compact text.")
    max_items: int = Field(200, gt=0, description="Objects, flows or series one call may read.")


class HubbleTLS(BaseModel):
    """TLS settings for a Hubble Relay that serves TLS (PEM file paths)."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    server_name: str | None = None


class PrometheusTLS(BaseModel):
    """TLS settings for an https:// Prometheus: a private CA, or no verification (testing)."""

    ca_file: Path | None = None
    insecure: bool = False


class SourceEndpoints(BaseModel):
    """Where the sources answer. A source left unset is unavailable to the investigation."""

    kubeconfig: Path | None = None
    kube_context: str | None = None
    in_cluster: bool = False
    prometheus_url: str | None = None
    prometheus_headers: dict[str, str] = Field(default_factory=dict)
    prometheus_tls: PrometheusTLS | None = None
    hubble_address: str | None = None
    hubble_tls: HubbleTLS | None = None

    @property
    def has_kubernetes(self) -> bool:
        """Whether a Kubernetes API is configured."""
        return self.in_cluster or self.kubeconfig is not None or self.kube_context is not None


if TYPE_CHECKING:  # for the annotation only
    from holmes.tools.recorder import SourceRecorder


class ToolContext:
    """One investigation's clock, limits, endpoints and shared clients.

    `now` is fixed for a replay (the incident's time); None means the wall clock (live).
    Clients are created on first use by the toolsets (`client(key, factory)`) and closed by
    `aclose()`.
    """

    # Set by `holmes record`: the source clients report what they read to it.
    recorder: SourceRecorder | None = None

    def __init__(
        self,
        endpoints: SourceEndpoints,
        *,
        now: datetime | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.limits = limits or Limits()
        self._now = now.astimezone(UTC) if now else None
        self._clients: dict[str, Any] = {}
        self._evidence_ids = itertools.count(1)
        self.health = SourceHealth()
        # Source -> the address its client resolved (set by the toolsets' clients).
        self.addresses: dict[str, str] = {}

    @property
    def replaying(self) -> bool:
        """True when the clock is fixed (a recorded incident)."""
        return self._now is not None

    def now(self) -> datetime:
        """The investigation's "now" in UTC."""
        return self._now or datetime.now(UTC)

    def endpoint(self, source: str) -> str | None:
        """Where `source` answers, for messages: the address its client found (`addresses`,
        e.g. the API server a kubeconfig names), else what is configured."""
        if source in self.addresses:
            return self.addresses[source]
        endpoints = self.endpoints
        if source == "prometheus":
            return endpoints.prometheus_url
        if source == "hubble":
            return endpoints.hubble_address
        if source == "kubernetes":
            if endpoints.in_cluster:
                return "in-cluster"
            return str(endpoints.kubeconfig) if endpoints.kubeconfig else endpoints.kube_context
        return None

    def next_evidence_id(self) -> str:
        """A fresh evidence id: E1, E2, ... unique within this investigation."""
        return f"E{next(self._evidence_ids)}"

    def continue_evidence_ids(self, after: int) -> None:
        """Hand out ids after E<after> from now on: a resumed conversation already used those."""
        self._evidence_ids = itertools.count(after + 1)

    def client(self, key: str, factory: Any) -> Any:
        """The shared client stored under `key`, created by `factory()` on first use."""
        if key not in self._clients:
            self._clients[key] = factory()
        return self._clients[key]

    async def aclose(self) -> None:
        """Close every client that has an async or sync close method."""
        clients, self._clients = self._clients, {}
        for client in clients.values():
            closer = getattr(client, "aclose", None) or getattr(client, "close", None)
            if closer is None:
                continue
            result = closer()
            if hasattr(result, "__await__"):
                await result
