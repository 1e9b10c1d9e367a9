"""The state of each GPU, assembled from DCGM query results, and the facts worth reading first.

Pure: `gpu.py` runs the queries and hands the results to `build_states`; `gpu_report.py` renders
the states. A GPU is keyed by its node (`Hostname` or `hostname`), its index (`gpu`) and, for a
MIG instance, `GPU_I_ID`. Sentinel values become "no data" (`no_data`), never readings. Each
`Finding` is a fact with a severity, so that problems lead the text; none of them is a diagnosis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from holmes.tools.prometheus.client import Sample, SeriesPoints
from holmes.tools.prometheus.dcgm import (
    MODEL_LABELS,
    UUID_LABELS,
    XidInfo,
    clock_event_reason,
    decode_clock_events,
    first_label,
    host_of,
    pod_of,
    sentinel_name,
    xid_info,
)
from holmes.tools.shaping.series import last_change

GpuKey = tuple[str, str, str]  # node, gpu index, MIG instance id ("" for a whole GPU)
Severity = Literal["critical", "warning", "notice"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "notice": 2}

XID = "DCGM_FI_DEV_XID_ERRORS"
CLOCK_REASON_METRICS = ("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS")
CLOCK_EVENTS_COUNT = "DCGM_EXP_CLOCK_EVENTS_COUNT"
XID_COUNT = "DCGM_EXP_XID_ERRORS_COUNT"
# Telemetry a healthy GPU reports at every collection; its absence means the GPU went silent.
HEARTBEATS: dict[str, str] = {
    "DCGM_FI_DEV_GPU_UTIL": "utilisation",
    "DCGM_FI_DEV_GPU_TEMP": "temperature",
    "DCGM_FI_DEV_POWER_USAGE": "power",
    "DCGM_FI_DEV_FB_USED": "memory",
}
READINGS = (
    "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_TOTAL",
    "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_DEV_SM_CLOCK", XID, "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    "DCGM_FI_DEV_ROW_REMAP_PENDING", "DCGM_FI_DEV_ROW_REMAP_FAILURE",
    "DCGM_FI_DEV_RETIRED_PENDING", "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
    *CLOCK_REASON_METRICS, CLOCK_EVENTS_COUNT, XID_COUNT,
)  # fmt: skip
HOT_CELSIUS = 85.0  # common practice for H100/A100-class GPUs, not a vendor number
MEMORY_FULL_SHARE = 0.95


class XidState(BaseModel):
    """The last Xid a GPU reported, what it means, and when it appeared."""

    code: int
    info: XidInfo
    since: float | None = Field(None, description="When the value became this code.")
    previous: float | None = Field(None, description="The value before it.")
    current: bool = Field(True, description="False when seen in the window but not reported now.")


class Finding(BaseModel):
    """One fact about a GPU that a reader should see before the healthy ones."""

    severity: Severity
    kind: str
    text: str


class GpuState(BaseModel):
    """What DCGM says about one GPU (or MIG instance)."""

    node: str
    gpu: str
    instance: str = ""
    uuid: str = ""
    model: str = ""
    pods: list[str] = Field(default_factory=list)
    readings: dict[str, float] = Field(default_factory=dict)
    no_data: dict[str, str] = Field(default_factory=dict, description="metric -> sentinel")
    last_seen: dict[str, float] = Field(default_factory=dict, description="heartbeat -> time")
    xid: XidState | None = None
    xid_counts: dict[str, float] = Field(default_factory=dict)
    clock_mask: int | None = None
    clock_reasons: list[str] = Field(default_factory=list)
    clock_event_counts: dict[str, float] = Field(default_factory=dict)
    stopped_since: float | None = None
    findings: list[Finding] = Field(default_factory=list)

    @property
    def fb_total(self) -> float | None:
        """Framebuffer size: DCGM_FI_DEV_FB_TOTAL, else used + free."""
        total = self.readings.get("DCGM_FI_DEV_FB_TOTAL")
        used, free = (
            self.readings.get("DCGM_FI_DEV_FB_USED"),
            self.readings.get("DCGM_FI_DEV_FB_FREE"),
        )
        if total is None and used is not None and free is not None:
            total = used + free
        return total

    @property
    def worst(self) -> int:
        """The rank of its most severe finding (0 critical); 3 when healthy."""
        return min((SEVERITY_ORDER[f.severity] for f in self.findings), default=3)


def gpu_key(labels: dict[str, str]) -> GpuKey:
    """Node, GPU index and MIG instance of a DCGM series."""
    return host_of(labels), labels.get("gpu", ""), labels.get("GPU_I_ID", "")


def build_states(
    readings: Iterable[Sample],
    last_seen: dict[str, list[Sample]],
    xid_history: Iterable[SeriesPoints],
    *,
    step: float,
) -> dict[GpuKey, GpuState]:
    """GPU states from the instant readings, the heartbeat last-seen times and the Xid history."""
    states: dict[GpuKey, GpuState] = {}

    def state(labels: dict[str, str]) -> GpuState:
        key = gpu_key(labels)
        if key not in states:
            states[key] = GpuState(node=key[0], gpu=key[1], instance=key[2])
        found = states[key]
        found.uuid = found.uuid or first_label(labels, UUID_LABELS)
        found.model = found.model or first_label(labels, MODEL_LABELS)
        pod = pod_of(labels)
        if pod and pod not in found.pods:
            found.pods.append(pod)
        return found

    for sample in readings:
        _add_reading(state(sample.labels), sample)
    for metric, samples in last_seen.items():
        for sample in samples:
            target = state(sample.labels)
            target.last_seen[metric] = max(sample.value, target.last_seen.get(metric, 0.0))
    for series in xid_history:
        _add_xid_history(state(series.labels), series, step)
    for found in states.values():
        _decode_clocks(found)
    return states


def _add_reading(target: GpuState, sample: Sample) -> None:
    metric = sample.labels.get("__name__", "")
    blank = sentinel_name(sample.value)
    if blank is not None:
        target.no_data[metric] = blank
        return
    if metric == CLOCK_EVENTS_COUNT:
        name = sample.labels.get("clock_event", "")
        target.clock_event_counts[name] = max(sample.value, target.clock_event_counts.get(name, 0))
    elif metric == XID_COUNT:
        code = sample.labels.get("xid", "")
        target.xid_counts[code] = max(sample.value, target.xid_counts.get(code, 0))
    else:
        # Several series for one GPU (time-slicing, a pod label that just changed): keep the max.
        target.readings[metric] = max(sample.value, target.readings.get(metric, sample.value))
    if metric == XID and sample.value > 0:
        target.xid = XidState(code=int(sample.value), info=xid_info(int(sample.value)))


def _add_xid_history(target: GpuState, series: SeriesPoints, step: float) -> None:
    """When the current Xid appeared; or the Xid seen in the window when none is reported now."""
    finite = [(t, v) for t, v in series.points if sentinel_name(v) is None]  # NaN is blank too
    if not finite:
        return
    if target.xid is None:
        code = int(max(v for _, v in finite))
        if code <= 0:
            return
        seen = next(t for t, v in finite if v == code)
        target.xid = XidState(code=code, info=xid_info(code), since=seen, current=False)
        return
    if finite[-1][1] != target.xid.code:
        return
    change = last_change(finite, step)
    if change is not None:
        target.xid.since, target.xid.previous = change.at, change.before


def _decode_clocks(target: GpuState) -> None:
    for metric in CLOCK_REASON_METRICS:
        if metric in target.readings:
            target.clock_mask = int(target.readings[metric])
    names = [reason.name for reason in decode_clock_events(target.clock_mask or 0)]
    for name, count in sorted(target.clock_event_counts.items()):
        if count > 0 and name not in names:
            names.append(name)
    target.clock_reasons = names


def mark_stopped(
    states: dict[GpuKey, GpuState], *, now: float, window_start: float, stale_after: float
) -> None:
    """Set `stopped_since` on GPUs whose telemetry went silent (last sample older than allowed).

    A GPU with no telemetry in the whole window (known only from its Xid) is silent since the
    window's start.
    """
    for found in states.values():
        newest = max(found.last_seen.values(), default=window_start)
        if now - newest > stale_after:
            found.stopped_since = newest


def node_peers(states: dict[GpuKey, GpuState]) -> dict[str, list[GpuState]]:
    """GPUs by node, in GPU index order."""
    by_node: dict[str, list[GpuState]] = defaultdict(list)
    for found in states.values():
        by_node[found.node].append(found)
    for gpus in by_node.values():
        gpus.sort(key=lambda g: (_index(g.gpu), g.instance))
    return dict(sorted(by_node.items()))


def _index(gpu: str) -> tuple[int, str]:
    return (int(gpu), "") if gpu.isdigit() else (1 << 30, gpu)


def is_concerning(reason_name: str) -> bool:
    """Whether a clock-event reason is worth a finding (thermal, hardware slowdown, brake)."""
    reason = clock_event_reason(reason_name)
    return reason is not None and reason.concern
