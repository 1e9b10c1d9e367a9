"""gpu_nic_alignment: a pod's DRA-allocated GPUs and RDMA NICs against the ResourceSlices'
PCIe roots and NUMA nodes, and what NCCL logged."""

from __future__ import annotations

from typing import Any

from holmes.agent.engine.rules.gpu.topology import gpu_nic_alignment

ROOT = "resource.kubernetes.io/pcieRoot"


def _slices() -> list[dict[str, Any]]:
    gpus = [
        {
            "name": f"gpu-{g}",
            "attributes": {ROOT: {"string": "pci0000:0e" if g < 2 else "pci0000:bb"}},
        }
        for g in range(4)
    ]
    nics = [
        {
            "name": name,
            "attributes": {
                "dra.net/rdma": {"bool": True},
                "dra.net/numaNode": {"int": numa},
                ROOT: {"string": root},
            },
        }
        for name, root, numa in (("eth2", "pci0000:0e", 0), ("eth5", "pci0000:bb", 1))
    ]
    return [
        {"spec": {"driver": "gpu.nvidia.com", "pool": {"name": "n1"}, "devices": gpus}},
        {"spec": {"driver": "dra.net", "pool": {"name": "n1"}, "devices": nics}},
    ]


def _claim(pod: str, driver: str, devices: list[str], constraints: Any = None) -> dict[str, Any]:
    return {
        "metadata": {"name": f"{pod}-{driver}", "namespace": "ml"},
        "spec": {"devices": {"constraints": constraints or []}},
        "status": {
            "reservedFor": [{"resource": "pods", "name": pod}],
            "allocation": {
                "devices": {
                    "results": [{"driver": driver, "pool": "n1", "device": d} for d in devices]
                }
            },
        },
    }


def test_gpu_and_nic_on_other_roots_and_numa_nodes_are_misaligned() -> None:
    claims = [
        _claim("a", "gpu.nvidia.com", ["gpu-0", "gpu-1"]),
        _claim("a", "dra.net", ["eth2"]),
        _claim("b", "gpu.nvidia.com", ["gpu-2", "gpu-3"]),
        _claim("b", "dra.net", ["eth2"]),
    ]
    log = (
        "b:1:2 [0] NCCL INFO GPU Direct RDMA Disabled for GPU 3a000 / HCA 0 (distance 7 > 4)\n"
        "# Avg bus bandwidth    : 8.6141\n"
    )
    found = gpu_nic_alignment(claims, _slices(), [log])
    assert found["verdict"] == "misaligned"
    assert found["checked"] == 2
    assert found["aligned"] == ["a"]
    bad = found["worst"]
    assert bad["pod"] == "b" and bad["namespace"] == "ml"
    # the GPU slice publishes no NUMA node: it is taken from the NIC under the same root
    assert [(g["device"], g["numa"]) for g in bad["far"]] == [("gpu-2", "1"), ("gpu-3", "1")]
    assert bad["cross_numa"] is True
    assert bad["constrained"] is False
    assert found["nccl"]["gdr_disabled"].startswith("GPU Direct RDMA Disabled for GPU 3a000")
    assert found["nccl"]["busbw"] == 8.6141


def test_one_gpu_pair_under_the_nics_root_is_aligned() -> None:
    claims = [
        _claim("a", "gpu.nvidia.com", ["gpu-0", "gpu-1"]),
        _claim("a", "dra.net", ["eth2"], [{"requests": ["g", "n"], "matchAttribute": ROOT}]),
    ]
    found = gpu_nic_alignment(claims, _slices(), [])
    assert found["verdict"] == ""
    assert found["aligned"] == ["a"]


def test_socket_fallback_is_preferred_over_no_ib_line() -> None:
    logs = [
        "x NCCL INFO NET/IB : No device found.\n"
        "x NCCL INFO NET/Socket : Using [0]net1:10.0.0.2<0>\n"
    ]
    claims = [_claim("b", "gpu.nvidia.com", ["gpu-2"]), _claim("b", "dra.net", ["eth2"])]
    assert "NET/Socket : Using" in gpu_nic_alignment(claims, _slices(), logs)["nccl"]["socket"]


def test_pods_without_nics_or_slices_are_not_judged() -> None:
    only_gpus = [_claim("a", "gpu.nvidia.com", ["gpu-0"])]
    assert gpu_nic_alignment(only_gpus, _slices())["checked"] == 0
    assert gpu_nic_alignment(None, None)["verdict"] == ""
