"""The facts about a GPU a reader must see first, worded with their meaning and next step.

Pure: `gpu.py` calls `add_findings` on the states `gpu_state.build_states` made, with the
investigation's clock. Each finding states a fact from DCGM and what the DCGM documentation
says it means (an Xid's bucket, a clock-event bit, a row-remap flag); runbook rules judge them.
"""

from __future__ import annotations

from datetime import datetime

from holmes.tools.facts.dcgm import INFERRED_THERMAL, XidInfo, clock_event_reason, is_concerning
from holmes.tools.prometheus.gpu_signals import inferred_throttling_text
from holmes.tools.prometheus.gpu_state import (
    HOT_CELSIUS,
    MEMORY_FULL_SHARE,
    SEVERITY_ORDER,
    XID,
    Finding,
    GpuKey,
    GpuState,
    node_peers,
)
from holmes.tools.shaping.series import format_number, format_time


def add_findings(
    states: dict[GpuKey, GpuState], now: datetime, *, whole_nodes: bool = True
) -> None:
    """Fill `findings` on every GPU state, most severe first.

    `whole_nodes` says whether every GPU of each node was queried (no GPU, namespace or pod
    filter), so that a silent GPU can be compared with the rest of its node.
    """
    for node, gpus in node_peers(states).items():
        reporting = [g for g in gpus if g.stopped_since is None]
        for gpu in gpus:
            findings = [
                *_xid(gpu, now),
                *_stopped(gpu, node, reporting, now, whole_nodes),
                *_memory_errors(gpu),
                *_throttling(gpu),
                *_temperature(gpu),
                *_framebuffer(gpu),
                *_health(gpu),
                *_pcie(gpu),
            ]
            gpu.findings = sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def gpu_name(gpu: GpuState) -> str:
    """`GPU 2 on gpu-node-3` (with the MIG instance when there is one)."""
    profile = f" {gpu.mig_profile}" if gpu.mig_profile else ""
    instance = f" (MIG instance {gpu.instance}{profile})" if gpu.instance else ""
    return f"GPU {gpu.gpu}{instance} on {gpu.node}"


def _stopped(
    gpu: GpuState, node: str, reporting: list[GpuState], now: datetime, whole_nodes: bool
) -> list[Finding]:
    if gpu.stopped_since is None:
        return []
    what = "sample of any of its DCGM series"
    if gpu.last_seen is None:
        since = f"in the whole window (since {format_time(gpu.stopped_since, now)})"
    else:
        since = f"since {format_time(gpu.stopped_since, now)}"
    if reporting:
        peers = ", ".join(dict.fromkeys(g.gpu for g in reporting))
        context = f" while GPU{'s' if len(reporting) > 1 else ''} {peers} on {node} still report"
    elif whole_nodes:
        context = f"; no GPU on {node} reports (the node or its dcgm-exporter may be down)"
    else:
        context = ""  # the node's other GPUs were filtered out: nothing to compare with
    still = " (its Xid is still reported)" if XID in gpu.readings else ""
    text = f"{gpu_name(gpu)} has stopped reporting: no {what} {since}{context}{still}"
    return [Finding(severity="critical", kind="stopped", text=text)]


def classify(info: XidInfo) -> str:
    """What kind of fault an Xid is and what it calls for, in a few words."""
    if info.cause in ("hardware", "driver") and info.drain:
        noun = "hardware fault" if info.cause == "hardware" else "driver/firmware fault"
        return f"{noun} needing drain (bucket {info.bucket})"
    if info.cause == "application":
        return "application error: blames the code that ran on the GPU, not the GPU"
    if info.cause == "hardware":
        return f"hardware event, no drain needed now (bucket {info.bucket})"
    if info.cause == "driver":
        return f"driver/firmware event (bucket {info.bucket})"
    if info.cause == "follow-up":
        return "follow-up of an earlier error"
    if info.cause == "informational":
        return "informational"
    return "unknown Xid code"


def _xid(gpu: GpuState, now: datetime) -> list[Finding]:
    xid = gpu.xid
    if xid is None:
        return []
    info = xid.info
    if xid.since is None:
        when = "reported throughout the window" if xid.current else "seen in the window"
    elif xid.current:
        before = format_number(xid.previous) if xid.previous is not None else "?"
        when = f"changed {before} -> {xid.code} at {format_time(xid.since, now)}"
    else:
        when = f"seen at {format_time(xid.since, now)}, no longer reported"
    said = f' (exporter: "{xid.message}")' if xid.message else ""
    text = (
        f"XID {xid.code} ({info.mnemonic}) on {gpu_name(gpu)}, {when}: {info.meaning}{said}; "
        f"{classify(info)}; action: {info.action}"
    )
    if info.drain:
        severity = "critical"
    elif info.cause in ("application", "follow-up", "informational"):
        severity = "notice"
    else:
        severity = "warning"
    return [Finding(severity=severity, kind="xid", text=text)]


def _memory_errors(gpu: GpuState) -> list[Finding]:
    readings, found = gpu.readings, []
    dbe = readings.get("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 0)
    if readings.get("DCGM_FI_DEV_ROW_REMAP_FAILURE", 0) >= 1:
        text = "row remapping failed: the GPU needs replacement (RMA); drain the node"
        found.append(Finding(severity="critical", kind="row_remap", text=text))
    if dbe > 0:
        sbe = readings.get("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL")
        corrected = f" ({format_number(sbe)} corrected single-bit)" if sbe else ""
        text = (
            f"{format_number(dbe)} uncorrectable (double-bit) ECC errors since the last "
            f"reset{corrected}: hardware memory fault; drain the node and reset the GPU"
        )
        found.append(Finding(severity="critical", kind="ecc", text=text))
    if readings.get("DCGM_FI_DEV_ROW_REMAP_PENDING", 0) >= 1:
        text = "row remap pending: reset the GPU or reboot the node to activate it"
        found.append(Finding(severity="warning", kind="row_remap", text=text))
    pending = readings.get("DCGM_FI_DEV_RETIRED_PENDING", 0)
    if pending > 0:
        text = f"{format_number(pending)} pages pending retirement: reset the GPU or reboot"
        found.append(Finding(severity="warning", kind="retired_pages", text=text))
    return found


def _throttling(gpu: GpuState) -> list[Finding]:
    bad = [name for name in gpu.clock_reasons if is_concerning(name)]
    if not bad:
        return []
    parts = []
    for name in bad:
        if name == INFERRED_THERMAL:
            parts.append(inferred_throttling_text(gpu))
            continue
        reason = clock_event_reason(name)
        count = gpu.clock_event_counts.get(name)
        counted = f", {format_number(count)} events in the exporter's window" if count else ""
        parts.append(f"{name} ({reason.meaning if reason else name}{counted})")
    mask = f" [bitmask {gpu.clock_mask:#x}]" if gpu.clock_mask is not None else ""
    context = [
        f"{label} {format_number(gpu.readings[metric], unit)}"
        for metric, label, unit in (
            ("DCGM_FI_DEV_GPU_TEMP", "temperature", "°C"),
            ("DCGM_FI_DEV_SM_CLOCK", "SM clock", "MHz"),
            ("DCGM_FI_DEV_POWER_USAGE", "power", "W"),
        )
        if metric in gpu.readings
    ]
    text = f"clocks reduced: {'; '.join(parts)}{mask}" + (
        f"; {', '.join(context)}" if context else ""
    )
    return [Finding(severity="warning", kind="throttling", text=text)]


def _temperature(gpu: GpuState) -> list[Finding]:
    temp = gpu.readings.get("DCGM_FI_DEV_GPU_TEMP")
    if temp is None or temp < HOT_CELSIUS:
        return []
    text = f"GPU temperature {format_number(temp, '°C')} (>= {HOT_CELSIUS:g} °C is hot)"
    return [Finding(severity="warning", kind="temperature", text=text)]


def _framebuffer(gpu: GpuState) -> list[Finding]:
    used, total = gpu.readings.get("DCGM_FI_DEV_FB_USED"), gpu.fb_total
    if used is None or not total or used / total < MEMORY_FULL_SHARE:
        return []
    text = (
        f"GPU memory nearly full: {format_number(used)} of {format_number(total, 'MiB')} used "
        f"({used / total:.0%}); allocations may fail with CUDA out of memory"
    )
    return [Finding(severity="warning", kind="memory", text=text)]


def _health(gpu: GpuState) -> list[Finding]:
    if not gpu.health:
        return []
    failed = any(" FAIL" in h for h in gpu.health)
    text = f"DCGM health watches not passing: {', '.join(gpu.health)}"
    if failed:
        return [Finding(severity="critical", kind="health_fail", text=text)]
    return [Finding(severity="warning", kind="health", text=text)]


def _pcie(gpu: GpuState) -> list[Finding]:
    replays = gpu.pcie_replays
    if not replays or replays <= 0:
        return []
    text = (
        f"{format_number(replays)} PCIe replays in the window (DCGM_FI_DEV_PCIE_REPLAY_COUNTER): "
        "link retries; a rate well above the fleet's points at a bad riser, slot or link"
    )
    return [Finding(severity="notice", kind="pcie", text=text)]
