"""The kubelet's eviction message and a node's pressure conditions."""

from __future__ import annotations

from holmes.agent.engine.rules.functions_nodes import eviction, pressure


def test_eviction_message_names_resource_container_and_amounts() -> None:
    message = (
        "The node was low on resource: ephemeral-storage. Threshold quantity: 19236596Ki, "
        "available: 12883712Ki. Container vllm was using 91443812Ki, request is 0, has larger "
        "consumption of ephemeral-storage. "
    )
    found = eviction(message)
    assert found["resource"] == "ephemeral-storage"
    assert found["available"] == "12.3Gi" and found["threshold"] == "18.3Gi"
    assert found["containers"] == [{"name": "vllm", "using": "87.2Gi", "request": "0", "limit": ""}]
    memory = eviction(
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 84212Ki. "
        "Container app was using 3Gi, request is 1Gi, limit is 4Gi, has larger consumption "
        "of memory. Container side was using 20Mi, request is 10Mi, has larger consumption "
        "of memory."
    )
    assert [c["name"] for c in memory["containers"]] == ["app", "side"]
    assert memory["containers"][0]["limit"] == "4Gi"
    assert eviction("Pod was rejected: node(s) had untolerated taint") == {}
    assert eviction("The node was low on resource: pids.")["resource"] == "pids"


def test_pressure_conditions_that_hold() -> None:
    node = {
        "conditions": [
            {"type": "MemoryPressure", "status": "False"},
            {
                "type": "DiskPressure",
                "status": "True",
                "reason": "KubeletHasDiskPressure",
                "lastTransitionTime": "2026-12-06T10:31:52Z",
            },
            {"type": "Ready", "status": "True"},
        ]
    }
    (found,) = pressure(node)
    assert found["type"] == "DiskPressure" and found["resource"] == "ephemeral-storage"
    assert pressure({}) == [] and pressure(None) == []
