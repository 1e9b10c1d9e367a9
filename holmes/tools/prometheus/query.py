"""PromQL tools: `prometheus_query` (instant) and `prometheus_query_range` (summarised window).

Called through the registry by the runbook engine and the LLM agent. Both evaluate at the
investigation's clock: an instant query at `ctx.now()` unless a time is given, a range query over
a window ending at `ctx.now()`. Results are shaped, not dumped: labels shared by every series are
said once, an instant vector is one line per series, and a range result is one summary per
series (first/last/min/max/mean, notable changes with their time, gaps), most changed first.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.dcgm import is_dcgm, sentinel_name
from holmes.tools.facts.text import rfc3339
from holmes.tools.prometheus.client import PrometheusClient, QueryResult, Sample, prometheus
from holmes.tools.prometheus.range_render import render_matrix
from holmes.tools.prometheus.render import LabelLayout, budget, fit, warnings_lines
from holmes.tools.prometheus.timing import (
    check_duration,
    check_time,
    choose_step,
    format_duration,
    parse_duration,
    parse_time,
)
from holmes.tools.prometheus.units import selector_metric, unit_for, unit_for_query
from holmes.tools.shaping.series import format_age, format_labels, format_number

# A query that orders its own result keeps the server's order.
_ORDERED = re.compile(r"\b(sort|sort_desc|topk|bottomk)\s*\(")


class QueryInput(BaseModel):
    """Arguments of prometheus_query."""

    query: str = Field(
        description='PromQL expression, e.g. DCGM_FI_DEV_GPU_TEMP{Hostname="gpu-node-3"} or '
        "sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))."
    )
    time: str | None = Field(
        None,
        description="Evaluation time: RFC 3339 (2026-03-18T14:20:00Z) or a duration before now "
        "(10m). Default: now.",
    )
    limit: int = Field(50, ge=1, le=1000, description="Most series to list.")

    _time = field_validator("time")(check_time)


class PrometheusQuery(Tool):
    """Instant PromQL query at the investigation's clock."""

    name = "prometheus_query"
    toolset = "prometheus"
    description = (
        "Run an instant PromQL query against Prometheus at the investigation's time (or at a "
        "given time) and get one line per series: its distinguishing labels and its value with "
        "its unit. Labels shared by all series are listed once. Series are listed highest value "
        "first unless the query orders them (sort, sort_desc, topk, bottomk). A series with no "
        "sample in the 5 minutes before the evaluation time is not returned: use "
        "prometheus_query_range to see when it stopped. Use for current values: GPU "
        "temperature, memory, restarts, CPU throttling, alert expressions. GPU series scraped "
        "by the gpu-operator carry the workload in exported_namespace/exported_pod (their "
        'namespace/pod are the exporter\'s): filter with {exported_pod="x"} or '
        '{pod="x",exported_pod=""}.'
    )
    Input = QueryInput

    async def run(self, args: QueryInput, ctx: ToolContext) -> ToolOutput:
        """Evaluate the query and list the series."""
        client = prometheus(ctx)
        now = ctx.now()
        at = parse_time(args.time, now) if args.time else now
        result = await client.query(args.query, at)
        when = f"{rfc3339(at)} ({'now' if at == now else format_age((now - at).total_seconds())})"
        if result.result_type == "matrix":
            window = _range_of(args.query) or 300.0
            start = at - timedelta(seconds=window)
            return render_matrix(result, ctx, start=start, end=at, step=None, query=args.query)
        if result.scalar is not None:
            value = result.scalar.value
            shown = value if isinstance(value, str) else format_number(value)
            text = "\n".join(
                [f"{result.result_type} at {when}: {shown}", *warnings_lines(result.warnings)]
            )
            return ToolOutput(data={"result_type": result.result_type, "value": value}, text=text)
        return _render_vector(result, args, ctx, at, when)


def _render_vector(
    result: QueryResult, args: QueryInput, ctx: ToolContext, at: datetime, when: str
) -> ToolOutput:
    samples = list(result.vector)
    ordered = bool(_ORDERED.search(args.query))
    if not ordered:
        samples.sort(key=lambda s: format_labels(s.labels))
        samples.sort(key=lambda s: s.value if s.value == s.value else float("-inf"), reverse=True)
    limit = min(args.limit, ctx.limits.max_items)
    kept = samples[:limit]
    data: dict[str, Any] = {
        "result_type": "vector",
        "time": rfc3339(at),
        "total": len(samples),
        "series": [s.model_dump() for s in kept],
    }
    if not samples:
        text = (
            f"no series at {when}: the query returned an empty vector (a series with no sample "
            "in the 5m before that time is not returned; try prometheus_query_range or "
            "prometheus_metric_names)"
        )
        return ToolOutput(data=data, text="\n".join([text, *warnings_lines(result.warnings)]))
    layout = LabelLayout([s.labels for s in kept])
    order = "in the query's order" if ordered else "highest value first"
    head = [f"{len(samples)} series at {when}, {order}"]
    head += layout.header() + warnings_lines(result.warnings)
    fallback_unit = unit_for_query(args.query)
    blocks = [[_sample_line(sample, layout, fallback_unit, args.query)] for sample in kept]
    where = "later in the query's order" if ordered else "lower values"
    text, _ = fit(
        head,
        blocks,
        limit=budget(ctx),
        more=lambda n: f"{n} more series not shown ({where}; the first {len(kept)} are in data)",
        hidden=len(samples) - len(kept),
    )
    return ToolOutput(data=data, text=text)


def _sample_line(sample: Sample, layout: LabelLayout, fallback_unit: str | None, query: str) -> str:
    if is_dcgm(sample.labels, query) and (blank := sentinel_name(sample.value)):
        return f"{layout.label(sample.labels)} no data (DCGM {blank} value {sample.value:.17g})"
    unit = unit_for(sample.labels.get("__name__")) or fallback_unit
    return f"{layout.label(sample.labels)} {format_number(sample.value, unit)}"


def _range_of(query: str) -> float | None:
    """The `[5m]` of a range-vector selector query, in seconds."""
    found = re.search(r"\[([0-9a-z]+)\]\s*$", query.strip())
    try:
        return parse_duration(found.group(1)) if found else None
    except ValueError:
        return None


class QueryRangeInput(BaseModel):
    """Arguments of prometheus_query_range."""

    query: str = Field(
        description='PromQL expression, e.g. DCGM_FI_DEV_XID_ERRORS{Hostname="gpu-node-3"} or '
        'rate(container_cpu_cfs_throttled_periods_total{namespace="ml"}[5m]).'
    )
    since: str = Field("1h", description="Window length, ending now: 30m, 1h, 6h, 2d.")
    step: str | None = Field(
        None, description="Resolution such as 30s or 1m. Default: about 60-120 points."
    )
    raw: bool = Field(
        False, description="Also list the points (runs of equal values folded). For few series."
    )

    _durations = field_validator("since", "step")(check_duration)


class PrometheusQueryRange(Tool):
    """Range PromQL query over a window ending at the investigation's clock, summarised."""

    name = "prometheus_query_range"
    toolset = "prometheus"
    description = (
        "Run a PromQL range query over a window ending at the investigation's time and get, per "
        "series, its labels and a summary: last, first, min, max and mean, the notable changes "
        "(from what value to what, at what time, e.g. '0 -> 79 at 14:22:00Z (10m ago)') and the "
        "gaps (when it had no samples, or stopped). Series that changed or stopped come first; "
        "flat series are one short line. Raw points only with raw=true. Use to see when "
        "something started: an Xid appearing, memory climbing, utilisation dropping to zero."
    )
    Input = QueryRangeInput

    async def run(self, args: QueryRangeInput, ctx: ToolContext) -> ToolOutput:
        """Evaluate the query over the window and summarise each series."""
        client = prometheus(ctx)
        end = ctx.now()
        window = parse_duration(args.since)
        start = end - timedelta(seconds=window)
        step = parse_duration(args.step) if args.step else choose_step(window)
        result = await client.query_range(args.query, start, end, step)
        stops = await _exact_stops(client, args.query, result, end, window, step)
        return render_matrix(
            result, ctx, start=start, end=end, step=step, query=args.query, raw=args.raw,
            stops=stops, window_text=f"{format_duration(window)} ending {rfc3339(end)}",
        )  # fmt: skip


async def _exact_stops(
    client: PrometheusClient,
    query: str,
    result: QueryResult,
    end: datetime,
    window: float,
    step: float,
) -> dict[tuple[tuple[str, str], ...], float] | None:
    """For a plain selector with series that stopped: each series' true last sample time.

    A range query repeats a series' last sample for the lookback (5m by default), so the points
    alone place a stop up to 5m late. `timestamp()` of the selector itself is exact.
    """
    if not selector_metric(query) or "[" in query:
        return None
    if not any(s.points and end.timestamp() - s.points[-1][0] > 1.5 * step for s in result.matrix):
        return {}
    promql = f"max_over_time(timestamp({query})[{format_duration(window)}:{format_duration(step)}])"
    found = await client.query(promql, end)
    return {_key(s.labels): s.value for s in found.vector}


def _key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in labels.items() if k != "__name__"))
