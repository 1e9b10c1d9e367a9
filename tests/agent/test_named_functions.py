"""The functions that name what runbooks used to write out again and again, called as a runbook
calls them (through CEL, by their registered names)."""

from __future__ import annotations

from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.expressions import evaluate

FUNCTIONS = builtin_functions()


def cel(source: str, **variables: object) -> object:
    return evaluate(source, variables, FUNCTIONS)


POD = {
    "tolerations": [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
        {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
        {"operator": "Exists"},
    ],
    "events": [
        {"reason": "FailedScheduling", "message": "0/3 nodes are available"},
        {"reason": "NotTriggerScaleUp", "message": "pod didn't trigger scale-up"},
        {"reason": "FailedAttachVolume", "message": "Multi-Attach error for volume pvc-1"},
        {"reason": "FailedAttachVolume", "message": "AttachVolume.Attach failed: timeout"},
    ],
}
NODE = {
    "name": "gpu-1",
    "taints": [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule"},
        {"key": "sku", "value": "gpu", "effect": "NoSchedule"},
        {"key": "spot", "effect": "PreferNoSchedule"},
    ],
}


def test_a_pods_own_tolerations_are_written_without_the_default_ones():
    assert cel("k8s.toleration_texts(p.tolerations)", p=POD) == ["sku=gpu:NoSchedule", "*:any"]
    assert cel("k8s.toleration_texts([])") == []


def test_blocking_taints_are_the_scheduling_taints_the_pod_does_not_tolerate():
    pod = {"tolerations": [POD["tolerations"][1]]}
    assert cel("k8s.blocking_taints(p, n)", p=pod, n=NODE) == [NODE["taints"][0]]
    assert cel("k8s.blocking_taints(p, n)", p=POD, n=NODE) == []  # it tolerates everything


def test_a_shortfall_is_written_as_resource_equals_request():
    short = [
        {"resource": "cpu", "request_text": "8"},
        {"resource": "memory", "request_text": "64Gi"},
    ]
    assert cel("k8s.shortfall_text(s)", s=short) == "cpu=8, memory=64Gi"


def test_event_message_and_multi_attach_events_read_a_pods_events():
    assert cel("k8s.event_message(p, 'NotTriggerScaleUp')", p=POD) == "pod didn't trigger scale-up"
    assert cel("k8s.event_message(p, 'Evicted')", p=POD) == ""
    attach = cel("k8s.multi_attach_events(p)", p=POD)
    assert [e["message"] for e in attach] == ["Multi-Attach error for volume pvc-1"]


def test_pod_states_and_ok_data():
    pods = [{"name": "a", "status": "Running"}, {"name": "b", "status": "Terminating"}]
    assert cel("k8s.pod_states(pods)", pods=pods) == "a Running, b Terminating"
    results = [{"ok": True, "data": {"x": 1}}, {"ok": False, "data": None}]
    assert cel("ok_data(r)", r=results) == [{"x": 1}]
