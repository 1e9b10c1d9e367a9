"""DRA objects of every served version read in one layout, and claims judged as the scheduler
would (holmes.tools.facts.dra_layout, holmes.agent.engine.rules.gpu dra, dra_judge)."""

from __future__ import annotations

from typing import Any

from holmes.agent.engine.rules.gpu.dra import dra_diagnose
from holmes.agent.engine.rules.gpu.dra_devices import dra_evaluate
from holmes.tools.facts.dra_layout import normalized
from holmes.tools.kubernetes.dra import slice_devices

DRIVER = "gpu.nvidia.com"
PRODUCT = "device.attributes['gpu.nvidia.com'].productName"
CLASS_SELECTOR = (
    "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'"
)
GPU_CLASS = {"name": DRIVER, "spec": {"selectors": [{"cel": {"expression": CLASS_SELECTOR}}]}}


def gpu(name: str, product: str = "NVIDIA H100 80GB HBM3", layout: str = "v1", **extra: Any):
    body = {
        "attributes": {
            "type": {"string": "gpu"},
            "productName": {"string": product},
            "driverVersion": {"version": "570.133.20"},
            **extra.pop("attributes", {}),
        },
        "capacity": {"memory": {"value": "81559Mi"}},
        **extra,
    }
    return {"name": name, "basic": body} if layout == "v1beta1" else {"name": name, **body}


def resource_slice(node: str, devices: list[dict[str, Any]], version: str = "v1", generation=1):
    return {
        "apiVersion": f"resource.k8s.io/{version}",
        "kind": "ResourceSlice",
        "spec": {"driver": DRIVER, "nodeName": node, "devices": devices,
                 "pool": {"name": node, "generation": generation}},
    }  # fmt: skip


def claim(requests: list[dict[str, Any]], version: str = "v1", name: str = "c", results=()):
    status = {}
    if results:
        status = {"allocation": {"devices": {"results": [
            {"request": "gpu", "driver": DRIVER, "pool": pool, "device": dev, **extra}
            for pool, dev, extra in results]}}}  # fmt: skip
    return {
        "apiVersion": f"resource.k8s.io/{version}",
        "kind": "ResourceClaim",
        "metadata": {"name": name, "namespace": "ml"},
        "spec": {"devices": {"requests": requests}},
        "status": status,
    }


def exact(count: int = 1, selectors: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    return {
        "deviceClassName": DRIVER,
        "count": count,
        "selectors": [{"cel": {"expression": s}} for s in selectors],
        **fields,
    }


def test_v1beta1_devices_and_requests_are_read_in_the_v1_layout() -> None:
    old_slice = resource_slice("a", [gpu("gpu-0", layout="v1beta1")], "v1beta1")
    old_slice["spec"]["devices"][0]["basic"]["capacity"] = {"memory": "40Gi"}  # v1alpha3 form
    device = normalized(old_slice)["spec"]["devices"][0]
    assert device["attributes"]["productName"] == {"string": "NVIDIA H100 80GB HBM3"}
    assert device["capacity"] == {"memory": {"value": "40Gi"}} and "basic" not in device
    assert slice_devices(old_slice)[0]["model"] == "NVIDIA H100 80GB HBM3"

    old_claim = claim([{"name": "gpu", **exact(2, ("true",))}], "v1beta1")
    request = normalized(old_claim)["spec"]["devices"]["requests"][0]
    assert request == {"name": "gpu", "exactly": exact(2, ("true",))}
    template = {"kind": "ResourceClaimTemplate", "spec": {"spec": old_claim["spec"]}}
    inner = normalized(template)["spec"]["spec"]["devices"]["requests"][0]
    assert inner["exactly"]["count"] == 2
    assert old_claim["spec"]["devices"]["requests"][0]["count"] == 2  # the input is not changed


def test_every_version_gets_the_same_verdict() -> None:
    selector = (f"{PRODUCT}.lowerAscii().matches('h200')",)
    verdicts = set()
    for version, layout in (("v1", "v1"), ("v1beta2", "v1"), ("v1beta1", "v1beta1")):
        request = (
            {"name": "gpu", **exact(1, selector)}
            if version == "v1beta1"
            else {"name": "gpu", "exactly": exact(1, selector)}
        )
        slices = [resource_slice("a", [gpu("gpu-0", layout=layout)], version)]
        result = dra_diagnose(claim([request], version), [GPU_CLASS], slices, [])
        verdicts.add((result["verdict"], result["request"]["in_class"]))
    assert verdicts == {("no-match", 1)}


def test_first_available_takes_the_first_alternative_that_fits() -> None:
    slices = [resource_slice("a", [gpu("gpu-0"), gpu("gpu-1")])]
    request = {"name": "gpu", "firstAvailable": [
        {"name": "h200", **exact(1, (f"{PRODUCT}.lowerAscii().matches('h200')",))},
        {"name": "h100", **exact(2, (f"{PRODUCT}.lowerAscii().matches('h100')",))},
    ]}  # fmt: skip
    assert dra_diagnose(claim([request]), [GPU_CLASS], slices, [])["verdict"] == "enough-free"

    holder = claim([], name="other", results=[("a", "gpu-0", {})])
    taken = dra_diagnose(claim([request]), [GPU_CLASS], slices, [holder])
    assert taken["verdict"] == "all-allocated"
    assert taken["request"]["name"] == "gpu/h100" and taken["request"]["holders"] == [
        "ml/other (1)"
    ]
    assert taken["request"]["choices"][0].startswith("gpu/h200 (1 x gpu.nvidia.com): no device")


def test_a_failing_selector_is_an_error_that_stops_allocation() -> None:
    slices = [resource_slice("a", [gpu("gpu-0"), gpu("gpu-1")])]
    version = "device.attributes['gpu.nvidia.com'].driverVersion"
    broken = f"{PRODUCT}.lowerAscii().matches('h100') && {version}.isGreaterThan(semver('550'))"
    request = {"name": "gpu", "firstAvailable": [
        {"name": "new-driver", **exact(1, (broken,))},
        {"name": "any", **exact(1)},
    ]}  # fmt: skip
    result = dra_diagnose(claim([request]), [GPU_CLASS], slices, [])
    assert result["verdict"] == "selector-error"
    assert result["request"]["errors"] == [
        f"{broken}: invalid semver '550': a version is MAJOR.MINOR.PATCH"
    ]

    missing = dra_evaluate("device.attributes['gpu.nvidia.com'].nope == 1", DRIVER, gpu("gpu-0"))
    assert (missing.selected, missing.error) == (False, "no such key: nope")


def test_syntax_only_cel_go_reads_leaves_the_claim_unjudged() -> None:
    slices = [resource_slice("a", [gpu("gpu-0")])]
    optional = "device.attributes['gpu.nvidia.com'].?brand.orValue('') == 'Nvidia'"
    request = {"name": "gpu", "exactly": exact(1, (optional,))}
    result = dra_diagnose(claim([request]), [GPU_CLASS], slices, [])
    assert result["verdict"] == "unjudged"  # never blamed as a failing selector
    assert "unsupported syntax" in result["request"]["errors"][0]


def test_admin_access_ignores_other_allocations() -> None:
    slices = [resource_slice("a", [gpu("gpu-0")])]
    holder = claim([], name="trainer", results=[("a", "gpu-0", {})])
    monitor = claim([{"name": "gpu", "exactly": exact(1, adminAccess=True)}], name="monitor")
    assert dra_diagnose(monitor, [GPU_CLASS], slices, [holder])["verdict"] == "enough-free"
    # an admin-access allocation does not take the device from a normal claim
    watcher = claim([], name="watcher", results=[("a", "gpu-0", {"adminAccess": True})])
    plain = claim([{"name": "gpu", "exactly": exact(1)}])
    assert dra_diagnose(plain, [GPU_CLASS], slices, [watcher])["verdict"] == "enough-free"


def test_allocation_mode_all_needs_every_matching_device_of_a_node() -> None:
    slices = [resource_slice("a", [gpu("gpu-0"), gpu("gpu-1"), gpu("gpu-2")])]
    every = claim([{"name": "gpu", "exactly": exact(1, allocationMode="All")}])
    free = dra_diagnose(every, [GPU_CLASS], slices, [])
    assert (free["verdict"], free["request"]["wanted"]) == ("enough-free", 3)
    holder = claim([], name="other", results=[("a", "gpu-1", {})])
    assert dra_diagnose(every, [GPU_CLASS], slices, [holder])["verdict"] == "all-allocated"


def test_devices_of_one_node_serve_a_request() -> None:
    slices = [
        resource_slice("a", [gpu("gpu-0"), gpu("gpu-1")]),
        resource_slice("b", [gpu("gpu-0"), gpu("gpu-1")]),
    ]
    four = dra_diagnose(claim([{"name": "gpu", "exactly": exact(4)}]), [GPU_CLASS], slices, [])
    assert four["verdict"] == "all-allocated"
    assert (four["request"]["free"], four["request"]["free_on_node"]) == (4, 2)


def test_list_valued_attributes_versions_and_unknown_domains() -> None:
    device = gpu("gpu-0", attributes={"gpu.nvidia.com/archs": {"strings": ["sm_90", "sm_89"]}})
    assert dra_evaluate(
        "'sm_90' in device.attributes['gpu.nvidia.com'].archs", DRIVER, device
    ).selected
    version = "device.attributes['gpu.nvidia.com'].driverVersion"
    assert dra_evaluate(f"{version}.isGreaterThan(semver('550.0.0'))", DRIVER, device).selected
    assert dra_evaluate(f"{version}.major() == 570", DRIVER, device).selected
    # a domain the device does not publish is an empty map, as in Kubernetes
    other = dra_evaluate("'x' in device.attributes['dra.example.com']", DRIVER, device)
    assert (other.selected, other.error) == (False, "")
    memory = "device.capacity['gpu.nvidia.com'].memory"
    assert dra_evaluate(f"{memory}.compareTo(quantity('79Gi')) >= 0", DRIVER, device).selected
    assert not dra_evaluate(f"{memory}.compareTo(quantity('80Gi')) >= 0", DRIVER, device).selected


def test_requested_capacity_must_fit_and_old_pool_generations_are_ignored() -> None:
    slices = [resource_slice("a", [gpu("gpu-0")])]
    big = {"name": "gpu", "exactly": exact(1, capacity={"requests": {"memory": "100Gi"}})}
    assert dra_diagnose(claim([big]), [GPU_CLASS], slices, [])["verdict"] == "no-match"
    small = {"name": "gpu", "exactly": exact(1, capacity={"requests": {"memory": "40Gi"}})}
    assert dra_diagnose(claim([small]), [GPU_CLASS], slices, [])["verdict"] == "enough-free"

    stale = resource_slice("a", [gpu("gpu-9", product="NVIDIA H200")], generation=1)
    current = resource_slice("a", [gpu("gpu-0")], generation=2)
    h200 = {"name": "gpu", "exactly": exact(1, (f"{PRODUCT} == 'NVIDIA H200'",))}
    assert dra_diagnose(claim([h200]), [GPU_CLASS], [stale, current], [])["verdict"] == "no-match"
