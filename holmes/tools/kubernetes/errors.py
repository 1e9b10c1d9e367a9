"""Client errors of the Kubernetes toolset translated into `ToolFailure`, in one place.

Called by `client.py` around every request. The kubernetes client raises `ApiException` for an
HTTP answer that is not 2xx (its body is a `Status` whose message is the API server's own
words) and lets urllib3 errors through for transport failures (the client is built with
retries off, so they arrive unwrapped). The mapping:

    connection refused / DNS / TLS  unavailable    "kubernetes API at <addr> is not reachable: ..."
    connect or read timeout         timeout        "kubernetes API at <addr> did not answer ..."
    404                             not_found      the server's message ('pods "x" not found')
    401, 403                        forbidden      the server's message + what to check
    400, 422                        bad_arguments  the server's message (bad selector, ...)
    anything else                   error

The original exception is chained as the cause.
"""

from __future__ import annotations

import json
from typing import NoReturn

import urllib3.exceptions
from kubernetes.client.exceptions import ApiException

from holmes.tools.base import ToolFailure

SOURCE = "kubernetes"


def not_configured() -> ToolFailure:
    """The failure for an investigation without a Kubernetes endpoint."""
    return ToolFailure(
        SOURCE,
        "unavailable",
        "kubernetes is not configured: set a kubeconfig (and optionally a context) "
        "or run in-cluster",
    )


def raise_translated(error: Exception, server: str, timeout: float) -> NoReturn:
    """Raise the `ToolFailure` for a client error, chaining the original."""
    raise translate(error, server, timeout) from error


def translate(error: Exception, server: str, timeout: float) -> ToolFailure:
    """The `ToolFailure` that says what went wrong with a request to `server`."""
    where = f"kubernetes API at {server}"
    if isinstance(error, ApiException):
        return _from_status(error, where)
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        # A subclass of ConnectTimeoutError in urllib3, so it is checked first.
        return ToolFailure(SOURCE, "unavailable", f"{where} is not reachable: {_reason(error)}")
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return ToolFailure(SOURCE, "timeout", f"{where} did not answer within {timeout:g} s")
    if isinstance(error, urllib3.exceptions.HTTPError | OSError):
        return ToolFailure(SOURCE, "unavailable", f"{where} is not reachable: {_reason(error)}")
    return ToolFailure(SOURCE, "error", f"{where}: {type(error).__name__}: {error}")


def _reason(error: Exception) -> str:
    text = str(error)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "the host name does not resolve"
    return text.split(": ", 1)[-1] if ": " in text else text


def _from_status(error: ApiException, where: str) -> ToolFailure:
    status = error.status or 0
    message = _status_message(error) or f"HTTP {status} {error.reason or ''}".strip()
    if status == 0:  # the client reports TLS failures as status 0
        return ToolFailure(SOURCE, "unavailable", f"{where} is not reachable: {message}")
    if status == 404:
        return ToolFailure(SOURCE, "not_found", message)
    if status in (401, 403):
        return ToolFailure(
            SOURCE,
            "forbidden",
            f"{where} refused the request ({status}): {message}; check the credentials and "
            "the RBAC permissions (get/list) of the user in the kubeconfig",
        )
    if status in (400, 422):
        return ToolFailure(SOURCE, "bad_arguments", message)
    if status == 504 or status == 408:
        return ToolFailure(SOURCE, "timeout", f"{where} timed out: {message}")
    return ToolFailure(SOURCE, "error", f"{where} answered {status}: {message}")


def _status_message(error: ApiException) -> str:
    """The `message` of the Status body the API server sent, if any."""
    body = error.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not body:
        return ""
    try:
        document = json.loads(body)
    except ValueError:
        return str(body)[:300]
    return str(document.get("message", "")) if isinstance(document, dict) else ""
