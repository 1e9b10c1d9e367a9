"""Errors of the Prometheus replay; re-exported by `holmes.evals.replay.prometheus`.

Raised while backfilling a bundle's series or starting the server. Each message says what
failed and what to do next (install a package, read promtool's or prometheus's own words).

    PrometheusReplayError (RuntimeError)
     +-- PrometheusNotInstalled     prometheus or promtool is not on this machine
"""

from __future__ import annotations

__all__ = ["INSTALL_HINT", "PrometheusNotInstalled", "PrometheusReplayError"]

INSTALL_HINT = (
    "install them with `apt-get install prometheus` (the Debian package provides both "
    "prometheus and promtool)"
)


class PrometheusReplayError(RuntimeError):
    """The replay could not backfill the series or start, or keep running, Prometheus."""


class PrometheusNotInstalled(PrometheusReplayError):
    """A binary the replay needs (prometheus, promtool) was not found."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        super().__init__(
            f"{binary!r} was not found; the Prometheus replay needs prometheus and promtool: "
            f"{INSTALL_HINT}"
        )
