"""Prometheus toolset: PromQL queries, metric discovery and GPU health from DCGM metrics.

Talks to the Prometheus HTTP API directly (`client.py`, httpx) at `ctx.endpoints.prometheus_url`
with its configured headers; every failure is translated in `errors.py`. Tools:

    prometheus_query         instant query, one line per series        (query.py)
    prometheus_query_range   range query, a summary per series         (query.py)
    prometheus_metric_names  metric names, optionally filtered         (discovery.py)
    prometheus_label_values  values of a label                         (discovery.py)
    prometheus_gpu_health    per-GPU health from the DCGM exporter     (gpu.py)

`dcgm.py` holds the DCGM facts (Xid table, clock-event bits, sentinels, label spellings) that
runbook rules may use too.
"""

from __future__ import annotations

from holmes.tools.base import Tool
from holmes.tools.prometheus.discovery import PrometheusLabelValues, PrometheusMetricNames
from holmes.tools.prometheus.gpu import PrometheusGpuHealth
from holmes.tools.prometheus.query import PrometheusQuery, PrometheusQueryRange

TOOLS: tuple[type[Tool], ...] = (
    PrometheusQuery,
    PrometheusQueryRange,
    PrometheusMetricNames,
    PrometheusLabelValues,
    PrometheusGpuHealth,
)

__all__ = [
    "TOOLS",
    "PrometheusGpuHealth",
    "PrometheusLabelValues",
    "PrometheusMetricNames",
    "PrometheusQuery",
    "PrometheusQueryRange",
]
