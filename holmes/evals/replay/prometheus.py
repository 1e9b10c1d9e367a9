"""The Prometheus replay: a real Prometheus server answering PromQL over a bundle's series.

Called by test fixtures, the eval runner and the demo, which point the Prometheus toolset at
`replay.url`. `start()` renders the bundle's series as OpenMetrics, backfills them with
`promtool tsdb create-blocks-from openmetrics` (cached by content, see `prometheus_blocks`), and
starts `prometheus` on a free loopback port with no scrape jobs, so a query at the incident's
time gets exactly the recorded answer, with the live default 5 minute lookback.

    with PrometheusReplay(load_bundle("evals/incidents/gpu-xid-79-node-3")) as replay:
        httpx.get(f"{replay.url}/api/v1/query", params={"query": "up", "time": "..."})

Errors (from `prometheus_errors`): PrometheusReplayError (RuntimeError), and its subclass
PrometheusNotInstalled. `render_openmetrics` raises ValueError for series promtool would misread.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from holmes.evals.bundle import Bundle
from holmes.evals.replay.prometheus_blocks import default_cache_dir, install_blocks
from holmes.evals.replay.prometheus_errors import PrometheusNotInstalled, PrometheusReplayError
from holmes.evals.replay.prometheus_openmetrics import render_openmetrics
from holmes.evals.replay.prometheus_process import (
    AddressInUse,
    free_port,
    launch,
    stop_process,
    wait_until_ready,
)

__all__ = [
    "PrometheusNotInstalled",
    "PrometheusReplay",
    "PrometheusReplayError",
    "StartupTimings",
    "render_openmetrics",
]

log = logging.getLogger(__name__)

_CONFIG = """\
# Written by holmes's Prometheus replay: no scrape jobs, every sample was backfilled.
global:
  scrape_interval: 1m
scrape_configs: []
"""
# Blocks older than the retention are deleted at startup, and incidents may be years old.
_RETENTION = "100y"
# A port taken between free_port() and Prometheus binding it is rare; a few tries suffice.
_PORT_ATTEMPTS = 3


@dataclass(frozen=True)
class StartupTimings:
    """Where `start()` spent its time, in seconds (for benchmarks and slow-start reports)."""

    backfill_seconds: float  # promtool, or linking cached blocks (cache_hit)
    ready_seconds: float  # from launching prometheus to /-/ready answering 200
    cache_hit: bool | None  # None: the bundle has no samples, nothing was backfilled

    @property
    def total_seconds(self) -> float:
        """Backfill and readiness together."""
        return self.backfill_seconds + self.ready_seconds


class PrometheusReplay:
    """A Prometheus server loaded with one bundle's series, on 127.0.0.1, until `stop()`."""

    def __init__(
        self,
        bundle: Bundle,
        *,
        workdir: Path | None = None,
        prometheus: str = "prometheus",
        promtool: str = "promtool",
        cache_dir: Path | None = None,
        ready_timeout: float = 30.0,
        stop_grace: float = 5.0,
    ) -> None:
        """Prepare a replay; nothing runs until `start()`.

        `workdir`: where the server's own temporary dir is made (default: the system's temp
        dir); `cache_dir`: backfilled blocks (default: `default_cache_dir()`).
        """
        self.bundle = bundle
        self._workdir = workdir
        self._prometheus = prometheus
        self._promtool = promtool
        self._cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self._ready_timeout = ready_timeout
        self._stop_grace = stop_grace
        self._url: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None
        self.timings: StartupTimings | None = None

    @property
    def url(self) -> str:
        """The server's base URL, `http://127.0.0.1:PORT`."""
        if self._url is None:
            raise PrometheusReplayError("the Prometheus replay is not running; call start()")
        return self._url

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Backfill the series and start Prometheus; return once `/-/ready` answers."""
        if self._url is not None:
            return
        prometheus, promtool = _resolve(self._prometheus), _resolve(self._promtool)
        openmetrics = render_openmetrics(self.bundle.series)
        if self._workdir is not None:
            self._workdir.mkdir(parents=True, exist_ok=True)
        run_dir = Path(tempfile.mkdtemp(prefix="holmes-prometheus-", dir=self._workdir))
        try:
            began = time.monotonic()
            cache_hit = None
            if any(series.samples for series in self.bundle.series):
                cache_hit = install_blocks(
                    openmetrics, run_dir / "data", promtool=promtool, cache_dir=self._cache_dir
                )
            backfilled = time.monotonic()
            (run_dir / "prometheus.yml").write_text(_CONFIG, encoding="utf-8")
            process, url = self._serve(prometheus, run_dir)
        except BaseException:
            shutil.rmtree(run_dir, ignore_errors=True)
            raise
        self.timings = StartupTimings(
            backfill_seconds=backfilled - began,
            ready_seconds=time.monotonic() - backfilled,
            cache_hit=cache_hit,
        )
        log.debug("prometheus replay of %s at %s: %s", self.bundle.id, url, self.timings)
        self._process, self._url = process, url
        # Runs at stop(), on garbage collection, or at interpreter exit, whichever comes first.
        self._finalizer = weakref.finalize(self, _shut_down, process, run_dir, self._stop_grace)

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after the grace period) and remove its files."""
        if self._finalizer is not None:
            self._finalizer()
        self._finalizer = None
        self._process = None
        self._url = None

    def __enter__(self) -> PrometheusReplay:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, prometheus: str, run_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            url = f"http://127.0.0.1:{free_port()}"
            process = launch(_command(prometheus, run_dir, url), run_dir / "prometheus.log")
            try:
                wait_until_ready(
                    process, url, run_dir / "prometheus.log", timeout=self._ready_timeout
                )
            except AddressInUse:
                stop_process(process, grace=self._stop_grace)
                if attempt == _PORT_ATTEMPTS:
                    raise
                log.debug("port of %s was taken; trying another", url)
                continue
            except BaseException:
                stop_process(process, grace=self._stop_grace)
                raise
            return process, url
        raise AssertionError("unreachable")  # the loop returns or raises


def _command(prometheus: str, run_dir: Path, url: str) -> list[str]:
    return [
        prometheus,
        f"--config.file={run_dir / 'prometheus.yml'}",
        f"--storage.tsdb.path={run_dir / 'data'}",
        f"--storage.tsdb.retention.time={_RETENTION}",
        # One block range: Prometheus never compacts the backfilled blocks behind our back
        # (they are larger than 2h already, see prometheus_blocks._MAX_BLOCK_DURATION).
        "--storage.tsdb.min-block-duration=2h",
        "--storage.tsdb.max-block-duration=2h",
        f"--web.listen-address={url.removeprefix('http://')}",
        "--log.level=warn",
    ]


def _resolve(binary: str) -> str:
    found = shutil.which(binary)
    if found is None:
        raise PrometheusNotInstalled(binary)
    return found


def _shut_down(process: subprocess.Popen[bytes], run_dir: Path, grace: float) -> None:
    stop_process(process, grace=grace)
    shutil.rmtree(run_dir, ignore_errors=True)
