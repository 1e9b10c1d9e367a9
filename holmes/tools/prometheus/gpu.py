"""`prometheus_gpu_health`: the health of each GPU from the NVIDIA DCGM exporter's metrics.

Called through the registry by the runbook engine (GPU runbooks) and the LLM agent. Three kinds
of PromQL, all evaluated at the investigation's clock and run concurrently:

- the current readings: one instant selector over every DCGM metric used (5m lookback);
- when each GPU last reported anything: `max_over_time(timestamp(...)[window:step])` over every
  `DCGM_*` series of the GPU (exact sample times), so a GPU whose exporter sends any field is
  reporting, whichever fields its counters CSV enables;
- the Xid history of GPUs with a non-zero Xid in the window: a range query filtered by
  `max_over_time(...[window] @ end()) > 0`, to say when the current code appeared;
- the SM clock's peak in the window (throttling without clock-event reasons) and the PCIe
  replays in the window.

Filters (node, GPU index, namespace, pod) are written once per label spelling (labels.py:
`Hostname`, `hostname`, `node`, ...; `exported_*`, `namespace`/`pod`, the old `pod_name`) and
joined with `or`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.metric_labels import FAMILIES, NODE_LABELS, matcher_variants, selector
from holmes.tools.facts.text import rfc3339
from holmes.tools.prometheus.client import PrometheusClient, Sample, prometheus
from holmes.tools.prometheus.gpu_findings import add_findings
from holmes.tools.prometheus.gpu_report import render
from holmes.tools.prometheus.gpu_signals import infer_throttling, missing_signals
from holmes.tools.prometheus.gpu_state import (
    PCIE_REPLAY,
    READINGS,
    SM_CLOCK,
    XID,
    GpuKey,
    GpuState,
    build_states,
    mark_stopped,
)
from holmes.tools.prometheus.render import budget
from holmes.tools.prometheus.timing import (
    check_duration,
    choose_step,
    format_duration,
    parse_duration,
)

# Subquery steps above the 5m lookback would skip samples; 60s keeps last-seen times exact.
_MAX_HEARTBEAT_STEP = 60.0
# The labels that tell GPUs and their workloads apart, kept through the aggregations.
_KEY_LABELS = ", ".join(
    dict.fromkeys(["gpu", "GPU_I_ID", *NODE_LABELS, *(name for f in FAMILIES for name in f[:2])])
)
# Every DCGM series is telemetry except the Xid fields: DCGM keeps the last Xid code and the
# exporter re-exports it even for a GPU that fell off the bus and reports nothing else.
_TELEMETRY = '__name__=~"DCGM_.+",__name__!~"DCGM_FI_DEV_XID_ERRORS|DCGM_EXP_XID_ERRORS_COUNT"'
# The step of the last-seen scan: below the 5m lookback, so every sample is seen by a step.
_LAST_SEEN_STEP = 240.0
# A GPU is silent when its newest telemetry is older than this many steps (and 2 minutes).
_STALE_STEPS = 4
_MIN_STALE_SECONDS = 120.0


class GpuHealthInput(BaseModel):
    """Arguments of prometheus_gpu_health."""

    node: str | None = Field(
        None,
        description="Node name, e.g. gpu-node-3 (matched in the Hostname, hostname, node, "
        "kubernetes_node or instance label).",
    )
    gpu: int | None = Field(None, ge=0, description="GPU index on the node (the gpu label).")
    namespace: str | None = Field(None, description="Only GPUs held by pods of this namespace.")
    pod: str | None = Field(
        None,
        description="Only GPUs held by this pod (exact name; exported_pod on series scraped "
        "with honorLabels: false).",
    )
    since: str = Field(
        "1h", description="Window for Xid history and for GPUs that stopped reporting: 1h, 6h."
    )

    _since = field_validator("since")(check_duration)


class PrometheusGpuHealth(Tool):
    """Per-GPU health from DCGM: Xid, ECC/row remap, throttling, silence, readings."""

    name = "prometheus_gpu_health"
    toolset = "prometheus"
    description = (
        "Check the health of NVIDIA GPUs from the DCGM exporter's metrics in Prometheus, per "
        "node and GPU: the last Xid error with its meaning, whether it is a hardware fault "
        "needing drain/reset/reboot or an application error, and when it appeared; "
        "uncorrectable ECC errors, row remap pending/failure, pages pending retirement; the "
        "clock-event (throttle) reasons decoded into names (sw_thermal, hw_slowdown, "
        "power_cap...), or throttling inferred from temperature and the SM clock when they "
        "are not exported; GPUs that stopped reporting while their node's other GPUs still "
        "do; MIG instances; DCGM health watches; PCIe replays; the signals not exported; "
        "utilisation, memory used/total, temperature and power; the pod using each GPU. GPUs "
        "with findings come first; healthy GPUs are one line per node. Filter by node, GPU "
        "index, namespace or pod. Use for stalled training jobs, NCCL hangs, CUDA errors, "
        "GPU alerts."
    )
    Input = GpuHealthInput

    async def run(self, args: GpuHealthInput, ctx: ToolContext) -> ToolOutput:
        """Query DCGM metrics, build per-GPU states and findings, render problems first."""
        now = ctx.now()
        window = parse_duration(args.since)
        step = choose_step(window)
        variants = matcher_variants(
            node=args.node,
            namespace=args.namespace,
            pod=args.pod,
            extra=None if args.gpu is None else {"gpu": str(args.gpu)},
        )
        states = await _states(prometheus(ctx), variants, window, now)
        missing = missing_signals(states.values())
        stale_after = max(_MIN_STALE_SECONDS, _STALE_STEPS * min(step, _MAX_HEARTBEAT_STEP))
        start = (now - timedelta(seconds=window)).timestamp()
        mark_stopped(states, now=now.timestamp(), window_start=start, stale_after=stale_after)
        whole_nodes = args.gpu is None and args.namespace is None and args.pod is None
        add_findings(states, now, whole_nodes=whole_nodes)
        head = f"GPU health at {rfc3339(now)} (window {format_duration(window)}{_filters(args)})"
        ordered = sorted(states.values(), key=lambda g: (g.worst, g.node, g.gpu))
        data = {
            "time": rfc3339(now),
            "window_seconds": window,
            "total": len(ordered),
            "missing_signals": missing,
            "gpus": [g.model_dump() for g in ordered[: ctx.limits.max_items]],
        }
        if not states:
            text = (
                f"{head}: no DCGM GPU metrics found; check that dcgm-exporter is scraped "
                "(prometheus_metric_names with match DCGM_) and the filters"
            )
            return ToolOutput(data=data, text=text)
        notes = [f"missing signal: {note}" for note in missing]
        text = render(
            states, head=head, limit=budget(ctx), max_items=ctx.limits.max_items, notes=notes
        )
        return ToolOutput(data=data, text=text)


async def _states(
    client: PrometheusClient, variants: list[list[str]], window: float, now: datetime
) -> dict[GpuKey, GpuState]:
    """Run the queries concurrently and build the GPU states (throttling inferred)."""
    span = format_duration(window)
    step = choose_step(window)
    readings, seen, history, peaks, replays = await asyncio.gather(
        client.query(_any(variants, _readings_selector), now),
        _last_seen(client, variants, window, now),
        client.query_range(
            _xid_history(variants, window), now - timedelta(seconds=window), now, step
        ),
        client.query(
            _any(variants, lambda v: f"max_over_time({selector(SM_CLOCK, v)}[{span}])"), now
        ),
        client.query(
            _any(variants, lambda v: f"increase({selector(PCIE_REPLAY, v)}[{span}])"), now
        ),
    )
    states = build_states(
        readings.vector,
        seen,
        history.matrix,
        step=step,
        sm_clock_peaks=peaks.vector,
        pcie_replays=replays.vector,
    )
    for state in states.values():
        infer_throttling(state)
    return states


async def _last_seen(
    client: PrometheusClient, variants: list[list[str]], window: float, now: datetime
) -> list[Sample]:
    """The newest sample time of any DCGM telemetry series, per GPU (and workload labels).

    `timestamp()` gives a sample's own time only when applied to a selector, and drops the
    metric name, so each metric is read on its own, named in a label (series of different
    metrics would otherwise collide), and the times are then reduced per GPU. The window is
    scanned at a coarse step (below the 5m lookback, so no sample is skipped) and the newest
    times come from an instant query at `now`, exact for the steps' last few minutes.
    """
    start = now - timedelta(seconds=window)
    names, _ = await client.label_values(
        "__name__", start=start, end=now, match="{" + _TELEMETRY + "}"
    )
    if not names:
        return []
    step = format_duration(_LAST_SEEN_STEP)
    span = format_duration(window)
    per_metric = " or ".join(
        f"label_replace({_any(variants, lambda v, m=name: f'timestamp({selector(m, v)})')}, "
        f'"dcgm_metric", "{name}", "", "")'
        for name in sorted(names)
    )
    newest, scanned = await asyncio.gather(
        client.query(f"max by ({_KEY_LABELS}) ({per_metric})", now),
        client.query(f"max by ({_KEY_LABELS}) (max_over_time(({per_metric})[{span}:{step}]))", now),
    )
    return newest.vector + scanned.vector


def _xid_history(variants: list[list[str]], window: float) -> str:
    span = format_duration(window)
    series = _any(variants, lambda v: selector(XID, v))
    seen = _any(variants, lambda v: f"max_over_time({selector(XID, v)}[{span}] @ end())")
    return f"({series}) and (({seen}) > 0)"


def _readings_selector(variant: list[str]) -> str:
    names = "|".join(READINGS)
    return selector("{" + f'__name__=~"{names}"' + "}", variant)


def _any(variants: list[list[str]], make: Callable[[list[str]], str]) -> str:
    return " or ".join(make(variant) for variant in variants)


def _filters(args: GpuHealthInput) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("node", args.node),
            ("gpu", args.gpu),
            ("namespace", args.namespace),
            ("pod", args.pod),
        )
        if value is not None
    ]
    return "; " + ", ".join(parts) if parts else ""
