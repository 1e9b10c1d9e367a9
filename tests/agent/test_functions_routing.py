"""Ingress and HTTPRoute backends against Services and EndpointSlices, and route status, on
facts built by the `kubernetes_list` fact functions from API objects."""

from __future__ import annotations

from holmes.agent.engine.rules.functions_routing import gateway_listener, route_problems
from holmes.tools.kubernetes.list_facts import list_facts


def _listing(kind, *objects, namespace="web"):
    items = [
        {
            "name": o["metadata"]["name"],
            "namespace": o["metadata"].get("namespace"),
            **list_facts(o),
        }
        for o in objects
    ]
    return [{"ok": True, "data": {"kind": kind, "namespace": namespace, "items": items}}]


def _service(name, ports, selector=True):
    return {
        "kind": "Service",
        "metadata": {"name": name, "namespace": "web"},
        "spec": {"selector": {"app": name} if selector else None, "ports": ports},
    }


def _slice(service, ready):
    return {
        "kind": "EndpointSlice",
        "metadata": {
            "name": service + "-x",
            "namespace": "web",
            "labels": {"kubernetes.io/service-name": service},
        },
        "endpoints": [{"conditions": {"ready": r}} for r in ready],
        "ports": [{"port": 8080}],
    }


def _ingress(name, host, service, port):
    key = "number" if isinstance(port, int) else "name"
    return {
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": "web"},
        "spec": {
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "backend": {"service": {"name": service, "port": {key: port}}},
                            }
                        ]
                    },
                }
            ]
        },
    }


SERVICES = _listing(
    "Service",
    _service("chat-ui", [{"name": "http", "port": 80}]),
    _service("docs", [{"name": "http", "port": 80}]),
)


def test_a_missing_service_names_the_similar_one_and_the_asked_route_comes_first() -> None:
    ingresses = _listing(
        "Ingress",
        _ingress("docs", "docs.acme.ai", "docs", "grpc"),
        _ingress("chat", "chat.acme.ai", "chat-frontend", 80),
    )
    slices = _listing("EndpointSlice", _slice("chat-ui", [True]), _slice("docs", [True]))
    problems = route_problems(ingresses, [], SERVICES, slices, "chat.acme.ai answers 503")
    assert [p["kind"] for p in problems] == ["missing-service", "missing-port"]
    assert problems[0]["via"] == "chat" and problems[0]["similar"] == ["chat-ui"]
    assert "no port grpc" in problems[1]["detail"]


def test_no_ready_endpoints_only_when_the_slices_were_read() -> None:
    ingresses = _listing("Ingress", _ingress("chat", "chat.acme.ai", "chat-ui", "http"))
    unready = _listing("EndpointSlice", _slice("chat-ui", [False, False]))
    (problem,) = route_problems(ingresses, [], SERVICES, unready)
    assert problem["kind"] == "no-ready-endpoints"
    assert route_problems(ingresses, [], SERVICES, []) == []  # unknown is not "none ready"
    ready = _listing("EndpointSlice", _slice("chat-ui", [False, True]))
    assert route_problems(ingresses, [], SERVICES, ready) == []


def _route(accepted_reason=None):
    conditions = [{"type": "Accepted", "status": "True", "reason": "Accepted"}]
    if accepted_reason:
        conditions = [
            {
                "type": "Accepted",
                "status": "False",
                "reason": accepted_reason,
                "message": "No listeners included by this parent ref allowed this attachment.",
            }
        ]
    return {
        "kind": "HTTPRoute",
        "metadata": {"name": "qwen", "namespace": "serving"},
        "spec": {
            "hostnames": ["qwen.acme.ai"],
            "parentRefs": [{"name": "public", "namespace": "infra"}],
            "rules": [{"backendRefs": [{"name": "vllm", "port": 8000}]}],
        },
        "status": {"parents": [{"parentRef": {"name": "public"}, "conditions": conditions}]},
    }


def test_a_route_its_gateway_did_not_accept_and_its_listeners() -> None:
    services = _listing(
        "Service",
        {
            "kind": "Service",
            "metadata": {"name": "vllm", "namespace": "serving"},
            "spec": {"ports": [{"port": 8000}], "selector": {"app": "vllm"}},
        },
    )
    routes = _listing("HTTPRoute", _route("NotAllowedByListeners"), namespace="serving")
    (problem,) = route_problems([], routes, services, [])
    assert problem["kind"] == "not-accepted" and problem["parent_namespace"] == "infra"
    assert problem["reason"] == "NotAllowedByListeners"
    assert (
        route_problems([], _listing("HTTPRoute", _route(), namespace="serving"), services, []) == []
    )
    # The backend's namespace defaults to the route's: a Service in another one is missing.
    assert (
        route_problems([], _listing("HTTPRoute", _route(), namespace="serving"), SERVICES, [])[0][
            "kind"
        ]
        == "missing-service"
    )
    gateway = {
        "kind": "Gateway",
        "metadata": {"name": "public", "namespace": "infra"},
        "spec": {
            "listeners": [
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "allowedRoutes": {"namespaces": {"from": "Same"}},
                }
            ]
        },
    }
    found = gateway_listener(_listing("Gateway", gateway), "public", "infra")
    assert found["found"] and "from Same namespaces" in found["text"]
    assert not gateway_listener(_listing("Gateway", gateway), "public", "other")["found"]


def test_list_facts_of_the_disruption_and_workload_kinds() -> None:
    pdb = {
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "db"},
        "spec": {"minAvailable": 3},
        "status": {"disruptionsAllowed": 0, "currentHealthy": 3},
    }
    assert list_facts(pdb)["disruptions_allowed"] == 0 and list_facts(pdb)["min_available"] == 3
    sts = {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"serviceName": "db-hl"}}
    assert list_facts(sts)["service_name"] == "db-hl" and list_facts(sts)["replicas"] == 1
    headless = {"kind": "Service", "metadata": {"name": "db-hl"}, "spec": {"clusterIP": "None"}}
    assert list_facts(headless)["headless"]
    cron = {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "0 * * * *"}}
    assert list_facts(cron)["concurrency_policy"] == "Allow" and not list_facts(cron)["suspend"]
    assert list_facts({"kind": "ConfigMap"}) == {}
