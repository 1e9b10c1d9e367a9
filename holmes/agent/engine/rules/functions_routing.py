"""CEL functions for the ingress/route runbook (registered on import); pure functions.

An Ingress or a Gateway API HTTPRoute sends a host and path to a Service and port. The proxy
answers 503 (ingress-nginx "Service Unavailable", Envoy "no healthy upstream") or 500 when that
Service does not exist, does not expose the port, or has no ready endpoints; and an HTTPRoute
its Gateway did not accept (status.parents[].conditions Accepted=False) serves nothing at all.
`route_problems` checks every backend of the listed Ingresses and HTTPRoutes against the
Services and EndpointSlices listed (`kubernetes_list` facts), and reads each route's status.
"""

from __future__ import annotations

import difflib
import re
from typing import Any


def _items(results: Any, kind: str) -> list[dict[str, Any]]:
    found = []
    for result in results or []:
        if not isinstance(result, dict) or not result.get("ok"):
            continue
        data = result.get("data") or {}
        if isinstance(data, dict) and data.get("kind") == kind:
            found += [i for i in data.get("items") or [] if isinstance(i, dict)]
    return found


def _closest(name: str, names: list[str]) -> list[str]:
    scored = [(difflib.SequenceMatcher(None, name, other).ratio(), other) for other in names]
    return [other for score, other in sorted(scored, reverse=True) if score >= 0.5][:3]


def _port_text(ports: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{p.get('port')}" + (f" ({p['name']})" if p.get("name") else "") for p in ports
    )


class _Cluster:
    """The Services and endpoint counts the listings hold, by (namespace, name)."""

    def __init__(self, services: Any, slices: Any) -> None:
        self.services = {
            (s.get("namespace"), s.get("name")): s for s in _items(services, "Service")
        }
        self.ready: dict[tuple[str, str], int] = {}
        self.read_namespaces: set[str] = set()
        for result in slices or []:
            data = (result or {}).get("data") or {} if isinstance(result, dict) else {}
            if (
                isinstance(result, dict)
                and result.get("ok")
                and data.get("kind") == "EndpointSlice"
            ):
                self.read_namespaces.add(str(data.get("namespace") or "*"))
        for item in _items(slices, "EndpointSlice"):
            key = (item.get("namespace"), item.get("service", ""))
            self.ready[key] = self.ready.get(key, 0) + int(item.get("ready") or 0)

    def names_in(self, namespace: str) -> list[str]:
        return [name for ns, name in self.services if ns == namespace]

    def check(self, namespace: str, name: str, port: Any) -> dict[str, Any] | None:
        """The problem of a backend Service and port, or None when it would serve."""
        if not name:
            return None
        service = self.services.get((namespace, name))
        if service is None:
            similar = _closest(name, self.names_in(namespace))
            return {
                "kind": "missing-service",
                "detail": f"Service {namespace}/{name} does not exist"
                + (f" (Services there that look like it: {', '.join(similar)})" if similar else ""),
                "similar": similar,
                "ports": [],
            }
        ports = service.get("ports") or []
        known = [p.get("port") for p in ports] + [p.get("name") for p in ports if p.get("name")]
        if port not in (None, "") and port not in known and str(port) not in map(str, known):
            return {
                "kind": "missing-port",
                "detail": f"Service {namespace}/{name} has no port {port} (it exposes "
                f"{_port_text(ports) or 'no ports'})",
                "similar": [],
                "ports": ports,
            }
        read = namespace in self.read_namespaces or "*" in self.read_namespaces
        if read and service.get("selector") and self.ready.get((namespace, name), 0) == 0:
            return {
                "kind": "no-ready-endpoints",
                "detail": f"Service {namespace}/{name} has no ready endpoints",
                "similar": [],
                "ports": ports,
            }
        return None


def _mentioned(question: str, *words: Any) -> bool:
    return any(
        w and re.search(rf"(?<![\w-]){re.escape(str(w))}(?![\w-])", question, re.IGNORECASE)
        for w in words
    )


def _ingress_problems(cluster: _Cluster, ingresses: Any, question: str) -> list[dict[str, Any]]:
    found = []
    for ingress in _items(ingresses, "Ingress"):
        namespace = str(ingress.get("namespace", ""))
        for backend in ingress.get("backends") or []:
            problem = cluster.check(namespace, backend.get("service", ""), backend.get("port"))
            if problem is None:
                continue
            host = backend.get("host") or "*"
            found.append(
                {
                    **problem,
                    "via_kind": "Ingress",
                    "via": ingress.get("name", ""),
                    "namespace": namespace,
                    "host": host,
                    "path": backend.get("path", "/"),
                    "service": backend.get("service", ""),
                    "service_namespace": namespace,
                    "port": backend.get("port"),
                    "asked": _mentioned(
                        question, ingress.get("name"), host, backend.get("service")
                    ),
                }
            )
    return found


def _route_status(route: dict[str, Any]) -> dict[str, Any] | None:
    """The first parent condition that says the route is not served, as a problem."""
    for parent in route.get("parent_status") or []:
        for condition in parent.get("conditions") or []:
            if condition.get("type") == "Accepted" and condition.get("status") == "False":
                kind = "not-accepted"
            elif condition.get("type") == "ResolvedRefs" and condition.get("status") == "False":
                kind = "refs-unresolved"
            else:
                continue
            return {
                "kind": kind,
                "parent": parent.get("parent", ""),
                "reason": condition.get("reason") or "",
                "parent_namespace": "",
                "detail": f"{condition.get('type')}=False ({condition.get('reason') or '?'}): "
                f"{condition.get('message') or ''}".strip(),
                "similar": [],
                "ports": [],
            }
    return None


def _route_problems(cluster: _Cluster, routes: Any, question: str) -> list[dict[str, Any]]:
    found = []
    for route in _items(routes, "HTTPRoute") + _items(routes, "GRPCRoute"):
        namespace = str(route.get("namespace", ""))
        hosts = route.get("hostnames") or ["*"]
        base = {
            "via_kind": "HTTPRoute",
            "via": route.get("name", ""),
            "namespace": namespace,
            "host": hosts[0],
            "path": "",
            "parents": [p.get("name", "") for p in route.get("parents") or []],
            "asked": _mentioned(question, route.get("name"), *hosts),
        }
        status = _route_status(route)
        if status:
            status["parent_namespace"] = next(
                (
                    p.get("namespace") or namespace
                    for p in route.get("parents") or []
                    if p.get("name") == status["parent"]
                ),
                namespace,
            )
        backend_problems = []
        for backend in route.get("backends") or []:
            if backend.get("kind", "Service") != "Service":
                continue
            problem = cluster.check(
                str(backend.get("namespace") or namespace),
                backend.get("name", ""),
                backend.get("port"),
            )
            if problem:
                backend_problems.append(
                    {
                        **base,
                        **problem,
                        "service": backend.get("name", ""),
                        "service_namespace": backend.get("namespace") or namespace,
                        "port": backend.get("port"),
                        "status": status["detail"] if status else "",
                        "asked": base["asked"] or _mentioned(question, backend.get("name")),
                    }
                )
        if status and status["kind"] == "not-accepted":
            found.append({**base, **status, "service": "", "service_namespace": "", "port": None})
        found += backend_problems
        if status and status["kind"] == "refs-unresolved" and not backend_problems:
            found.append({**base, **status, "service": "", "service_namespace": "", "port": None})
    return found


def route_problems(
    ingresses: Any, routes: Any, services: Any, slices: Any, question: Any = ""
) -> list:
    """Every Ingress and HTTPRoute backend that cannot serve, and every route its Gateway did
    not accept: `[{kind: missing-service|missing-port|no-ready-endpoints|not-accepted|
    refs-unresolved, via_kind, via, namespace, host, path, service, service_namespace, port,
    detail, similar, ports, asked, parent, parent_namespace, reason}]`, those the question
    names first, then by how sure the kind is (a missing Service before an unready one)."""
    cluster = _Cluster(services, slices)
    text = str(question or "")
    found = _ingress_problems(cluster, ingresses, text) + _route_problems(cluster, routes, text)
    order = [
        "not-accepted",
        "missing-service",
        "missing-port",
        "refs-unresolved",
        "no-ready-endpoints",
    ]
    found.sort(key=lambda p: (not p.get("asked"), order.index(p["kind"])))
    return found


def gateway_listener(gateways: Any, name: Any, namespace: Any) -> dict[str, Any]:
    """The named Gateway's listeners and which namespaces' routes each admits, as text:
    `{found, text, listeners}`."""
    for gateway in _items(gateways, "Gateway"):
        if gateway.get("name") == name and gateway.get("namespace") == namespace:
            listeners = gateway.get("listeners") or []
            text = "; ".join(
                f"listener {lst.get('name')} ({lst.get('protocol')}/{lst.get('port')}) admits "
                f"routes from {lst.get('allowed_namespaces')} namespaces"
                + (f" labelled {lst.get('selector')}" if lst.get("selector") else "")
                for lst in listeners
            )
            return {"found": True, "text": text, "listeners": listeners}
    return {"found": False, "text": "", "listeners": []}


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.route_problems": route_problems,
    "k8s.gateway_listener": gateway_listener,
}
