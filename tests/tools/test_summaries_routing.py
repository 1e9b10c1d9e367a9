"""`kubernetes_list` lines for Ingress, HTTPRoute, PodDisruptionBudget and EndpointSlice."""

from __future__ import annotations

from datetime import UTC, datetime

from holmes.tools.kubernetes.summaries import status_summary

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_ingress_and_route_lines_name_their_backends_and_bad_conditions() -> None:
    ingress = {
        "kind": "Ingress",
        "metadata": {"name": "chat", "namespace": "web"},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": "chat.acme.ai",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "backend": {"service": {"name": "ui", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
        },
    }
    assert status_summary(ingress, NOW) == "class nginx  chat.acme.ai/ -> ui:80"
    route = {
        "kind": "HTTPRoute",
        "metadata": {"name": "qwen", "namespace": "serving"},
        "spec": {
            "hostnames": ["qwen.acme.ai"],
            "parentRefs": [{"name": "public"}],
            "rules": [{"backendRefs": [{"name": "vllm", "port": 8000}]}],
        },
        "status": {
            "parents": [
                {
                    "parentRef": {"name": "public"},
                    "conditions": [
                        {"type": "Accepted", "status": "False", "reason": "NotAllowedByListeners"}
                    ],
                }
            ]
        },
    }
    line = status_summary(route, NOW)
    assert "backends vllm:8000" in line
    assert line.endswith("not healthy: Accepted=False (NotAllowedByListeners)")


def test_pdb_and_endpoint_slice_lines() -> None:
    pdb = {
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "db"},
        "spec": {"maxUnavailable": 1},
        "status": {
            "disruptionsAllowed": 0,
            "currentHealthy": 2,
            "desiredHealthy": 2,
            "expectedPods": 3,
        },
    }
    assert (
        status_summary(pdb, NOW) == "maxUnavailable 1  allowed disruptions 0  healthy 2/3 (needs 2)"
    )
    eps = {
        "kind": "EndpointSlice",
        "metadata": {"labels": {"kubernetes.io/service-name": "db"}},
        "endpoints": [{"conditions": {"ready": False}}, {"conditions": {}}],
    }
    assert status_summary(eps, NOW) == "service db  ready 1  not ready 1"
