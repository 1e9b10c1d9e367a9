"""Discovery tools: which metrics exist (`prometheus_metric_names`) and which values a label has
(`prometheus_label_values`), over a window ending at the investigation's clock.

Called through the registry, mostly by the LLM agent before it writes a query: metric names
differ between exporter versions (DCGM_FI_DEV_CLOCK_THROTTLE_REASONS became
DCGM_FI_DEV_CLOCKS_EVENT_REASONS) and label names too (Hostname became hostname).
"""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import groupby

from pydantic import BaseModel, Field, field_validator

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.dcgm import HOST_LABELS
from holmes.tools.prometheus.client import prometheus
from holmes.tools.prometheus.render import budget, fit, warnings_lines
from holmes.tools.prometheus.timing import check_duration, format_duration, parse_duration

_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class MetricNamesInput(BaseModel):
    """Arguments of prometheus_metric_names."""

    match: str | None = Field(
        None,
        description="Case-insensitive substring or regular expression a metric name must "
        "contain, e.g. DCGM_, kube_pod_container, memory.*bytes. Default: all names.",
    )
    since: str = Field("1h", description="Only metrics with samples in this window: 1h, 1d.")
    limit: int = Field(300, ge=1, le=5000, description="Most names to return.")

    _since = field_validator("since")(check_duration)


class PrometheusMetricNames(Tool):
    """Metric names with samples in a window, optionally filtered."""

    name = "prometheus_metric_names"
    toolset = "prometheus"
    description = (
        "List the metric names Prometheus has samples for in a window ending at the "
        "investigation's time, optionally only those containing a substring or matching a "
        "regular expression (case-insensitive), grouped by prefix. Use before writing a query, "
        "to learn which exporters are present and how their metrics are spelled (e.g. match "
        "'DCGM_' for GPU metrics, 'kube_pod' for kube-state-metrics)."
    )
    Input = MetricNamesInput

    async def run(self, args: MetricNamesInput, ctx: ToolContext) -> ToolOutput:
        """Ask for `__name__` values, filtered on the server."""
        client = prometheus(ctx)
        end = ctx.now()
        start = end - timedelta(seconds=parse_duration(args.since))
        # A name or a value is one short string, not an object: ten of them per item of the limit.
        limit = min(args.limit, ctx.limits.max_items * 10)
        match = None
        if args.match:
            pattern = args.match.replace("\\", "\\\\").replace('"', '\\"')
            match = f'{{__name__=~"(?i).*(?:{pattern}).*"}}'
        names, warnings = await client.label_values(
            "__name__", start=start, end=end, match=match, limit=limit + 1
        )
        names = sorted(names)
        shown = names[:limit]
        window = f"the last {format_duration(parse_duration(args.since))}"
        what = f"matching /{args.match}/" if args.match else ""
        data = {"names": shown, "total": len(names), "truncated": len(names) > limit}
        if not names:
            text = f"no metric names {what} with samples in {window}".replace("  ", " ")
            return ToolOutput(data=data, text="\n".join([text, *warnings_lines(warnings)]))
        more = "+" if len(names) > limit else ""
        head = [
            f"{len(shown)}{more} metric names {what} with samples in {window}".replace("  ", " ")
        ]
        head += warnings_lines(warnings)
        blocks = [
            [f"{prefix} ({len(group)}): {', '.join(group)}"]
            for prefix, group in ((p, list(g)) for p, g in groupby(shown, key=_family))
        ]
        text, _ = fit(
            head, blocks, limit=budget(ctx), more=lambda n: f"{n} more name groups (in data)"
        )
        if more:
            text += f"\nmore names not listed (limit {limit}); narrow with match"
        return ToolOutput(data=data, text=text)


def _family(name: str) -> str:
    return name.split("_", 1)[0] if "_" in name else name


class LabelValuesInput(BaseModel):
    """Arguments of prometheus_label_values."""

    label: str = Field(description="Label name, e.g. Hostname, namespace, pod, gpu, job.")
    match: str | None = Field(
        None,
        description="Series selector restricting the series, e.g. DCGM_FI_DEV_GPU_TEMP or "
        'kube_pod_info{namespace="ml"}. Default: every series.',
    )
    since: str = Field("1h", description="Only series with samples in this window: 1h, 1d.")
    limit: int = Field(300, ge=1, le=5000, description="Most values to return.")

    _since = field_validator("since")(check_duration)

    @field_validator("label")
    @classmethod
    def _label_name(cls, value: str) -> str:
        if not _LABEL_NAME.match(value):
            raise ValueError(f"{value!r} is not a label name (letters, digits and _)")
        return value


class PrometheusLabelValues(Tool):
    """Values of one label, optionally on the series a selector matches."""

    name = "prometheus_label_values"
    toolset = "prometheus"
    description = (
        "List the values a label takes on series with samples in a window ending at the "
        "investigation's time, optionally only on the series a selector matches. Use to find "
        "node names (Hostname or hostname on DCGM metrics), namespaces, pods, GPU indexes or "
        "jobs before filtering a query on them. Label names are case-sensitive."
    )
    Input = LabelValuesInput

    async def run(self, args: LabelValuesInput, ctx: ToolContext) -> ToolOutput:
        """Ask for the label's values."""
        client = prometheus(ctx)
        end = ctx.now()
        start = end - timedelta(seconds=parse_duration(args.since))
        limit = min(args.limit, ctx.limits.max_items * 10)
        values, warnings = await client.label_values(
            args.label, start=start, end=end, match=args.match, limit=limit + 1
        )
        values = sorted(values)
        shown = values[:limit]
        where = f" on series matching {args.match}" if args.match else ""
        window = f"the last {format_duration(parse_duration(args.since))}"
        data = {"label": args.label, "values": shown, "total": len(values)}
        if not values:
            text = f"no series{where} carry label {args.label} in {window}{_hint(args.label)}"
            return ToolOutput(data=data, text="\n".join([text, *warnings_lines(warnings)]))
        more = "+" if len(values) > limit else ""
        head = [f"{len(shown)}{more} values of {args.label}{where} in {window}:"]
        head += warnings_lines(warnings)
        blocks = [[value] for value in shown]
        text, _ = fit(head, blocks, limit=budget(ctx), more=lambda n: f"{n} more values (in data)")
        return ToolOutput(data=data, text=text)


def _hint(label: str) -> str:
    if label in HOST_LABELS:
        other = next(name for name in HOST_LABELS if name != label)
        return f" (dcgm-exporter versions differ: try {other}, node or instance)"
    if label in ("namespace", "pod", "container"):
        return f" (series scraped with honorLabels: false carry the workload in exported_{label})"
    return " (label names are case-sensitive)"
