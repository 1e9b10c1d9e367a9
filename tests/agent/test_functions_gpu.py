"""The gpu runbooks' CEL functions: GPU scoping and classes, CUDA log lines, DRA claim checks."""

from __future__ import annotations

from holmes.agent.runbooks import functions_gpu as f
from holmes.agent.runbooks.expressions import evaluate
from holmes.tools.prometheus.dcgm import xid_info


def gpu(node, index, pods=(), xid=None, since=None, reasons=(), findings=(), **readings):
    info = xid_info(xid).model_dump() if xid is not None else None
    return {
        "node": node,
        "gpu": str(index),
        "pods": list(pods),
        "readings": readings,
        "xid": {"code": xid, "info": info, "since": since, "current": True} if info else None,
        "clock_reasons": list(reasons),
        "findings": [{"severity": s, "kind": k, "text": t} for s, k, t in findings],
        "stopped_since": None,
    }


def subject(scope="named", namespace="ml", pods=(), nodes=(), index=None):
    return {
        "scope": scope,
        "namespace": namespace,
        "pods": [{"namespace": namespace, "name": p} for p in pods],
        "nodes": list(nodes),
        "gpu": index,
    }


def test_scope_keeps_the_subjects_gpus_and_drops_noise_elsewhere():
    mine = gpu("n3", 2, pods=["ml/train-1"], xid=79)
    noise = gpu("n1", 0, xid=13)  # an old application Xid on an idle GPU of another node
    other_pod = gpu("n2", 0, pods=["other/svc-0"], xid=48)
    gpus = [mine, noise, other_pod]
    assert f.gpu_scope(gpus, subject(pods=["train-1"]), []) == [mine]
    # the node and GPU index an alert names
    assert f.gpu_scope(gpus, subject(pods=[], nodes=["n2"], index="0"), []) == [other_pod]
    # a GPU with no pod label, on the node of a described subject pod
    unlabelled = gpu("n5", 1)
    assert f.gpu_scope([unlabelled], subject(pods=["x"]), [{"name": "ml/x", "node": "n5"}]) == [
        unlabelled
    ]
    # namespace scope: the namespace's pods' GPUs only; cluster scope: all
    assert f.gpu_scope(gpus, subject(scope="namespace", namespace="other"), []) == [other_pod]
    assert f.gpu_scope(gpus, subject(scope="cluster", namespace=None), []) == gpus


def test_hardware_and_application_xids_are_told_apart():
    fell = gpu("n3", 2, xid=79)
    ecc_only = gpu("n3", 1, findings=[("critical", "ecc", "2 uncorrectable ECC errors")])
    app = gpu("n4", 5, xid=31, since=1.0)
    old_13 = gpu("n1", 0, xid=13)
    healthy = gpu("n1", 1)
    gpus = [ecc_only, app, fell, old_13, healthy]
    assert f.gpu_hardware(gpus) == [fell, ecc_only]  # drain Xids first
    assert f.gpu_application(gpus) == [app, old_13]
    assert f.gpu_hardware([healthy]) == [] and f.gpu_application([healthy]) == []


def test_throttled_gpus_and_their_names():
    hot = [gpu("n6", i, reasons=["sw_thermal", "hw_slowdown"], DCGM_FI_DEV_GPU_TEMP=92 + i % 2)
           for i in (4, 5, 6, 7)]  # fmt: skip
    capped = gpu("n6", 0, reasons=["sw_power_cap"])  # power capping under load is normal
    assert f.gpu_throttled([capped, *hot]) == hot
    assert f.gpu_bad_reasons(hot) == ["sw_thermal", "hw_slowdown"]
    assert f.gpu_names(hot) == "GPUs 4-7 on n6"
    assert f.gpu_names([hot[0], gpu("m", 1), gpu("n6", 7)]) == "GPUs 4, 7 on n6 and GPU 1 on m"
    assert f.gpu_reading(hot, "DCGM_FI_DEV_GPU_TEMP", "min") == 92
    assert f.gpu_reading(hot, "DCGM_FI_DEV_GPU_TEMP", "max") == 93
    assert f.gpu_reading(hot, "DCGM_FI_DEV_SM_CLOCK", "max") is None
    assert f.gpu_nodes(hot) == ["n6"]
    assert f.gpu_max([1980, 1125.0]) == 1980 and f.gpu_max([]) is None


def test_cuda_error_line_prefers_the_decisive_line():
    log = "\n".join(
        [
            "L10: WARNING NCCL WARN Cuda failure 'unspecified launch failure'",
            "L12: RuntimeError: CUDA error: an illegal memory access was encountered",
            "INFO step 10",
        ]
    )
    assert (
        f.cuda_error_line(log)
        == "RuntimeError: CUDA error: an illegal memory access was encountered"
    )
    oom = "[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB."
    assert f.cuda_error_line(f"noise\n{oom}") == oom
    assert f.cuda_error_line("all good\nstep 5 ok") == ""
    assert f.clip("x" * 10, 5) == "xx..."
    assert f.mib_text(79943) == "78.1 GiB" and f.mib_text(512) == "512 MiB"
    assert f.split_ref("ml/train-0") == {"namespace": "ml", "name": "train-0"}


def test_functions_are_callable_from_cel():
    data = {"gpus": [gpu("n3", 2, pods=["ml/a"], xid=79)], "s": subject(pods=["a"])}
    assert evaluate("gpu_names(gpu_hardware(gpu_scope(gpus, s, [])))", data) == "GPU 2 on n3"


# --- DRA ---------------------------------------------------------------------------------------


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
    assert f.dra_selects(f"{product}.startsWith('NVIDIA H100')", "gpu.nvidia.com", h100)
    assert not f.dra_selects(
        "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('140Gi')) >= 0",
        "gpu.nvidia.com",
        h100,
    )
    assert f.dra_selects(
        "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0",
        "gpu.nvidia.com",
        h100,
    )
    # a missing attribute is an error, which selects nothing
    assert not f.dra_selects(
        "device.attributes['gpu.nvidia.com'].nope == 1", "gpu.nvidia.com", h100
    )


def test_dra_missing_class_no_match_and_all_allocated():
    slices = [resource_slice("a", [device("gpu-0"), device("gpu-1")])]
    missing = f.dra_diagnose(claim("c", device_class="gpus.nvidia.com"), [GPU_CLASS], slices, [])
    assert missing["verdict"] == "missing-class"
    assert missing["request"]["closest_class"] == "gpu.nvidia.com"

    h200 = claim(
        "c", selectors=["device.attributes['gpu.nvidia.com'].productName == 'NVIDIA H200'"]
    )
    no_match = f.dra_diagnose(h200, [GPU_CLASS], slices, [])
    assert no_match["verdict"] == "no-match"
    assert no_match["request"]["in_class"] == 2
    assert no_match["request"]["class_models"] == ["2 x NVIDIA H100 80GB HBM3 (81559Mi)"]

    holder = claim("other", results=[("a", "gpu-0"), ("a", "gpu-1")])
    full = f.dra_diagnose(claim("c", count=1), [GPU_CLASS], slices, [holder])
    assert full["verdict"] == "all-allocated"
    assert full["request"]["holders"] == ["ml/other (2)"] and full["request"]["free"] == 0

    fits = f.dra_diagnose(claim("c", count=1), [GPU_CLASS], slices, [])
    assert fits["verdict"] == "enough-free"


def test_dra_tainted_devices_do_not_count_as_free():
    taint = {"key": "gpu.nvidia.com/xid", "value": "79", "effect": "NoSchedule"}
    slices = [resource_slice("a", [device("gpu-0", taints=[taint])])]
    result = f.dra_diagnose(claim("c"), [GPU_CLASS], slices, [])
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
    assert f.dra_pending(pods) == [
        {"pod": "p", "namespace": "ml", "name": "gpu", "claim": "p-gpu-x", "template": "t",
         "requests": ""}
    ]  # fmt: skip
    assert f.dra_pending([{"pod": "q", "claims": []}]) == []
