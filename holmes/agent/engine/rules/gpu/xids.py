"""GPU faults: which GPUs have a hardware fault, which an Xid that blames the application, and
the texts of the tool's findings on a GPU.

A hardware fault is an Xid whose cause (holmes.tools.facts.dcgm) is the GPU, its memory or
its firmware, or a finding of uncorrectable ECC errors, row remaps, retired pages or a GPU that
stopped reporting. Listed in `FUNCTIONS`; called by the gpu-xid-errors runbook (and
`gpu_hardware`, `gpu_finding` by gpu-throttling, to tell a fault from a throttle).
"""

from __future__ import annotations

from typing import Any

# Xid causes (holmes.tools.facts.dcgm) that put the fault on the GPU, its memory or its
# firmware rather than on the program that ran on it.
HARDWARE_CAUSES = ("hardware", "driver")
# Tool finding kinds that are a hardware fault with or without an Xid (health_fail: a DCGM
# health watch reported FAIL).
HARDWARE_FINDINGS = ("ecc", "row_remap", "retired_pages", "stopped", "health_fail")


def _xid(gpu: dict[str, Any]) -> dict[str, Any]:
    xid = gpu.get("xid")
    return xid if isinstance(xid, dict) and xid.get("current", True) else {}


def _serious(gpu: Any) -> list[dict[str, Any]]:
    """The critical and warning findings of one GPU."""
    return [
        f for f in (gpu or {}).get("findings") or [] if f.get("severity") in ("critical", "warning")
    ]


def _kinds(gpu: dict[str, Any]) -> set[str]:
    return {f.get("kind") for f in _serious(gpu)}


def gpu_hardware(gpus: Any) -> list[dict[str, Any]]:
    """GPUs with a hardware fault: a hardware or driver Xid, uncorrectable ECC errors, a row
    remap pending or failed, pages pending retirement, or a GPU that stopped reporting.
    Those with a fatal (drain) Xid come first."""
    found = []
    for gpu in gpus or []:
        info = _xid(gpu).get("info") or {}
        if info.get("cause") in HARDWARE_CAUSES or _kinds(gpu) & set(HARDWARE_FINDINGS):
            found.append(gpu)
    return sorted(found, key=lambda g: not (_xid(g).get("info") or {}).get("drain", False))


def gpu_application(gpus: Any) -> list[dict[str, Any]]:
    """GPUs whose current Xid blames the application (13, 31, 43, ...), with no hardware fault."""
    hardware = gpu_hardware(gpus)
    return [
        gpu
        for gpu in gpus or []
        if (_xid(gpu).get("info") or {}).get("cause") == "application" and gpu not in hardware
    ]


def gpu_finding(gpu: Any, kind: str) -> str:
    """The text of the tool's finding of `kind` on one GPU ("" if none)."""
    for finding in (gpu or {}).get("findings") or []:
        if finding.get("kind") == kind:
            return str(finding.get("text") or "")
    return ""


def gpu_findings(gpu: Any) -> list[str]:
    """The texts of the critical and warning findings of one GPU."""
    return [str(f.get("text")) for f in _serious(gpu)]


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "gpu.hardware": gpu_hardware,
    "gpu.application": gpu_application,
    "gpu.finding": gpu_finding,
    "gpu.findings": gpu_findings,
}
