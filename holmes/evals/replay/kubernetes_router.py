"""Request routing of the Kubernetes API replay: a method, path and query in, a response out.

Called by the HTTP handler in `kubernetes_api` for every request; pure (no sockets), so the
same answers come whatever HTTP stack carries them. Paths follow kube-apiserver:
`/api/v1[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]` for the core group and
`/apis/<group>/<version>/...` for the others, plus discovery. Every failure is a `Status`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from holmes.evals.bundle import Bundle
from holmes.evals.replay import kubernetes_discovery as discovery
from holmes.evals.replay.kubernetes_logs import (
    LogRequestError,
    choose_container,
    find_log,
    parse_log_options,
    render_log,
)
from holmes.evals.replay.kubernetes_resources import ResourceType
from holmes.evals.replay.kubernetes_selectors import SelectorError
from holmes.evals.replay.kubernetes_status import (
    ApiError,
    bad_request,
    method_not_allowed,
    no_such_path,
    not_found,
)
from holmes.evals.replay.kubernetes_store import ObjectStore
from holmes.evals.replay.kubernetes_tables import TableRequest, to_table, wants_table

JSON = "application/json"


@dataclass
class Response:
    """What to send back: status code, content type and body."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, document: dict[str, Any]) -> Response:
    """A JSON document as a response."""
    return Response(status, JSON, json.dumps(document, separators=(",", ":")).encode())


@dataclass(frozen=True)
class _Target:
    """A parsed resource path."""

    resource: ResourceType
    namespace: str | None  # None: across all namespaces (or a cluster-scoped resource)
    name: str = ""
    subresource: str = ""


class Router:
    """Answers API requests from one bundle's objects and logs."""

    def __init__(self, bundle: Bundle, store: ObjectStore, server_address: str = "") -> None:
        self.bundle = bundle
        self.store = store
        self.server_address = server_address

    def handle(self, method: str, path: str, query: dict[str, str], accept: str = "") -> Response:
        """Route one request; any `ApiError` becomes its Status response."""
        try:
            return self._route(method, path.rstrip("/") or "/", query, accept)
        except ApiError as error:
            return json_response(error.code, error.body())
        except Exception as error:  # a bundle shape we did not foresee: answer, do not hang up
            failure = ApiError(500, "InternalError", f"replay server error: {error!r}")
            return json_response(500, failure.body())

    def _route(self, method: str, path: str, query: dict[str, str], accept: str) -> Response:
        parts = [part for part in path.split("/") if part]
        if method not in ("GET", "HEAD"):
            target = self._target_or_none(parts)
            raise method_not_allowed(
                method, target.resource if target else None, target.name if target else ""
            )
        document = self._discovery(parts)
        if document is not None:
            return json_response(200, document)
        if parts in (["healthz"], ["livez"], ["readyz"]):
            return Response(200, "text/plain; charset=utf-8", b"ok")
        target = self._target(parts)
        watch_segment = 2 if parts[0] == "api" else 3  # /api/v1/watch/..., /apis/g/v/watch/...
        if query.get("watch", "").lower() in ("true", "1") or parts[watch_segment] == "watch":
            raise method_not_allowed("WATCH", target.resource)
        if target.subresource:
            return self._subresource(target, query)
        if target.name:
            return self._get(target, query, accept)
        return self._list(target, query, accept)

    def _discovery(self, parts: list[str]) -> dict[str, Any] | None:
        table = self.store.resources
        match parts:
            case ["version"]:
                return discovery.SERVER_VERSION
            case ["api"]:
                return discovery.api_versions(self.server_address)
            case ["apis"]:
                return discovery.api_group_list(table)
            case ["api", version]:
                return discovery.api_resource_list(table, "", version) or _raise(no_such_path())
            case ["apis", group]:
                return discovery.api_group(table, group) or _raise(no_such_path())
            case ["apis", group, version]:
                found = discovery.api_resource_list(table, group, version)
                return found or _raise(no_such_path())
        return None

    def _target_or_none(self, parts: list[str]) -> _Target | None:
        try:
            return self._target(parts)
        except ApiError:
            return None

    def _target(self, parts: list[str]) -> _Target:
        if parts[:1] == ["api"] and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise no_such_path()
        if rest[:1] == ["watch"]:
            rest = rest[1:]
        if not rest:
            raise no_such_path()
        lookup = self.store.resources.lookup
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            resource = lookup(group, version, rest[2])
            if resource is not None and resource.namespaced and len(rest) <= 5:
                return _Target(resource, rest[1], *rest[3:])
        resource = lookup(group, version, rest[0])
        if resource is None or len(rest) > 3:
            raise no_such_path()
        if resource.namespaced and len(rest) > 1:
            raise no_such_path()  # a namespaced object needs its namespace in the path
        return _Target(resource, None, *rest[1:])

    def _get(self, target: _Target, query: dict[str, str], accept: str) -> Response:
        obj = self.store.get(target.resource, target.namespace or "", target.name)
        if obj is None:
            raise not_found(target.resource, target.name)
        if wants_table(accept):
            return json_response(
                200, to_table(_kind_of(target), [obj], self._table_request(query), self.bundle.time)
            )
        return json_response(200, obj)

    def _list(self, target: _Target, query: dict[str, str], accept: str) -> Response:
        try:
            limit = int(query.get("limit") or 0)
        except ValueError as error:
            raise bad_request(f"invalid limit: {query['limit']!r}") from error
        try:
            page = self.store.list(
                target.resource,
                target.namespace,
                label_selector=query.get("labelSelector", ""),
                field_selector=query.get("fieldSelector", ""),
                limit=limit,
                continue_token=query.get("continue", ""),
            )
        except SelectorError as error:
            raise bad_request(str(error)) from error
        metadata: dict[str, Any] = {"resourceVersion": self.store.resource_version}
        if page.continue_token:
            metadata["continue"] = page.continue_token
            metadata["remainingItemCount"] = page.remaining
        if wants_table(accept):
            table = to_table(
                _kind_of(target), page.items, self._table_request(query), self.bundle.time
            )
            table["metadata"] = metadata
            return json_response(200, table)
        return json_response(
            200,
            {
                "apiVersion": target.resource.api_version,
                "kind": f"{target.resource.kind}List",
                "metadata": metadata,
                "items": page.items,
            },
        )

    def _table_request(self, query: dict[str, str]) -> TableRequest:
        return TableRequest(include_object=query.get("includeObject", "Metadata"))

    def _subresource(self, target: _Target, query: dict[str, str]) -> Response:
        obj = self.store.get(target.resource, target.namespace or "", target.name)
        resource = target.resource
        if obj is None:
            raise not_found(resource, target.name)
        if target.subresource == "status":
            return json_response(200, obj)
        if (resource.group, resource.plural, target.subresource) != ("", "pods", "log"):
            raise no_such_path()
        try:
            options = parse_log_options(query)
            container = choose_container(obj, options.container)
        except LogRequestError as error:
            raise bad_request(str(error), resource, target.name) from error
        log = find_log(
            self.bundle, target.namespace or "", target.name, container, options.previous
        )
        if log is None and options.previous:
            raise bad_request(
                f'previous terminated container "{container}" in pod "{target.name}" not found',
                resource,
                target.name,
            )
        text = log.text if log is not None else ""
        return Response(200, "text/plain", render_log(text, options, self.bundle.time))


def _kind_of(target: _Target) -> tuple[str, str]:
    return (target.resource.api_version, target.resource.kind)


def _raise(error: ApiError) -> dict[str, Any]:
    raise error
