"""Prometheus failures translated into holmes's error tree, in this one place.

`client.py` calls these for every request and raises the result with the httpx error (or
nothing) chained as the cause. The mapping, by `ToolError.kind`:

    unavailable    no prometheus_url configured; connection refused, DNS failure, reset;
                   HTTP 502/503 without the API's envelope; errorType "unavailable"
    timeout        no answer within the call's timeout; errorType "timeout" or "canceled"
    not_found      HTTP 404 (a wrong URL or path prefix); errorType "not_found"
    bad_arguments  errorType "bad_data" (a PromQL parse error, a bad parameter): Prometheus's
                   own text, so the caller can fix the query
    forbidden      HTTP 401/403 (missing or wrong auth headers)
    error          errorType "execution"/"internal"/others; a body that is not the API's JSON
"""

from __future__ import annotations

from typing import Any

import httpx

from holmes.tools.base import ErrorKind, ToolFailure

SOURCE = "prometheus"

_ERROR_TYPES: dict[str, ErrorKind] = {
    "bad_data": "bad_arguments",
    "timeout": "timeout",
    "canceled": "timeout",
    "unavailable": "unavailable",
    "not_found": "not_found",
}


def not_configured() -> ToolFailure:
    """The investigation has no Prometheus endpoint."""
    return ToolFailure(
        SOURCE,
        "unavailable",
        "prometheus is not configured: set the Prometheus URL (prometheus_url) to query metrics",
    )


def bad_tls(ca_file: object, error: Exception) -> ToolFailure:
    """The configured CA file cannot be read or parsed."""
    return ToolFailure(
        SOURCE, "unavailable", f"prometheus CA file {ca_file} is not usable: {error}"
    )


def from_transport(error: Exception, url: str, timeout: float) -> ToolFailure:
    """A request that got no HTTP answer: refused, unresolvable, reset or too slow.

    `error` is an httpx error, or the TimeoutError of the call's own deadline.
    """
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return ToolFailure(
            SOURCE, "timeout", f"prometheus at {url} did not answer within {timeout:g} s"
        )
    return ToolFailure(
        SOURCE, "unavailable", f"prometheus at {url} is not reachable: {_reason(error)}"
    )


def _reason(error: BaseException) -> str:
    """The root cause in words: "connection refused" rather than httpx's generic text."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, ConnectionResetError):
            return "connection reset"
        seen = seen.__cause__ or seen.__context__
    return str(error) or type(error).__name__


def from_response(response: httpx.Response, body: Any, url: str) -> ToolFailure | None:
    """The failure an HTTP answer reports, or None when it is a success envelope."""
    if isinstance(body, dict) and body.get("status") == "success":
        return None
    status = response.status_code
    if status in (401, 403):
        return ToolFailure(
            SOURCE,
            "forbidden",
            f"prometheus at {url} refused the request (HTTP {status}); check the auth "
            "headers configured for it (prometheus_headers)",
        )
    if isinstance(body, dict) and body.get("status") == "error":
        error_type = str(body.get("errorType", ""))
        message = str(body.get("error", "")).strip() or f"HTTP {status}"
        kind = _ERROR_TYPES.get(error_type, "error")
        return ToolFailure(SOURCE, kind, f"prometheus rejected the query ({error_type}): {message}")
    if status == 404:
        return ToolFailure(
            SOURCE,
            "not_found",
            f"prometheus at {url} has no {response.request.url.path} (HTTP 404); "
            "check the URL and any path prefix",
        )
    if status in (502, 503, 504):
        return ToolFailure(SOURCE, "unavailable", f"prometheus at {url} answered HTTP {status}")
    return ToolFailure(
        SOURCE,
        "error",
        f"prometheus at {url} answered HTTP {status} without the API's JSON envelope",
    )
