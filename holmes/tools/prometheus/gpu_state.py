"""The state of each GPU, assembled from DCGM query results, and the facts worth reading first.

Pure: `gpu.py` runs the queries and hands the results to `build_states`; `gpu_report.py` renders
the states. A GPU is keyed by its node (labels.node_of: `Hostname`, `hostname`, `node`, ...),
its index (`gpu`) and, for a MIG instance, `GPU_I_ID`; its pods come from labels.workload_of
(`exported_*` first). Sentinel values become "no data" (`no_data`), never readings. Each
`Finding` is a fact with a severity, so that problems lead the text; none of them is a diagnosis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from holmes.tools.facts.dcgm import (
    MODEL_LABELS,
    UUID_LABELS,
    XidInfo,
    decode_clock_events,
    first_label,
    host_of,
    pod_of,
    sentinel_name,
    xid_info,
)
from holmes.tools.facts.metric_labels import scrape_targets
from holmes.tools.prometheus.client import Sample, SeriesPoints
from holmes.tools.shaping.series import last_change

GpuKey = tuple[str, str, str]  # node, gpu index, MIG instance id ("" for a whole GPU)
Severity = Literal["critical", "warning", "notice"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "notice": 2}

XID = "DCGM_FI_DEV_XID_ERRORS"
CLOCK_REASON_METRICS = ("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS")
CLOCK_EVENTS_COUNT = "DCGM_EXP_CLOCK_EVENTS_COUNT"
XID_COUNT = "DCGM_EXP_XID_ERRORS_COUNT"
SM_CLOCK = "DCGM_FI_DEV_SM_CLOCK"
GPU_TEMP = "DCGM_FI_DEV_GPU_TEMP"
SLOWDOWN_TEMP = "DCGM_FI_DEV_SLOWDOWN_TEMP"
MAX_OP_TEMP = "DCGM_FI_DEV_GPU_MAX_OP_TEMP"
PCIE_REPLAY = "DCGM_FI_DEV_PCIE_REPLAY_COUNTER"
HEALTH_STATUS = "DCGM_EXP_GPU_HEALTH_STATUS"
# Busy signals, coarse first: MIG instances report no GPU_UTIL but do report the PROF ratios.
UTILISATION = (
    "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_PROF_SM_ACTIVE",
)  # fmt: skip
PROFILING = (
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_PROF_SM_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE",
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
)  # fmt: skip
READINGS = (
    "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_TOTAL",
    GPU_TEMP, "DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_DEV_POWER_USAGE", SLOWDOWN_TEMP, MAX_OP_TEMP,
    SM_CLOCK, XID, "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    "DCGM_FI_DEV_ROW_REMAP_PENDING", "DCGM_FI_DEV_ROW_REMAP_FAILURE",
    "DCGM_FI_DEV_RETIRED_PENDING", "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", PCIE_REPLAY,
    "DCGM_FI_DEV_THERMAL_VIOLATION", "DCGM_FI_DEV_POWER_VIOLATION", *PROFILING,
    *CLOCK_REASON_METRICS, CLOCK_EVENTS_COUNT, XID_COUNT, HEALTH_STATUS,
)  # fmt: skip
HOT_CELSIUS = 85.0  # common practice for H100/A100-class GPUs, not a vendor number
MEMORY_FULL_SHARE = 0.95


class XidState(BaseModel):
    """The last Xid a GPU reported, what it means, and when it appeared."""

    code: int
    info: XidInfo
    message: str = Field("", description="The exporter's err_msg label, when it sets one.")
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
    mig_profile: str = ""
    uuid: str = ""
    model: str = ""
    pods: list[str] = Field(default_factory=list)
    pod_uids: list[str] = Field(default_factory=list)
    readings: dict[str, float] = Field(default_factory=dict)
    metrics: list[str] = Field(default_factory=list, description="DCGM metrics read, any value")
    no_data: dict[str, str] = Field(default_factory=dict, description="metric -> sentinel")
    last_seen: float | None = Field(None, description="Newest sample of any of its DCGM series.")
    sm_clock_peak: float | None = Field(None, description="Highest SM clock in the window.")
    pcie_replays: float | None = Field(None, description="PCIe replays in the window.")
    health: list[str] = Field(default_factory=list, description="DCGM health watches not PASS")
    throttle_inferred: bool = Field(False, description="Throttling judged without reasons.")
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
    """Node, GPU index and MIG instance (`GPU_I_ID`) of a DCGM series."""
    return host_of(labels), labels.get("gpu", ""), labels.get("GPU_I_ID", "")


def build_states(
    readings: Iterable[Sample],
    last_seen: Iterable[Sample],
    xid_history: Iterable[SeriesPoints],
    *,
    step: float,
    sm_clock_peaks: Iterable[Sample] = (),
    pcie_replays: Iterable[Sample] = (),
) -> dict[GpuKey, GpuState]:
    """GPU states from the instant readings, the newest-sample times of every DCGM series
    (`last_seen`), the Xid history, and optionally the SM clock peaks and PCIe replay increases
    in the window."""
    readings, last_seen = list(readings), list(last_seen)
    xid_history = list(xid_history)
    targets = scrape_targets(
        [s.labels for s in readings]
        + [s.labels for s in last_seen]
        + [x.labels for x in xid_history]
    )
    states: dict[GpuKey, GpuState] = {}

    def state(labels: dict[str, str]) -> GpuState:
        key = gpu_key(labels)
        if key not in states:
            states[key] = GpuState(node=key[0], gpu=key[1], instance=key[2])
        found = states[key]
        found.uuid = found.uuid or first_label(labels, UUID_LABELS)
        found.model = found.model or first_label(labels, MODEL_LABELS)
        found.mig_profile = found.mig_profile or labels.get("GPU_I_PROFILE", "")
        pod = pod_of(labels, targets)
        if pod and pod not in found.pods:
            found.pods.append(pod)
        uid = labels.get("pod_uid", "")
        if pod and uid and uid not in found.pod_uids:
            found.pod_uids.append(uid)
        return found

    for sample in readings:
        _add_reading(state(sample.labels), sample)
    for sample in last_seen:
        if sample.labels.get("gpu", "") != "":  # NVSwitch series name no GPU
            target = state(sample.labels)
            target.last_seen = max(sample.value, target.last_seen or 0.0)
    for series in xid_history:
        _add_xid_history(state(series.labels), series, step)
    for sample in sm_clock_peaks:
        if sentinel_name(sample.value) is None:
            target = state(sample.labels)
            target.sm_clock_peak = max(sample.value, target.sm_clock_peak or 0.0)
    for sample in pcie_replays:
        if sentinel_name(sample.value) is None:
            target = state(sample.labels)
            target.pcie_replays = max(sample.value, target.pcie_replays or 0.0)
    for found in states.values():
        _decode_clocks(found)
        _xid_from_count(found)
    return states


def _add_reading(target: GpuState, sample: Sample) -> None:
    metric = sample.labels.get("__name__", "")
    if metric not in target.metrics:
        target.metrics.append(metric)
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
    elif metric == HEALTH_STATUS:
        _add_health(target, sample)
    else:
        # Several series for one GPU (time-slicing, a pod label that just changed): keep the max.
        target.readings[metric] = max(sample.value, target.readings.get(metric, sample.value))
    if metric == XID and sample.value > 0:
        message = sample.labels.get("err_msg", "")
        target.xid = XidState(code=int(sample.value), info=xid_info(int(sample.value)))
        target.xid.message = message


# DCGM health results (DCGM_EXP_GPU_HEALTH_STATUS): 0 PASS, 10 WARN, 20 FAIL.
_HEALTH_RESULTS = {10: "WARN", 20: "FAIL"}


def _add_health(target: GpuState, sample: Sample) -> None:
    result = _HEALTH_RESULTS.get(int(sample.value))
    watch = sample.labels.get("health_watch", "")
    if result is None or watch == "ALL":  # ALL repeats the other watches
        return
    code = sample.labels.get("health_error_code", "")
    text = f"{watch} {result}" + (f" ({code})" if code and code != "DCGM_FR_OK" else "")
    if text not in target.health:
        target.health.append(text)


def _xid_from_count(target: GpuState) -> None:
    """Without DCGM_FI_DEV_XID_ERRORS, the exporter's Xid counter names the Xid seen."""
    if target.xid is not None or XID in target.readings:
        return
    seen = [int(code) for code, count in target.xid_counts.items() if code.isdigit() and count]
    if seen:
        code = max(seen, key=lambda c: (xid_info(c).drain, xid_info(c).fatal, c))
        target.xid = XidState(code=code, info=xid_info(code))


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
    """Set `stopped_since` on GPUs whose telemetry went silent: no sample of any of their DCGM
    series newer than allowed. A MIG instance reports while it or its parent GPU does (instances
    omit some fields); a GPU with no telemetry in the whole window (known only from its Xid
    history) is silent since the window's start.
    """
    newest_of_gpu: dict[tuple[str, str], float] = {}
    for found in states.values():
        if found.last_seen is not None:
            key = (found.node, found.gpu)
            newest_of_gpu[key] = max(found.last_seen, newest_of_gpu.get(key, 0.0))
    for found in states.values():
        newest = found.last_seen
        if found.instance:
            newest = newest_of_gpu.get((found.node, found.gpu), newest)
        newest = window_start if newest is None else newest
        if now - newest > stale_after:
            found.stopped_since = newest


def node_peers(states: dict[GpuKey, GpuState]) -> dict[str, list[GpuState]]:
    """GPUs by node, in GPU index order."""
    by_node: dict[str, list[GpuState]] = defaultdict(list)
    for found in states.values():
        by_node[found.node].append(found)
    for gpus in by_node.values():
        gpus.sort(key=lambda g: (_index(g.gpu), _index(g.instance)))
    return dict(sorted(by_node.items()))


def _index(gpu: str) -> tuple[int, str]:
    return (int(gpu), "") if gpu.isdigit() else (1 << 30, gpu)


# The reason named when clock-event reasons are not exported but temperature and the SM clock
# show a thermal slowdown (gpu_signals.infer_throttling).
