"""`kind: Status` error answers of the replay, worded as kube-apiserver words them.

Raised inside `kubernetes_router` wherever a request fails and turned into the response body by
it; clients (the kubernetes Python client, kubectl) read `reason`, `message` and `code` from it.
"""

from __future__ import annotations

from typing import Any

from holmes.evals.replay.kubernetes_resources import ResourceType


class ApiError(Exception):
    """A request the API server would refuse; `body()` is the Status it would send."""

    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        """The `Status` object for the response body."""
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            status["details"] = self.details
        return status


def _details(resource: ResourceType | None, name: str = "") -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if resource is not None:
        if resource.group:
            details["group"] = resource.group
        details["kind"] = resource.plural
    return details


def not_found(resource: ResourceType, name: str) -> ApiError:
    """`pods "x" not found` (404)."""
    return ApiError(
        404, "NotFound", f'{resource.qualified} "{name}" not found', _details(resource, name)
    )


def no_such_path() -> ApiError:
    """The answer for a path the server does not serve (404)."""
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def bad_request(message: str, resource: ResourceType | None = None, name: str = "") -> ApiError:
    """A 400 BadRequest with the given message."""
    return ApiError(400, "BadRequest", message, _details(resource, name) if resource else None)


def method_not_allowed(
    method: str, resource: ResourceType | None = None, name: str = ""
) -> ApiError:
    """A 405 for writes (and watches): the replay only reads."""
    return ApiError(
        405,
        "MethodNotAllowed",
        f"the server does not allow this method on the requested resource ({method}): "
        "the incident replay is read-only",
        _details(resource, name),
    )
