"""Replay a recorded incident over the protocols a live cluster speaks.

`replay(bundle)` starts, for the sources the bundle recorded, a Kubernetes API replay server (with
a kubeconfig for it), a real Prometheus loaded with the bundle's series, and a Hubble observer
gRPC server over its flows; it yields their endpoints and stops them on the way out, errors
included. Tools, tests, the demo and evals talk to these with the same clients they use against a
live cluster. Prometheus, the slowest to start, is started first and the other two while it
loads.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from holmes.evals.bundle import Bundle, load_bundle

if TYPE_CHECKING:
    from holmes.evals.replay.prometheus import PrometheusReplay


class ReplayEndpoints(BaseModel):
    """Where a replayed incident's sources answer; None for a source the bundle did not record."""

    incident_id: str
    time: datetime
    kubeconfig: Path | None = None
    kubernetes_url: str | None = None
    prometheus_url: str | None = None
    hubble_address: str | None = None


@contextmanager
def replay(
    bundle: Bundle | Path | str, *, workdir: Path | None = None
) -> Iterator[ReplayEndpoints]:
    """Serve a bundle's sources until the block ends; a path is loaded with `load_bundle` first."""
    if not isinstance(bundle, Bundle):
        bundle = load_bundle(bundle)
    # Imported here so that loading a bundle never pays for grpc or the kubernetes client.
    from holmes.evals.replay.hubble import HubbleReplayServer
    from holmes.evals.replay.kubernetes_api import KubernetesReplayServer
    from holmes.evals.replay.prometheus import PrometheusReplay

    with ExitStack() as stack:
        root = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="holmes-")))
        endpoints = ReplayEndpoints(incident_id=bundle.id, time=bundle.time)
        prometheus_started: Future[None] | None = None
        if bundle.has_source("prometheus"):
            prometheus = PrometheusReplay(bundle, workdir=root / "prometheus")
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=1))
            prometheus_started = pool.submit(prometheus.start)
            stack.callback(_stop_after_start, prometheus, prometheus_started)
        if bundle.has_source("kubernetes"):
            kubernetes = KubernetesReplayServer(bundle)
            stack.callback(kubernetes.stop)
            kubernetes.start()
            endpoints.kubernetes_url = kubernetes.url
            endpoints.kubeconfig = kubernetes.write_kubeconfig(root / "kubeconfig")
        if bundle.has_source("hubble"):
            hubble = HubbleReplayServer(bundle)
            stack.callback(hubble.stop)
            hubble.start()
            endpoints.hubble_address = hubble.address
        if prometheus_started is not None:
            prometheus_started.result()
            endpoints.prometheus_url = prometheus.url
        yield endpoints


def _stop_after_start(prometheus: PrometheusReplay, started: Future[None]) -> None:
    """Stop Prometheus on the way out, letting a start still under way finish first."""
    wait([started])
    prometheus.stop()


__all__ = ["ReplayEndpoints", "replay"]
