"""Render a bundle's series as one OpenMetrics text, the input of promtool's backfill.

Called by the Prometheus replay (`prometheus.py`) before `promtool tsdb create-blocks-from
openmetrics`. promtool checks little: a millisecond timestamp lands ~50,000 years away, and a
series written twice with interleaved timestamps is appended out of order. So this module merges
series that share a name and labels, orders every series' samples in time, keeps each metric
family contiguous (OpenMetrics requires it), and refuses what promtool would silently misread,
naming the series and where the bundle wrote it (`Series.source`).
"""

from __future__ import annotations

import math
import re

from holmes.evals.series import MAX_TIMESTAMP_SECONDS, Series, format_selector

__all__ = ["render_openmetrics"]

_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

SeriesKey = tuple[str, tuple[tuple[str, str], ...]]


def render_openmetrics(series: list[Series]) -> str:
    """Render series as OpenMetrics text: one block of samples per series, in time order.

    Timestamps are written in seconds and label values escaped; the text ends with `# EOF`.
    Series with the same name and labels are merged. Raises ValueError, naming the series and
    its `source`, for a timestamp that cannot be seconds (> 1e11), a non-finite timestamp, an
    invalid metric or label name, or two different values at one timestamp of one series.
    """
    lines: list[str] = []
    for (name, labels), samples in sorted(_merge(series).items()):
        selector = format_selector(name, dict(labels))
        lines.extend(
            f"{selector} {_format_value(value)} {_format_timestamp(ts)}" for ts, value in samples
        )
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def _merge(series: list[Series]) -> dict[SeriesKey, list[tuple[float, float]]]:
    """Samples per series key, checked, sorted by time, duplicates of one sample dropped."""
    merged: dict[SeriesKey, dict[float, tuple[float, Series]]] = {}
    for one in series:
        _check_names(one)
        key = (one.name, tuple(sorted(one.labels.items())))
        by_time = merged.setdefault(key, {})
        for timestamp, value in one.samples:
            _check_timestamp(one, timestamp)
            earlier = by_time.get(timestamp)
            if earlier is not None and not _same_value(earlier[0], value):
                raise ValueError(
                    f"series {one.selector} has two values at {_format_timestamp(timestamp)}: "
                    f"{_format_value(earlier[0])} ({_where(earlier[1])}) and "
                    f"{_format_value(value)} ({_where(one)})"
                )
            by_time[timestamp] = (value, one)
    return {
        key: [(ts, value) for ts, (value, _) in sorted(by_time.items())]
        for key, by_time in merged.items()
    }


def _check_names(series: Series) -> None:
    if not _METRIC_NAME.match(series.name):
        raise ValueError(f"series {series.name!r} ({_where(series)}): invalid metric name")
    for label in series.labels:
        if not _LABEL_NAME.match(label) or label == "__name__":
            raise ValueError(
                f"series {series.selector} ({_where(series)}): invalid label name {label!r}"
            )


def _check_timestamp(series: Series, timestamp: float) -> None:
    if not math.isfinite(timestamp):
        raise ValueError(f"series {series.selector} ({_where(series)}): timestamp {timestamp}")
    if timestamp > MAX_TIMESTAMP_SECONDS:
        # promtool would accept it and write a block dated tens of millennia away.
        raise ValueError(
            f"series {series.selector} ({_where(series)}): timestamp {timestamp:.0f} is not in "
            "seconds (milliseconds or nanoseconds?); OpenMetrics timestamps are seconds since "
            "the epoch"
        )


def _where(series: Series) -> str:
    return series.source or "source unknown"


def _same_value(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    # Whole numbers as integers, for a readable file; repr keeps every other float exact.
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _format_timestamp(timestamp: float) -> str:
    if float(timestamp).is_integer():
        return str(int(timestamp))
    return repr(float(timestamp))
