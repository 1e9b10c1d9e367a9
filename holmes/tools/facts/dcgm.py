"""DCGM facts as data: the Xid table, clock-event reason bits, blank sentinels and label names.

Pure and dependency-free: `prometheus_gpu_health` (gpu.py, gpu_report.py) reads it, and so can
runbook rules that judge GPU evidence. The facts come from `reference/gpu-metrics.md` (NVIDIA's
Xid catalog buckets, `dcgm_fields.h`, dcgm-exporter's labels), written here in our own words.

Label names vary with the exporter's version, flags and scrape: released versions write
`Hostname`, main writes `hostname`; `--use-old-namespace` turns `namespace`/`pod`/`container`
into `pod_namespace`/`pod_name`/`container_name` and `UUID` into `uuid`; an `honorLabels: false`
scrape moves the workload to `exported_*`. labels.py reads them all.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Literal

from pydantic import BaseModel

from holmes.tools.facts.metric_labels import node_of, workload_of

# Xid buckets (NVIDIA's "immediate action") that mean: cordon and drain the node before acting.
DRAIN_BUCKETS = frozenset(
    {"RESET_GPU", "RESTART_BM", "WORKFLOW_XID_48", "WORKFLOW_NVLINK_ERR", "WORKFLOW_NVLINK5_ERR"}
)

XidCause = Literal["hardware", "application", "driver", "follow-up", "informational", "unknown"]


class XidInfo(BaseModel):
    """What one Xid code means and what to do about it."""

    code: int
    mnemonic: str
    meaning: str
    bucket: str
    fatal: bool
    drain: bool
    cause: XidCause
    action: str

    @property
    def blames_application(self) -> bool:
        """True when the code points at the program on the GPU, not at the GPU."""
        return self.cause == "application"


_RESET = "cordon and drain the node, reset the GPU (nvidia-smi -r), reboot if it persists"
_APP = "restart the application and fix its code; the GPU is most likely healthy"
# code: (mnemonic, meaning, bucket, fatal, cause, action); drain follows from the bucket.
# fmt: off
_XIDS: dict[int, tuple[str, str, str, bool, XidCause, str]] = {
    8: ("FIFO_ERROR_IDLE_TIMEOUT", "GPU stopped processing (channel idle timeout)",
        "RESTART_APP", False, "application", _APP),
    13: ("GR_EXCEPTION", "graphics engine exception, usually an application bug "
         "(out-of-bounds access, illegal instruction)", "RESTART_APP", False, "application",
         _APP + "; drain only if it repeats on this GPU across applications"),
    31: ("FIFO_ERROR_MMU_ERR_FLT", "GPU memory page fault: the application accessed an "
         "illegal address", "RESTART_APP", False, "application",
         _APP + "; suspect the GPU only if it follows this GPU across applications"),
    32: ("PBDMA_ERROR", "invalid or corrupted push buffer stream", "RESTART_APP", False,
         "application", _APP),
    43: ("RESETCHANNEL_VERIF_ERROR", "GPU stopped processing: the application hit a fault and "
         "its channel was reset", "IGNORE", False, "application",
         _APP + "; look at the Xid before it"),
    45: ("PREEMPTIVE_REMOVAL", "preemptive cleanup after an earlier error or a killed process",
         "WORKFLOW_XID_45", False, "follow-up", "follow the Xid that came before it"),
    46: ("GPU_TIMEOUT_ERROR", "GPU stopped processing (timeout)", "RESET_GPU", True,
         "hardware", _RESET),
    48: ("GPU_ECC_DBE", "double-bit (uncorrectable) ECC memory error", "WORKFLOW_XID_48", True,
         "hardware", _RESET + "; with Xid 63/64 as well, drain and reset"),
    54: ("PWR_REDUCED_CLOCKING", "power-related clock reduction", "CHECK_MECHANICALS", True,
         "hardware", "check the node's power supply and cabling"),
    61: ("PMU_BREAKPOINT", "internal micro-controller breakpoint or warning", "CONTACT_SUPPORT",
         True, "hardware", "report it to NVIDIA support; drain the node if it recurs"),
    62: ("PMU_HALT_ERROR", "internal micro-controller halt", "RESET_GPU", True, "hardware",
         _RESET),
    63: ("INFOROM_DRAM_RETIREMENT_EVENT", "ECC page retirement or row remap recorded (it "
         "succeeded)", "IGNORE", False, "informational",
         "nothing now; if an Xid 48 came before, reset the GPU or reboot to activate the remap"),
    64: ("INFOROM_DRAM_RETIREMENT_FAILURE", "ECC page retirement or row remap failed",
         "RESET_GPU", True, "hardware", _RESET + "; the GPU likely needs replacement (RMA)"),
    74: ("NVLINK_ERROR", "NVLink error", "WORKFLOW_NVLINK_ERR", True, "hardware",
         "cordon and drain the node, reset the GPU or reboot; replace it if it recurs"),
    79: ("GPU_HAS_FALLEN_OFF_THE_BUS", "the GPU fell off the bus: it is no longer reachable "
         "over PCIe", "RESTART_BM", True, "hardware",
         "cordon and drain the node, then reboot or power-cycle it; RMA the GPU if it recurs"),
    92: ("EXCESSIVE_SBE_INTERRUPTS", "high rate of single-bit (corrected) ECC errors", "IGNORE",
         False, "hardware", "no action now; watch for Xid 48 or 64"),
    94: ("CONTAINED_ERROR", "contained ECC error: only the affected application was killed",
         "RESTART_APP", False, "hardware",
         "restart the application; monitor the GPU for further ECC errors"),
    95: ("UNCONTAINED_ERROR", "uncontained ECC error: every application on the GPU is affected",
         "RESET_GPU", True, "hardware", _RESET),
    109: ("CTXSW_TIMEOUT_ERROR", "context switch timeout", "RESET_GPU", True, "hardware",
          _RESET),
    110: ("SEC_FAULT_ERROR", "security fault", "RESET_GPU", True, "hardware", _RESET),
    119: ("GSP_RPC_TIMEOUT", "GSP firmware RPC timeout", "RESET_GPU", True, "driver",
          _RESET + "; often a driver/GSP firmware problem"),
    120: ("GSP_ERROR", "GSP firmware error", "RESET_GPU", True, "driver", _RESET),
    121: ("C2C_ERROR", "chip-to-chip link error", "IGNORE", False, "hardware",
          "no action now; watch for further errors"),
    136: ("ALI_TRAINING_FAIL", "link training failed", "RESET_GPU", True, "hardware", _RESET),
    137: ("NVLINK_FLA_PRIV_ERR", "illegal NVLink peer access by an application", "IGNORE",
          False, "application", _APP),
    140: ("UNRECOVERABLE_ECC_ERROR_ESCAPE", "unrecovered ECC error", "RESET_GPU", True,
          "hardware", _RESET),
    143: ("GPU_INIT_ERROR", "GPU initialization error", "RESET_GPU", True, "hardware", _RESET),
    151: ("KEY_ROTATION_ERROR", "confidential computing key rotation error", "RESTART_VM", True,
          "driver", "restart the VM"),
    154: ("GPU_RECOVERY_ACTION_CHANGED", "the driver states the recovery action it needs (GPU "
          "reset, node reboot, drain P2P, drain and reset)", "FOLLOW_TEXT", False, "follow-up",
          "read the Xid text in the node's kernel log and follow the action it names"),
    155: ("NVLINK_SW_DEFINED_ERROR", "NVLink software-defined error", "RESET_GPU", True,
          "hardware", _RESET),
    156: ("RESOURCE_RETIREMENT_EVENT", "GPU resource retirement event", "RESET_GPU", True,
          "hardware", _RESET),
    157: ("RESOURCE_RETIREMENT_FAILURE", "no spare resources left to retire", "IGNORE", False,
          "hardware", "plan the GPU's replacement; ask NVIDIA support"),
    158: ("GPU_FATAL_TIMEOUT", "fatal GPU timeout", "RESET_GPU", True, "hardware", _RESET),
    160: ("CHANNEL_RETIREMENT_EVENT", "channel retirement event", "RESTART_BM", True, "hardware",
          "cordon and drain the node, then reboot or power-cycle it"),
}
# fmt: on
_NVLINK5 = ("SAW", "RLW", "TLW", "TREX", "NVLPW_CTRL", "NETIR", "MSE")
for _offset, _unit in enumerate(_NVLINK5):
    _XIDS[144 + _offset] = (
        f"NVLINK_{_unit}_ERROR",
        f"NVLink5 {_unit} error (Blackwell)",
        "WORKFLOW_NVLINK5_ERR",
        True,
        "hardware",
        "cordon and drain the node, decode the error status, reset the GPU or reboot",
    )


def xid_info(code: int) -> XidInfo:
    """The facts for an Xid code; a code not in the table says so and points at the catalog."""
    row = _XIDS.get(code)
    if row is None:
        return XidInfo(
            code=code,
            mnemonic="UNKNOWN",
            meaning="not in holmes's Xid table",
            bucket="UNKNOWN",
            fatal=False,
            drain=False,
            cause="unknown",
            action="look the code up in NVIDIA's Xid catalog",
        )
    mnemonic, meaning, bucket, fatal, cause, action = row
    return XidInfo(
        code=code,
        mnemonic=mnemonic,
        meaning=meaning,
        bucket=bucket,
        fatal=fatal,
        drain=bucket in DRAIN_BUCKETS,
        cause=cause,
        action=action,
    )


def known_xids() -> list[int]:
    """Every Xid code the table describes, ascending."""
    return sorted(_XIDS)


class ClockEventReason(BaseModel):
    """One bit of the clock-event (throttle) reasons bitmask."""

    bit: int
    name: str  # the `clock_event` label value of DCGM_EXP_CLOCK_EVENTS_COUNT
    meaning: str
    concern: bool  # True when the reason slows a busy GPU for a reason worth fixing


CLOCK_EVENT_REASONS: tuple[ClockEventReason, ...] = tuple(
    ClockEventReason(bit=bit, name=name, meaning=meaning, concern=concern)
    for bit, name, meaning, concern in (
        (0x1, "gpu_idle", "nothing is running, clocks are idle", False),
        (0x2, "clocks_setting", "the application clocks setting limits clocks", False),
        (0x4, "power_cap", "the software power cap reduces clocks", False),
        (0x8, "hw_slowdown", "hardware slowdown (clocks cut by 2x or more) is engaged", True),
        (0x10, "sync_boost", "clocks follow a sync boost group", False),
        (0x20, "sw_thermal", "software thermal slowdown: the GPU is too hot", True),
        (0x40, "hw_thermal", "hardware thermal slowdown: the GPU is too hot", True),
        (0x80, "hw_power_brake", "external power brake (power supply or chassis)", True),
        (0x100, "display_clocks", "the display clock setting limits clocks", False),
    )
)
_REASON_BY_NAME = {reason.name: reason for reason in CLOCK_EVENT_REASONS}


def decode_clock_events(mask: int) -> list[ClockEventReason]:
    """The reasons set in a clock-event bitmask (bitwise AND; several bits may be set)."""
    return [reason for reason in CLOCK_EVENT_REASONS if mask & reason.bit]


def clock_event_reason(name: str) -> ClockEventReason | None:
    """A reason by its `clock_event` label value (e.g. "sw_thermal"), None when unknown."""
    return _REASON_BY_NAME.get(name)


# DCGM writes "no value" as huge integers (dcgm_fields.h): BLANK, then +1 NOT_FOUND,
# +2 NOT_SUPPORTED, +3 NOT_PERMISSIONED. Prometheus stores float64, which keeps the int32 and
# fp64 offsets but rounds the int64 ones together.
INT32_BLANK = 0x7FFFFFF0
INT64_BLANK = 0x7FFFFFFFFFFFFFF0
FP64_BLANK = 140737488355328.0
_SENTINEL_NAMES = ("blank", "not found", "not supported", "not permissioned")


def is_blank(value: float) -> bool:
    """True when a DCGM value is a "no data" sentinel (or NaN), never a reading.

    An int32 sentinel is matched exactly (0x7ffffff0..0x7fffffff) so that an int64 counter that
    grew past 2^31 is still a reading; anything from the fp64 blank up is no data.
    """
    if math.isnan(value) or value >= FP64_BLANK:
        return True
    return INT32_BLANK <= value <= 0x7FFFFFFF


def sentinel_name(value: float) -> str | None:
    """Which sentinel a value is ("not supported", ...), or None when it is a reading."""
    if not is_blank(value):
        return None
    for base in (INT32_BLANK, FP64_BLANK):
        offset = value - base
        if 0 <= offset < len(_SENTINEL_NAMES) and offset == int(offset):
            return _SENTINEL_NAMES[int(offset)]
    return "blank"


def is_dcgm(labels: Mapping[str, str], query: str = "") -> bool:
    """Whether a result comes from DCGM metrics (by its name, else by the query's text)."""
    return (labels.get("__name__") or query).find("DCGM_") >= 0


HOST_LABELS = ("Hostname", "hostname")
UUID_LABELS = ("UUID", "uuid", "gpu_uuid")
MODEL_LABELS = ("modelName", "model_name")


def first_label(labels: Mapping[str, str], names: tuple[str, ...]) -> str:
    """The first non-empty value among label spellings, "" when none is set."""
    for name in names:
        value = labels.get(name)
        if value:
            return value
    return ""


def host_of(labels: Mapping[str, str]) -> str:
    """The node of a DCGM series (labels.node_of: Hostname, hostname, node, ..., instance)."""
    return node_of(labels)


def pod_of(labels: Mapping[str, str], scrape_targets: Collection[tuple[str, str]] = ()) -> str:
    """The pod holding the GPU as "namespace/pod" (`exported_*` first), "" when none holds it."""
    return workload_of(labels, scrape_targets).ref


INFERRED_THERMAL = "thermal_slowdown_inferred"


def is_concerning(reason_name: str) -> bool:
    """Whether a clock-event reason is worth a finding (thermal, hardware slowdown, brake)."""
    if reason_name == INFERRED_THERMAL:
        return True
    reason = clock_event_reason(reason_name)
    return reason is not None and reason.concern
