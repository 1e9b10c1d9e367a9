"""The gpu runbooks' CEL functions (holmes.agent.engine.rules.gpu: scope, xids, throttling,
text): GPU scoping and classes, their names, CUDA log lines."""

from __future__ import annotations

from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.expressions import evaluate
from holmes.agent.engine.rules.gpu.scope import gpu_scope
from holmes.agent.engine.rules.gpu.text import (
    clip,
    cuda_error_line,
    gpu_names,
    gpu_nodes,
    mib_text,
    split_ref,
)
from holmes.agent.engine.rules.gpu.throttling import (
    gpu_bad_reasons,
    gpu_max,
    gpu_reading,
    gpu_throttled,
)
from holmes.agent.engine.rules.gpu.xids import gpu_application, gpu_hardware
from holmes.tools.facts.dcgm import xid_info

FUNCTIONS = builtin_functions()


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
    assert gpu_scope(gpus, subject(pods=["train-1"]), []) == [mine]
    # the node and GPU index an alert names
    assert gpu_scope(gpus, subject(pods=[], nodes=["n2"], index="0"), []) == [other_pod]
    # a GPU with no pod label, on the node of a described subject pod
    unlabelled = gpu("n5", 1)
    assert gpu_scope([unlabelled], subject(pods=["x"]), [{"name": "ml/x", "node": "n5"}]) == [
        unlabelled
    ]
    # namespace scope: the namespace's pods' GPUs only; cluster scope: all
    assert gpu_scope(gpus, subject(scope="namespace", namespace="other"), []) == [other_pod]
    assert gpu_scope(gpus, subject(scope="cluster", namespace=None), []) == gpus


def test_hardware_and_application_xids_are_told_apart():
    fell = gpu("n3", 2, xid=79)
    ecc_only = gpu("n3", 1, findings=[("critical", "ecc", "2 uncorrectable ECC errors")])
    app = gpu("n4", 5, xid=31, since=1.0)
    old_13 = gpu("n1", 0, xid=13)
    healthy = gpu("n1", 1)
    gpus = [ecc_only, app, fell, old_13, healthy]
    assert gpu_hardware(gpus) == [fell, ecc_only]  # drain Xids first
    assert gpu_application(gpus) == [app, old_13]
    assert gpu_hardware([healthy]) == [] and gpu_application([healthy]) == []


def test_throttled_gpus_and_their_names():
    hot = [gpu("n6", i, reasons=["sw_thermal", "hw_slowdown"], DCGM_FI_DEV_GPU_TEMP=92 + i % 2)
           for i in (4, 5, 6, 7)]  # fmt: skip
    capped = gpu("n6", 0, reasons=["sw_power_cap"])  # power capping under load is normal
    assert gpu_throttled([capped, *hot]) == hot
    assert gpu_bad_reasons(hot) == ["sw_thermal", "hw_slowdown"]
    assert gpu_names(hot) == "GPUs 4-7 on n6"
    assert gpu_names([hot[0], gpu("m", 1), gpu("n6", 7)]) == "GPUs 4, 7 on n6 and GPU 1 on m"
    assert gpu_reading(hot, "DCGM_FI_DEV_GPU_TEMP", "min") == 92
    assert gpu_reading(hot, "DCGM_FI_DEV_GPU_TEMP", "max") == 93
    assert gpu_reading(hot, "DCGM_FI_DEV_SM_CLOCK", "max") is None
    assert gpu_nodes(hot) == ["n6"]
    assert gpu_max([1980, 1125.0]) == 1980 and gpu_max([]) is None


def test_cuda_error_line_prefers_the_decisive_line():
    log = "\n".join(
        [
            "L10: WARNING NCCL WARN Cuda failure 'unspecified launch failure'",
            "L12: RuntimeError: CUDA error: an illegal memory access was encountered",
            "INFO step 10",
        ]
    )
    assert (
        cuda_error_line(log) == "RuntimeError: CUDA error: an illegal memory access was encountered"
    )
    oom = "[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB."
    assert cuda_error_line(f"noise\n{oom}") == oom
    assert cuda_error_line("all good\nstep 5 ok") == ""
    assert clip("x" * 10, 5) == "xx..."
    assert mib_text(79943) == "78.1 GiB" and mib_text(512) == "512 MiB"
    assert split_ref("ml/train-0") == {"namespace": "ml", "name": "train-0"}


def test_functions_are_callable_from_cel():
    data = {"gpus": [gpu("n3", 2, pods=["ml/a"], xid=79)], "s": subject(pods=["a"])}
    assert (
        evaluate("gpu.names(gpu.hardware(gpu.scope(gpus, s, [])))", data, FUNCTIONS)
        == "GPU 2 on n3"
    )
