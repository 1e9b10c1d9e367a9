"""Pulling alerts from Alertmanager's API v2 (`GET /api/v2/alerts`), for `holmes investigate
alertmanager`.

Asks for active alerts only (not silenced, not inhibited), with Alertmanager's own `filter`
matchers (`alertname=~"Kube.*"`) and `receiver` regex. A failure raises `PullError` naming the
URL and what went wrong.
"""

from __future__ import annotations

from typing import Any

import httpx


class PullError(Exception):
    """Alertmanager could not be asked, or answered something other than alerts."""


def active_alerts(
    url: str, *, filters: list[str], receiver: str | None = None, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """The active alerts Alertmanager at `url` holds, as its API v2 returns them."""
    params: list[tuple[str, str]] = [
        ("active", "true"),
        ("silenced", "false"),
        ("inhibited", "false"),
    ]
    params += [("filter", matcher) for matcher in filters]
    if receiver:
        params.append(("receiver", receiver))
    endpoint = url.rstrip("/") + "/api/v2/alerts"
    try:
        response = httpx.get(endpoint, params=params, timeout=timeout)
    except httpx.HTTPError as error:
        raise PullError(f"{endpoint}: {error}") from None
    if response.status_code != 200:
        raise PullError(f"{endpoint}: HTTP {response.status_code}: {response.text[:200]}")
    try:
        alerts = response.json()
    except ValueError:
        raise PullError(f"{endpoint}: the answer is not JSON") from None
    if not isinstance(alerts, list):
        raise PullError(f"{endpoint}: expected an array of alerts")
    return alerts
