"""The unit of a metric, from its name: DCGM's documented units and Prometheus naming rules.

Called by the query tools to print `71 °C` rather than `71`. A result whose series carry no
metric name (an expression such as `rate(x[5m])` drops it) gets a unit only when the caller
knows it; `unit_for_query` guesses from a query that is a single selector of one metric.
"""

from __future__ import annotations

import re

# Units as dcgm-exporter's HELP texts state them (reference/gpu-metrics.md, section 2).
DCGM_UNITS: dict[str, str] = {
    "DCGM_FI_DEV_SM_CLOCK": "MHz",
    "DCGM_FI_DEV_MEM_CLOCK": "MHz",
    "DCGM_FI_DEV_MEMORY_TEMP": "°C",
    "DCGM_FI_DEV_GPU_TEMP": "°C",
    "DCGM_FI_DEV_GPU_MAX_OP_TEMP": "°C",
    "DCGM_FI_DEV_MEM_MAX_OP_TEMP": "°C",
    "DCGM_FI_DEV_SLOWDOWN_TEMP": "°C",
    "DCGM_FI_DEV_SHUTDOWN_TEMP": "°C",
    "DCGM_FI_DEV_POWER_USAGE": "W",
    "DCGM_FI_DEV_POWER_MGMT_LIMIT": "W",
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": "mJ",
    "DCGM_FI_DEV_GPU_UTIL": "%",
    "DCGM_FI_DEV_MEM_COPY_UTIL": "%",
    "DCGM_FI_DEV_ENC_UTIL": "%",
    "DCGM_FI_DEV_DEC_UTIL": "%",
    "DCGM_FI_DEV_FAN_SPEED": "%",
    "DCGM_FI_DEV_FB_TOTAL": "MiB",
    "DCGM_FI_DEV_FB_FREE": "MiB",
    "DCGM_FI_DEV_FB_USED": "MiB",
    "DCGM_FI_DEV_FB_RESERVED": "MiB",
    "DCGM_FI_DEV_POWER_VIOLATION": "ns",
    "DCGM_FI_DEV_THERMAL_VIOLATION": "ns",
    "DCGM_FI_DEV_RETIRED_SBE": "pages",
    "DCGM_FI_DEV_RETIRED_DBE": "pages",
    "DCGM_FI_DEV_RETIRED_PENDING": "pages",
    "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS": "rows",
    "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS": "rows",
    "DCGM_FI_PROF_PCIE_TX_BYTES": "B/s",
    "DCGM_FI_PROF_PCIE_RX_BYTES": "B/s",
    "DCGM_FI_PROF_NVLINK_TX_BYTES": "B/s",
    "DCGM_FI_PROF_NVLINK_RX_BYTES": "B/s",
}

# Prometheus naming conventions: the base unit is the name's last word (before `_total`).
_SUFFIX_UNITS = (
    ("_bytes", "bytes"),
    ("_seconds", "s"),
    ("_celsius", "°C"),
    ("_watts", "W"),
    ("_joules", "J"),
    ("_hertz", "Hz"),
    ("_percent", "%"),
)
_SELECTOR = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^{}]*\})?\s*(\[[^\]]*\])?\s*$")


def unit_for(metric: str | None) -> str | None:
    """The unit of a metric by name, None when unknown (or a count, a ratio, a code)."""
    if not metric:
        return None
    if metric in DCGM_UNITS:
        return DCGM_UNITS[metric]
    base = metric.removesuffix("_total")
    for suffix, unit in _SUFFIX_UNITS:
        if base.endswith(suffix):
            return unit
    return None


def selector_metric(promql: str) -> str | None:
    """The metric of a query that is one plain selector (`name{...}`), else None."""
    match = _SELECTOR.match(promql)
    return match.group(1) if match else None


def unit_for_query(promql: str) -> str | None:
    """A unit for a whole result: known only when the query is a plain selector of one metric."""
    return unit_for(selector_metric(promql))
