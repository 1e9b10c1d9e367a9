"""`prometheus_gpu_health`: the health of each GPU from the NVIDIA DCGM exporter's metrics.

Called through the registry by the runbook engine (GPU runbooks) and the LLM agent. Three kinds
of PromQL, all evaluated at the investigation's clock and run concurrently:

- the current readings: one instant selector over every DCGM metric used (5m lookback);
- when each GPU last reported its telemetry: `max_over_time(timestamp(m)[window:step])` per
  heartbeat metric (exact sample times, since `timestamp()` of a selector is the sample's);
- the Xid history of GPUs with a non-zero Xid in the window: a range query filtered by
  `max_over_time(...[window] @ end()) > 0`, to say when the current code appeared.

Filters (node, GPU index, namespace, pod) are written once per label spelling (`Hostname` or
`hostname`; `namespace`/`pod` or the old `pod_namespace`/`pod_name`) and joined with `or`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.prometheus.client import PrometheusClient, Sample, prometheus
from holmes.tools.prometheus.dcgm import selector_variants
from holmes.tools.prometheus.gpu_findings import add_findings
from holmes.tools.prometheus.gpu_report import render
from holmes.tools.prometheus.gpu_state import (
    HEARTBEATS,
    READINGS,
    XID,
    build_states,
    mark_stopped,
)
from holmes.tools.prometheus.render import budget
from holmes.tools.prometheus.timing import (
    check_duration,
    choose_step,
    format_duration,
    parse_duration,
    rfc3339,
)

# Subquery steps above the 5m lookback would skip samples; 60s keeps last-seen times exact.
_MAX_HEARTBEAT_STEP = 60.0
# A GPU is silent when its newest telemetry is older than this many steps (and 2 minutes).
_STALE_STEPS = 4
_MIN_STALE_SECONDS = 120.0


class GpuHealthInput(BaseModel):
    """Arguments of prometheus_gpu_health."""

    node: str | None = Field(
        None, description="Node name as in the DCGM Hostname/hostname label, e.g. gpu-node-3."
    )
    gpu: int | None = Field(None, ge=0, description="GPU index on the node (the gpu label).")
    namespace: str | None = Field(None, description="Only GPUs held by pods of this namespace.")
    pod: str | None = Field(None, description="Only GPUs held by this pod (exact name).")
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
        "power_cap...); GPUs that stopped reporting while their node's other GPUs still do; "
        "utilisation, memory used/total, temperature and power; the pod using each GPU. GPUs "
        "with findings come first; healthy GPUs are one line per node. Filter by node, GPU "
        "index, namespace or pod. Use for stalled training jobs, NCCL hangs, CUDA errors, "
        "GPU alerts."
    )
    Input = GpuHealthInput

    async def run(self, args: GpuHealthInput, ctx: ToolContext) -> ToolOutput:
        """Query DCGM metrics, build per-GPU states and findings, render problems first."""
        client = prometheus(ctx)
        now = ctx.now()
        window = parse_duration(args.since)
        step = choose_step(window)
        variants = selector_variants(
            node=args.node,
            gpu=None if args.gpu is None else str(args.gpu),
            namespace=args.namespace,
            pod=args.pod,
        )
        readings, seen, history = await asyncio.gather(
            client.query(_any(variants, _readings_selector), now),
            _last_seen(client, variants, window, now),
            client.query_range(
                _xid_history(variants, window), now - timedelta(seconds=window), now, step
            ),
        )
        states = build_states(readings.vector, seen, history.matrix, step=step)
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
            "gpus": [g.model_dump() for g in ordered[: ctx.limits.max_items]],
        }
        if not states:
            text = (
                f"{head}: no DCGM GPU metrics found; check that dcgm-exporter is scraped "
                "(prometheus_metric_names with match DCGM_) and the filters"
            )
            return ToolOutput(data=data, text=text)
        text = render(states, head=head, limit=budget(ctx), max_items=ctx.limits.max_items)
        return ToolOutput(data=data, text=text)


async def _last_seen(
    client: PrometheusClient, variants: list[dict[str, str]], window: float, now: datetime
) -> dict[str, list[Sample]]:
    """Each heartbeat metric's last sample time per GPU within the window."""
    step = format_duration(min(choose_step(window), _MAX_HEARTBEAT_STEP))
    span = format_duration(window)

    async def one(metric: str) -> tuple[str, list[Sample]]:
        inner = " or ".join(f"timestamp({_selector(metric, v)})" for v in variants)
        result = await client.query(f"max_over_time(({inner})[{span}:{step}])", now)
        return metric, result.vector

    return dict(await asyncio.gather(*(one(metric) for metric in HEARTBEATS)))


def _xid_history(variants: list[dict[str, str]], window: float) -> str:
    span = format_duration(window)
    series = _any(variants, lambda v: _selector(XID, v))
    seen = _any(variants, lambda v: f"max_over_time({_selector(XID, v)}[{span}] @ end())")
    return f"({series}) and (({seen}) > 0)"


def _readings_selector(variant: dict[str, str]) -> str:
    names = "|".join(READINGS)
    return "{" + ",".join([f'__name__=~"{names}"', *_matchers(variant)]) + "}"


def _selector(metric: str, variant: dict[str, str]) -> str:
    matchers = _matchers(variant)
    return f"{metric}{{{','.join(matchers)}}}" if matchers else metric


def _matchers(variant: dict[str, str]) -> list[str]:
    return [f'{name}="{_escape(value)}"' for name, value in variant.items()]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _any(variants: list[dict[str, str]], make: Callable[[dict[str, str]], str]) -> str:
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
