"""GPU and RDMA NIC allocated far apart: a pod's GPU and its NIC (DRA, e.g. DRANet) on different
PCIe roots or NUMA nodes, so GPUDirect RDMA cannot be used and collectives crawl.

`gpu_nic_alignment(claims, slices, logs)` reads raw ResourceClaims (their
`status.allocation.devices.results`: driver, pool, device; the pod from `reservedFor`), the
ResourceSlices that publish those devices (attributes `resource.kubernetes.io/pcieRoot` and a
`numaNode`, under any domain), and NCCL / nccl-tests log text, and returns for each pod which
GPUs and NICs it got, whether each GPU shares a PCIe root (else a NUMA node) with a NIC, and
what NCCL said (socket fallback, GPUDirect RDMA disabled, average bus bandwidth). Registered
on import; called by the gpu-nic-topology-misaligned runbook.
"""

from __future__ import annotations

import re
from typing import Any

PCIE_ROOT = "resource.kubernetes.io/pcieRoot"
GPU_DRIVERS = ("gpu.nvidia.com", "gpu.amd.com", "gpu.intel.com")
_SOCKET = re.compile(r"NET/Socket : Using|Using network Socket")
_NO_IB = re.compile(r"NET/IB : No device found")
_GDR_OFF = re.compile(r"GPU Direct RDMA Disabled[^\n]*")
_BUSBW = re.compile(r"Avg bus bandwidth\s*:\s*([0-9.]+)")


def _value(attribute: Any) -> str:
    if isinstance(attribute, dict):
        for kind in ("string", "int", "version", "bool"):
            if kind in attribute:
                return str(attribute[kind])
    return ""


def _attribute(attributes: dict[str, Any], suffix: str) -> str:
    """An attribute by its qualified name or by its name under any domain."""
    if suffix in attributes:
        return _value(attributes[suffix])
    name = suffix.rsplit("/", 1)[-1]
    for key, value in attributes.items():
        if key.rsplit("/", 1)[-1] == name:
            return _value(value)
    return ""


def _devices(slices: list[Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Published devices by (driver, pool, name). A device that publishes its PCIe root but no
    NUMA node (GPU drivers often do) gets the NUMA node another device under that root
    publishes (a PCIe root belongs to one NUMA node)."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    numa_of_root: dict[tuple[str, str], str] = {}
    for obj in slices:
        spec = obj.get("spec") or {}
        driver = str(spec.get("driver") or "")
        pool = str((spec.get("pool") or {}).get("name") or "")
        for device in spec.get("devices") or []:
            attributes = dict(device.get("attributes") or {})
            found[(driver, pool, str(device.get("name") or ""))] = attributes
            root, numa = _attribute(attributes, PCIE_ROOT), _attribute(attributes, "numaNode")
            if root and numa:
                numa_of_root[(pool, root)] = numa
    for (_, pool, _), attributes in found.items():
        root = _attribute(attributes, PCIE_ROOT)
        if root and not _attribute(attributes, "numaNode") and (pool, root) in numa_of_root:
            attributes["numaNode"] = {"string": numa_of_root[(pool, root)]}
    return found


def _is_nic(driver: str, attributes: dict[str, Any]) -> bool:
    rdma = _attribute(attributes, "rdma").lower() == "true"
    return rdma or "net" in driver or "sriov" in driver or bool(_attribute(attributes, "ifName"))


def _pod_of(claim: dict[str, Any]) -> str:
    for ref in (claim.get("status") or {}).get("reservedFor") or []:
        if ref.get("resource") == "pods" and ref.get("name"):
            return str(ref["name"])
    owners = (claim.get("metadata") or {}).get("ownerReferences") or []
    return next((str(o.get("name")) for o in owners if o.get("kind") == "Pod"), "")


def _nccl(logs: list[Any]) -> dict[str, Any]:
    socket, no_ib, gdr, busbw = "", "", "", None
    for text in (str(t or "") for t in logs or []):
        for line in text.splitlines():
            if not socket and _SOCKET.search(line):
                socket = line.strip()
            if not no_ib and _NO_IB.search(line):
                no_ib = line.strip()
            if not gdr and (hit := _GDR_OFF.search(line)):
                gdr = hit.group(0).strip()
            if busbw is None and (hit := _BUSBW.search(line)):
                busbw = float(hit.group(1))
    return {"socket": socket or no_ib, "gdr_disabled": gdr, "busbw": busbw}


def _pods(
    claims: list[Any], published: dict[tuple[str, str, str], dict[str, Any]]
) -> dict[str, Any]:
    pods: dict[str, dict[str, Any]] = {}
    for claim in claims:
        pod = _pod_of(claim)
        results = (((claim.get("status") or {}).get("allocation") or {}).get("devices") or {}).get(
            "results"
        ) or []
        constraints = ((claim.get("spec") or {}).get("devices") or {}).get("constraints") or []
        namespace = str((claim.get("metadata") or {}).get("namespace") or "")
        entry = pods.setdefault(
            pod,
            {
                "pod": pod,
                "namespace": namespace,
                "gpus": [],
                "nics": [],
                "claims": [],
                "constrained": False,
            },
        )
        entry["claims"].append((claim.get("metadata") or {}).get("name", ""))
        entry["constrained"] |= any(c.get("matchAttribute") == PCIE_ROOT for c in constraints)
        for result in results:
            driver, pool, name = (str(result.get(k) or "") for k in ("driver", "pool", "device"))
            attributes = published.get((driver, pool, name), {})
            device = {
                "device": name,
                "node": pool,
                "driver": driver,
                "root": _attribute(attributes, PCIE_ROOT),
                "numa": _attribute(attributes, "numaNode"),
            }
            if driver in GPU_DRIVERS:
                entry["gpus"].append(device)
            elif _is_nic(driver, attributes):
                entry["nics"].append(device)
    return pods


def _judge(entry: dict[str, Any]) -> dict[str, Any]:
    """A pod is misaligned when none of its GPUs shares a PCIe root with any of its NICs, or
    when a GPU sits on a NUMA node none of its NICs is on (a pod with more PCIe roots than NICs
    cannot have every GPU under a NIC; one pair under one root is enough)."""
    nic_roots = {n["root"] for n in entry["nics"] if n["root"]}
    nic_numa = {n["numa"] for n in entry["nics"] if n["numa"]}
    no_shared_root = bool(nic_roots) and not any(g["root"] in nic_roots for g in entry["gpus"])
    far = []
    for gpu in entry["gpus"]:
        cross_numa = bool(gpu["numa"] and nic_numa and gpu["numa"] not in nic_numa)
        if cross_numa or (no_shared_root and gpu["root"]):
            far.append({**gpu, "cross_numa": cross_numa})
    nics = ", ".join(
        f"{n['device']} (root {n['root'] or '?'}, NUMA {n['numa'] or '?'})" for n in entry["nics"]
    )
    gpus = ", ".join(
        f"{g['device']} (root {g['root'] or '?'}, NUMA {g['numa'] or '?'})" for g in far
    )
    node = far[0]["node"] if far else ""
    text = f"pod {entry['pod']} on {node}: GPU {gpus} and NIC {nics}" if far else ""
    return {**entry, "far": far, "cross_numa": any(g["cross_numa"] for g in far), "text": text}


def gpu_nic_alignment(claims: Any, slices: Any, logs: Any = None) -> dict[str, Any]:
    """Per pod, the GPUs allocated far from its RDMA NICs (see `_judge`); `verdict` is
    `misaligned` when a pod that holds GPUs and NICs has any."""
    published = _devices([s for s in slices or [] if isinstance(s, dict)])
    pods = _pods([c for c in claims or [] if isinstance(c, dict)], published)
    judged = [_judge(p) for p in pods.values() if p["gpus"] and p["nics"]]
    bad = [p for p in judged if p["far"]]
    return {
        "verdict": "misaligned" if bad else "",
        "pods": bad,
        "worst": bad[0] if bad else {},
        "checked": len(judged),
        "aligned": [p["pod"] for p in judged if not p["far"]],
        "nccl": _nccl(list(logs or [])),
    }


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "gpu.nic_alignment": gpu_nic_alignment,
}
