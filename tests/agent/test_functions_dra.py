"""The DRA functions of the gpu runbooks (holmes.agent.engine.rules.gpu dra, dra_devices): CEL
selectors evaluated like the scheduler, and why a claim cannot be allocated."""

from __future__ import annotations

from holmes.agent.engine.rules.gpu.dra import dra_diagnose, dra_pending
from holmes.agent.engine.rules.gpu.dra_devices import dra_selects


def device(name, product="NVIDIA H100 80GB HBM3", memory="81559Mi", kind="gpu", taints=()):
    return {
        "name": name,
        "attributes": {"type": {"string": kind}, "productName": {"string": product}},
        "capacity": {"memory": {"value": memory}},
        "taints": list(taints),
    }


def resource_slice(node, devices):
    return {
        "kind": "ResourceSlice",
        "spec": {"driver": "gpu.nvidia.com", "nodeName": node, "pool": {"name": node},
                 "devices": devices},
    }  # fmt: skip


GPU_CLASS = {
    "name": "gpu.nvidia.com",
    "spec": {
        "selectors": [
            {"cel": {"expression": "device.driver == 'gpu.nvidia.com' && "
                     "device.attributes['gpu.nvidia.com'].type == 'gpu'"}}
        ]
    },
}  # fmt: skip


def claim(name, count=1, device_class="gpu.nvidia.com", selectors=(), results=()):
    status = {}
    if results:
        status = {"allocation": {"devices": {"results": [
            {"request": "gpu", "driver": "gpu.nvidia.com", "pool": pool, "device": dev}
            for pool, dev in results]}}}  # fmt: skip
    return {
        "kind": "ResourceClaim",
        "metadata": {"name": name, "namespace": "ml"},
        "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {
            "deviceClassName": device_class, "count": count,
            "selectors": [{"cel": {"expression": s}} for s in selectors]}}]}},
        "status": status,
    }  # fmt: skip


def test_dra_selectors_are_evaluated_like_the_scheduler():
    h100 = device("gpu-0")
    product = "device.attributes['gpu.nvidia.com'].productName"
    assert dra_selects(f"{product}.startsWith('NVIDIA H100')", "gpu.nvidia.com", h100)
    assert not dra_selects(
        "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('140Gi')) >= 0",
        "gpu.nvidia.com",
        h100,
    )
    assert dra_selects(
        "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0",
        "gpu.nvidia.com",
        h100,
    )
    # a missing attribute is an error, which selects nothing
    assert not dra_selects("device.attributes['gpu.nvidia.com'].nope == 1", "gpu.nvidia.com", h100)


def test_dra_missing_class_no_match_and_all_allocated():
    slices = [resource_slice("a", [device("gpu-0"), device("gpu-1")])]
    missing = dra_diagnose(claim("c", device_class="gpus.nvidia.com"), [GPU_CLASS], slices, [])
    assert missing["verdict"] == "missing-class"
    assert missing["request"]["closest_class"] == "gpu.nvidia.com"

    h200 = claim(
        "c", selectors=["device.attributes['gpu.nvidia.com'].productName == 'NVIDIA H200'"]
    )
    no_match = dra_diagnose(h200, [GPU_CLASS], slices, [])
    assert no_match["verdict"] == "no-match"
    assert no_match["request"]["in_class"] == 2
    assert no_match["request"]["class_models"] == ["2 x NVIDIA H100 80GB HBM3 (81559Mi)"]

    holder = claim("other", results=[("a", "gpu-0"), ("a", "gpu-1")])
    full = dra_diagnose(claim("c", count=1), [GPU_CLASS], slices, [holder])
    assert full["verdict"] == "all-allocated"
    assert full["request"]["holders"] == ["ml/other (2)"] and full["request"]["free"] == 0

    fits = dra_diagnose(claim("c", count=1), [GPU_CLASS], slices, [])
    assert fits["verdict"] == "enough-free"


def test_dra_tainted_devices_do_not_count_as_free():
    taint = {"key": "gpu.nvidia.com/xid", "value": "79", "effect": "NoSchedule"}
    slices = [resource_slice("a", [device("gpu-0", taints=[taint])])]
    result = dra_diagnose(claim("c"), [GPU_CLASS], slices, [])
    assert result["verdict"] == "all-allocated" and result["request"]["tainted"] == 1


def test_dra_pending_lists_unallocated_claims_of_pods():
    pods = [
        {
            "pod": "p",
            "namespace": "ml",
            "claims": [
                {"name": "gpu", "claim": "p-gpu-x", "template": "t", "facts": {"allocated": False}},
                {"name": "nic", "claim": "p-nic-y", "facts": {"allocated": True}},
            ],
        }
    ]
    assert dra_pending(pods) == [
        {"pod": "p", "namespace": "ml", "name": "gpu", "claim": "p-gpu-x", "template": "t",
         "requests": ""}
    ]  # fmt: skip
    assert dra_pending([{"pod": "q", "claims": []}]) == []
