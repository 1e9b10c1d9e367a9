"""A matrix result as evidence: one summary per series, the most telling series first.

Called by `prometheus_query_range`, and by `prometheus_query` when the query is a range-vector
selector (`x[10m]`). Each series is summarised by `shaping.series.summarize`; series that stopped
or changed most come first, then by magnitude; the text keeps whole series blocks within the
budget and says how many were left out and that they are in the data (up to `max_items`).
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime
from itertools import groupby, pairwise
from typing import Any

from holmes.tools.base import ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.dcgm import is_blank, is_dcgm
from holmes.tools.facts.text import rfc3339
from holmes.tools.prometheus.client import QueryResult, SeriesPoints
from holmes.tools.prometheus.render import LabelLayout, budget, fit, warnings_lines
from holmes.tools.prometheus.timing import format_duration
from holmes.tools.prometheus.units import unit_for, unit_for_query
from holmes.tools.shaping.series import (
    SeriesSummary,
    describe,
    format_labels,
    format_number,
    format_time,
    summarize,
)

StopTimes = dict[tuple[tuple[str, str], ...], float]


def render_matrix(
    result: QueryResult,
    ctx: ToolContext,
    *,
    start: datetime,
    end: datetime,
    step: float | None,
    query: str,
    raw: bool = False,
    stops: StopTimes | None = None,
    window_text: str | None = None,
) -> ToolOutput:
    """Summaries of every series of a matrix, as data and compact text."""
    now = ctx.now()
    pairs = []
    for series in result.matrix:
        series_step = step or _spacing(series)
        summary = summarize(
            _readings(series, query),
            start=start.timestamp(),
            end=end.timestamp(),
            step=series_step,
            labels=series.labels,
        )
        _apply_stop(summary, stops)
        pairs.append((summary, series))
    pairs.sort(
        key=lambda pair: (
            -pair[0].interest(),
            -abs(pair[0].last or 0.0),
            format_labels(pair[0].labels),
        )
    )
    kept = pairs[: ctx.limits.max_items]
    window = (
        window_text or f"{format_duration((end - start).total_seconds())} ending {rfc3339(end)}"
    )
    data: dict[str, Any] = {
        "result_type": "matrix",
        "start": rfc3339(start),
        "end": rfc3339(end),
        "step_seconds": step,
        "total": len(pairs),
        "series": [_series_data(summary, series, raw) for summary, series in kept],
    }
    if not pairs:
        text = f"no series over {window}: the query matched nothing in the window"
        return ToolOutput(data=data, text="\n".join([text, *warnings_lines(result.warnings)]))
    layout = LabelLayout([summary.labels for summary, _ in kept])
    step_text = f", step {format_duration(step)}" if step else ""
    head = [f"{len(pairs)} series over {window}{step_text}, most changed first"]
    head += layout.header() + warnings_lines(result.warnings)
    if stops is None and any(summary.stopped for summary, _ in kept):
        head.append(
            "a stop time is when the last value expired; the source stopped up to "
            "Prometheus's lookback (5m by default) earlier"
        )
    fallback = unit_for_query(query)
    blocks = [
        _block(
            summary, series, layout, now, unit_for(summary.labels.get("__name__")) or fallback, raw
        )
        for summary, series in kept
    ]
    text, _ = fit(
        head,
        blocks,
        limit=budget(ctx),
        more=lambda n: (
            f"{n} more series not shown (flatter ones; the first {len(kept)} are in data)"
        ),
        hidden=len(pairs) - len(kept),
    )
    return ToolOutput(data=data, text=text)


def _block(
    summary: SeriesSummary,
    series: SeriesPoints,
    layout: LabelLayout,
    now: datetime,
    unit: str | None,
    raw: bool,
) -> list[str]:
    first, *rest = describe(summary, now=now, unit=unit)
    lines = [f"{layout.label(summary.labels)}: {first}"] + [f"  {line}" for line in rest]
    if raw:
        lines.append("  points: " + _runs(series, now, unit))
    return lines


def _runs(series: SeriesPoints, now: datetime, unit: str | None) -> str:
    """Points with runs of equal values folded: `13:32:00Z..14:21:30Z 0 (100)`."""
    parts = []
    for value, run in groupby(series.points, key=lambda point: point[1]):
        times = [t for t, _ in run]
        when = format_time(times[0], now).split(" ")[0]
        if len(times) > 1:
            when += ".." + format_time(times[-1], now).split(" ")[0]
        parts.append(f"{when} {format_number(value, unit)} ({len(times)})")
    return "; ".join(parts)


def _readings(series: SeriesPoints, query: str) -> list[tuple[float, float]]:
    """The points, with DCGM's "no data" sentinels as NaN so they stay out of the statistics."""
    if not is_dcgm(series.labels, query):
        return series.points
    return [(t, math.nan if is_blank(v) else v) for t, v in series.points]


def _apply_stop(summary: SeriesSummary, stops: StopTimes | None) -> None:
    """Move a stopped series' stop back to its true last sample when it is known."""
    if not stops or not summary.stopped:
        return
    exact = stops.get(tuple(sorted((k, v) for k, v in summary.labels.items() if k != "__name__")))
    if exact is None:
        return
    for gap in summary.gaps:
        if gap.end is None and not gap.leading and exact < gap.start:
            gap.start = exact
            summary.last_at = exact


def _spacing(series: SeriesPoints) -> float:
    """The usual distance between a raw series' samples (its scrape interval)."""
    times = [t for t, _ in series.points]
    deltas = [b - a for a, b in pairwise(times) if b > a]
    return statistics.median(deltas) if deltas else 60.0


def _series_data(summary: SeriesSummary, series: SeriesPoints, raw: bool) -> dict[str, Any]:
    data = summary.model_dump()
    if raw:
        data["points"] = series.points
    return data
