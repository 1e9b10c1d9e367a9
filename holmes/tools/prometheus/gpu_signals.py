"""GPU health from whatever the exporter exports: fallbacks for absent fields, and the list of
signals that were missing.

dcgm-exporter's default counters (`etc/default-counters.csv`) leave out the clock-event
reasons, the volatile ECC totals, the pending row remaps and retirements and the slowdown
threshold. Pure: `gpu.py` calls `infer_throttling` on each state built by
`gpu_state.build_states`, then `missing_signals` over all of them, so that the answer says what
it could not see and how to enable it.
"""

from __future__ import annotations

from collections.abc import Iterable

from holmes.tools.facts.dcgm import INFERRED_THERMAL
from holmes.tools.prometheus.gpu_state import (
    CLOCK_EVENTS_COUNT,
    CLOCK_REASON_METRICS,
    GPU_TEMP,
    HOT_CELSIUS,
    SLOWDOWN_TEMP,
    SM_CLOCK,
    XID,
    XID_COUNT,
    GpuState,
)

# Software thermal slowdown starts a few degrees below the hardware slowdown threshold.
SLOWDOWN_MARGIN_CELSIUS = 5.0
# An SM clock at or below this share of its own peak in the window is throttled, not boosting.
THROTTLED_CLOCK_SHARE = 0.8


def has_clock_reasons(gpu: GpuState) -> bool:
    """Whether the exporter reports clock-event reasons for this GPU (either name, or counts)."""
    return any(m in gpu.metrics for m in (*CLOCK_REASON_METRICS, CLOCK_EVENTS_COUNT))


def slowdown_threshold(gpu: GpuState) -> tuple[float, bool]:
    """The temperature from which clocks are cut, and whether DCGM reported it (else assumed)."""
    slowdown = gpu.readings.get(SLOWDOWN_TEMP)
    if slowdown is not None and slowdown > 0:
        return slowdown - SLOWDOWN_MARGIN_CELSIUS, True
    return HOT_CELSIUS, False


def infer_throttling(gpu: GpuState) -> None:
    """Without clock-event reasons: a GPU at or above its slowdown threshold whose SM clock fell
    to THROTTLED_CLOCK_SHARE of its own peak in the window is throttled for heat."""
    if has_clock_reasons(gpu):
        return
    temp, clock, peak = gpu.readings.get(GPU_TEMP), gpu.readings.get(SM_CLOCK), gpu.sm_clock_peak
    if temp is None or clock is None or not peak:
        return
    threshold, _ = slowdown_threshold(gpu)
    if temp >= threshold and clock <= THROTTLED_CLOCK_SHARE * peak:
        gpu.throttle_inferred = True
        if INFERRED_THERMAL not in gpu.clock_reasons:
            gpu.clock_reasons.append(INFERRED_THERMAL)


def inferred_throttling_text(gpu: GpuState) -> str:
    """Why a GPU is judged throttled without clock-event reasons, with the numbers."""
    temp, clock = gpu.readings.get(GPU_TEMP, 0.0), gpu.readings.get(SM_CLOCK, 0.0)
    peak = gpu.sm_clock_peak or 0.0
    threshold, reported = slowdown_threshold(gpu)
    source = "DCGM_FI_DEV_SLOWDOWN_TEMP minus 5" if reported else "assumed; slowdown not exported"
    return (
        f"thermal slowdown (inferred: temperature {temp:g} °C >= {threshold:g} °C ({source}) and "
        f"SM clock {clock:g} MHz is {clock / peak:.0%} of its {peak:g} MHz peak in the window; "
        "clock-event reasons are not exported)"
    )


def missing_signals(gpus: Iterable[GpuState]) -> list[str]:
    """The signals no reporting GPU exported, each with what it hides and how to enable it."""
    exported = {metric for gpu in gpus for metric in gpu.metrics}
    if not exported:
        return []
    notes = []
    absent = [name for name in (GPU_TEMP, SM_CLOCK) if name not in exported]
    judged = (
        f"without {' or '.join(absent)} either, throttling cannot be judged"
        if absent
        else "throttling is judged from temperature and the SM clock against its own peak instead"
    )
    if not exported & {*CLOCK_REASON_METRICS, CLOCK_EVENTS_COUNT}:
        notes.append(
            "clock-event reasons are not exported: enable DCGM_FI_DEV_CLOCKS_EVENT_REASONS in "
            f"the counters CSV ({judged})"
        )
    if GPU_TEMP not in exported:
        notes.append("GPU temperature is not exported: enable DCGM_FI_DEV_GPU_TEMP")
    elif SLOWDOWN_TEMP not in exported:
        notes.append(
            f"the slowdown threshold is not exported (DCGM_FI_DEV_SLOWDOWN_TEMP): "
            f"{HOT_CELSIUS:g} °C is assumed"
        )
    if "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL" not in exported:
        notes.append(
            "volatile ECC totals are not exported: enable DCGM_FI_DEV_ECC_DBE_VOL_TOTAL and "
            "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL to see uncorrectable ECC errors"
        )
    if not exported & {"DCGM_FI_DEV_ROW_REMAP_PENDING", "DCGM_FI_DEV_RETIRED_PENDING"}:
        notes.append(
            "pending row remaps and page retirements are not exported: enable "
            "DCGM_FI_DEV_ROW_REMAP_PENDING and DCGM_FI_DEV_RETIRED_PENDING"
        )
    if not exported & {XID, XID_COUNT}:
        notes.append("Xid errors are not exported: enable DCGM_FI_DEV_XID_ERRORS")
    return notes
