"""Client errors of the Kubernetes toolset translated into `ToolFailure`, in one place.

Called by `client.py` around every request. The kubernetes client raises `ApiException` for an
HTTP answer that is not 2xx (its body is a `Status` whose message is the API server's own
words) and lets urllib3 errors through for transport failures (the client is built with
retries off, so they arrive unwrapped). The mapping (kind, then the source's fault):

    connection refused / DNS / TLS  unavailable, unreachable  "kubernetes API at <addr> is not
                                                               reachable: ..."
    connect or read timeout         timeout, timeout          "... did not answer within N s"
    404                             not_found                 the server's message ('pods "x"
                                                               not found')
    401, 403                        forbidden, auth           the server's message + what to check
    400, 422                        bad_arguments             the server's message (bad selector)
    5xx                             error, server_error       "... answered HTTP 500: ..."
    a body that is not JSON         error, bad_response       "... answered an HTML page ...",
                                                               "... answered truncated JSON ..."
    anything else                   error

The original exception is chained as the cause; every failure of the source names its address
as the `endpoint`.
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
        fault="not_configured",
    )


def not_json(server: str, path: str, body: object) -> ToolFailure:
    """A 2xx answer whose body is not the JSON document the API sends (a proxy's HTML page,
    a login portal, a body cut short)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    what = (
        "an HTML page"
        if text.lstrip()[:1] == "<"
        else "truncated or invalid JSON"
        if text.lstrip()[:1] in ("{", "[")
        else "a body that is not JSON"
    )
    return ToolFailure(
        SOURCE,
        "error",
        f"kubernetes API at {server} answered {what} instead of JSON (GET {path})",
        fault="bad_response",
        endpoint=server,
    )


def raise_translated(error: Exception, server: str, timeout: float) -> NoReturn:
    """Raise the `ToolFailure` for a client error, chaining the original."""
    raise translate(error, server, timeout) from error


def translate(error: Exception, server: str, timeout: float) -> ToolFailure:
    """The `ToolFailure` that says what went wrong with a request to `server`."""
    where = f"kubernetes API at {server}"
    if isinstance(error, ApiException):
        return _from_status(error, where, server)
    unreachable = f"{where} is not reachable: {_reason(error)}"
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        # A subclass of ConnectTimeoutError in urllib3, so it is checked first.
        return ToolFailure(SOURCE, "unavailable", unreachable, fault="unreachable", endpoint=server)
    if isinstance(error, urllib3.exceptions.TimeoutError):
        message = f"{where} did not answer within {timeout:g} s"
        return ToolFailure(SOURCE, "timeout", message, fault="timeout", endpoint=server)
    if isinstance(error, urllib3.exceptions.HTTPError | OSError):
        return ToolFailure(SOURCE, "unavailable", unreachable, fault="unreachable", endpoint=server)
    if isinstance(error, ValueError):  # the client's json.loads of a body cut short
        message = f"{where} answered truncated or invalid JSON ({error})"
        return ToolFailure(SOURCE, "error", message, fault="bad_response", endpoint=server)
    return ToolFailure(SOURCE, "error", f"{where}: {type(error).__name__}: {error}")


def _reason(error: Exception) -> str:
    text = str(error)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "the host name does not resolve"
    return text.split(": ", 1)[-1] if ": " in text else text


def _from_status(error: ApiException, where: str, server: str) -> ToolFailure:
    status = error.status or 0
    message = _status_message(error) or f"HTTP {status} {error.reason or ''}".strip()
    if status == 0:  # the client reports TLS failures as status 0
        return ToolFailure(
            SOURCE,
            "unavailable",
            f"{where} is not reachable: {message}",
            fault="unreachable",
            endpoint=server,
        )
    if status == 404:
        return ToolFailure(SOURCE, "not_found", message)
    if status in (401, 403):
        return ToolFailure(
            SOURCE,
            "forbidden",
            f"{where} refused the request (HTTP {status}): {message}; check the credentials "
            "and the RBAC permissions (get/list) of the user in the kubeconfig",
            fault="auth",
            endpoint=server,
        )
    if status in (400, 422):
        return ToolFailure(SOURCE, "bad_arguments", message)
    if status == 504 or status == 408:
        # The API server answered (its own request to etcd timed out): not a hung endpoint.
        message = f"{where} timed out: {message}"
        return ToolFailure(SOURCE, "timeout", message, fault="server_error", endpoint=server)
    fault = "server_error" if status >= 500 else None
    return ToolFailure(
        SOURCE, "error", f"{where} answered HTTP {status}: {message}", fault=fault, endpoint=server
    )


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
        return " ".join(str(body)[:300].split())  # one line, whatever the body's layout
    return str(document.get("message", "")) if isinstance(document, dict) else ""
