"""Prometheus failures translated into holmes's error tree, in this one place.

`client.py` calls these for every request and raises the result with the httpx error (or
nothing) chained as the cause. The mapping, by `ToolError.kind` (and the source's `fault`):

    unavailable    no prometheus_url configured (not_configured); connection refused, DNS
                   failure, reset (unreachable); HTTP 502/503 without the API's envelope, or
                   errorType "unavailable" (server_error)
    timeout        no answer within the call's timeout (timeout); errorType "timeout" or
                   "canceled" (Prometheus answered: the query was too heavy, no fault)
    not_found      HTTP 404 (a wrong URL or path prefix: server_error, no API there);
                   errorType "not_found"
    bad_arguments  errorType "bad_data" (a PromQL parse error, a bad parameter): Prometheus's
                   own text, so the caller can fix the query
    forbidden      HTTP 401/403 (missing or wrong auth headers: auth)
    error          errorType "internal" (server_error), "execution" and others (the query's);
                   another HTTP 5xx (server_error); a body that is not the API's JSON: an HTML
                   page, JSON cut short, a "success" shaped as no query result (bad_response)
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
        fault="not_configured",
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
        message = f"prometheus at {url} did not answer within {timeout:g} s"
        return ToolFailure(SOURCE, "timeout", message, fault="timeout", endpoint=url)
    message = f"prometheus at {url} is not reachable: {_reason(error)}"
    return ToolFailure(SOURCE, "unavailable", message, fault="unreachable", endpoint=url)


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
            fault="auth",
            endpoint=url,
        )
    if isinstance(body, dict) and body.get("status") == "error":
        error_type = str(body.get("errorType", ""))
        message = str(body.get("error", "")).strip() or f"HTTP {status}"
        kind = _ERROR_TYPES.get(error_type, "error")
        fault = "server_error" if error_type in ("internal", "unavailable") else None
        return ToolFailure(
            SOURCE,
            kind,
            f"prometheus rejected the query ({error_type}): {message}",
            fault=fault,
            endpoint=url,
        )
    if status == 404:
        return ToolFailure(
            SOURCE,
            "not_found",
            f"prometheus at {url} has no {response.request.url.path} (HTTP 404); "
            "check the URL and any path prefix",
            fault="server_error",
            endpoint=url,
        )
    if status in (502, 503, 504):
        message = f"prometheus at {url} answered HTTP {status}"
        return ToolFailure(SOURCE, "unavailable", message, fault="server_error", endpoint=url)
    if status >= 500:
        message = f"prometheus at {url} answered HTTP {status}: {_excerpt(response)}"
        return ToolFailure(SOURCE, "error", message, fault="server_error", endpoint=url)
    return ToolFailure(
        SOURCE,
        "error",
        f"prometheus at {url} answered {_body_kind(response)} where the API's JSON was "
        f"expected (HTTP {status})",
        fault="bad_response",
        endpoint=url,
    )


def malformed(url: str, error: Exception) -> ToolFailure:
    """A success envelope whose `data` is not shaped as the query API's."""
    message = (
        f"prometheus at {url} answered a result not shaped as the query API's "
        f"({type(error).__name__}: {error})"
    )
    return ToolFailure(SOURCE, "error", message, fault="bad_response", endpoint=url)


def _body_kind(response: httpx.Response) -> str:
    """What came back instead of the JSON envelope, in words."""
    content_type = response.headers.get("content-type", "")
    start = response.content.lstrip()[:1]
    if "html" in content_type or start == b"<":
        return "an HTML page"
    if start in (b"{", b"["):
        return "truncated or invalid JSON"
    if not response.content:
        return "an empty body"
    return f"a body of type {content_type or 'unknown'}"


def _excerpt(response: httpx.Response) -> str:
    """The start of an error body, on one line (a plain-text 500 says what broke)."""
    if response.content.lstrip()[:1] == b"<":
        return "an HTML error page"
    text = " ".join(response.text[:200].split())
    return text or "no body"
