"""The network runbooks' CEL functions for an upstream answering 5xx
(holmes.agent.engine.rules.network.upstream): HTTP errors, the load line, the HPA, latencies."""

from __future__ import annotations

from holmes.agent.engine.rules.network.upstream import (
    net_hpa_for,
    net_http_errors,
    net_latency,
    net_load_line,
)
from tests.agent.network_samples import ok, summary


def test_http_errors_need_a_share_of_5xx() -> None:
    server = {
        "server": "llm/vllm",
        "namespace": "llm",
        "clients": ["llm/gateway"],
        "errors": 36,
        "error_share": 0.33,
    }
    few = {
        "server": "llm/embed",
        "namespace": "llm",
        "clients": ["llm/gateway"],
        "errors": 1,
        "error_share": 0.01,
    }
    none = {
        "server": "kb/embed",
        "namespace": "kb",
        "clients": ["kb/api"],
        "errors": 0,
        "error_share": 0.0,
    }
    subject = {
        "scope": "named",
        "namespace": "llm",
        "workloads": [{"namespace": "llm", "name": "gateway"}],
        "services": [],
        "pods": [],
    }
    assert net_http_errors([summary(http=[few, server, none])], subject) == [server]


def test_load_line_prefers_figures_and_skips_fold_examples() -> None:
    text = "\n".join(
        [
            "L120: WARNING:  Exceeded concurrency limit.",
            "L121: INFO Engine: Running: 256 reqs, Waiting: 185 reqs, GPU KV cache usage: 98.6%",
            "L122: WARNING:  Exceeded concurrency limit.",
            "x72: INFO Engine: Running: 256 reqs, Waiting: 160 reqs, GPU KV cache usage: 98.1%",
        ]
    )
    assert net_load_line(text) == (
        "INFO Engine: Running: 256 reqs, Waiting: 185 reqs, GPU KV cache usage: 98.6%"
    )
    assert net_load_line("INFO Running: 3 reqs, Waiting: 0 reqs, GPU KV cache usage: 12.0%") == ""


def test_hpa_for_a_workload() -> None:
    hpa = ok(
        {
            "metadata": {"name": "vllm"},
            "spec": {
                "scaleTargetRef": {"kind": "Deployment", "name": "vllm"},
                "minReplicas": 1,
                "maxReplicas": 2,
                "metrics": [
                    {
                        "type": "Pods",
                        "pods": {
                            "metric": {"name": "waiting"},
                            "target": {"type": "AverageValue", "averageValue": "10"},
                        },
                    }
                ],
            },
            "status": {
                "currentReplicas": 2,
                "desiredReplicas": 2,
                "currentMetrics": [
                    {
                        "type": "Pods",
                        "pods": {"metric": {"name": "waiting"}, "current": {"averageValue": "187"}},
                    }
                ],
                "conditions": [
                    {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"}
                ],
            },
        }
    )
    found = net_hpa_for([hpa], "Deployment", "vllm")
    assert found["at_max"] and found["limited"] and found["max"] == 2
    assert found["metrics"] == ["waiting=187"] and found["targets"] == ["waiting=10"]
    assert net_hpa_for([hpa], "Deployment", "other") == {}
    assert net_latency(0.004) == "4ms" and net_latency(60.003) == "60s"
