"""Durations, evaluation times and range steps for the Prometheus tools.

Called by the tools' input models (to validate "1h", "30s", RFC 3339 times) and by their `run`
to turn them into the unix seconds the HTTP API takes. Relative times count back from the
investigation's clock (`ctx.now()`), never from the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

# One grammar for every toolset (holmes/tools/times.py); these are the names the tools here use.
from holmes.tools.times import duration_seconds as parse_duration
from holmes.tools.times import resolve_time as parse_time

# Steps a reader finds natural; a range query picks the smallest giving at most ~120 points.
NICE_STEPS = (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)
MAX_POINTS = 120


def check_duration(text: str | None) -> str | None:
    """Validator helper for input models: the text unchanged when it parses."""
    if text is not None:
        parse_duration(text)
    return text


def check_time(text: str | None) -> str | None:
    """Validator helper: the text unchanged when it is a valid time (syntax only, no clock)."""
    if text is not None:
        parse_time(text, datetime.fromtimestamp(0, UTC))
    return text


def choose_step(window_seconds: float) -> float:
    """The smallest natural step that gives at most MAX_POINTS points over the window."""
    for step in NICE_STEPS:
        if window_seconds / step <= MAX_POINTS:
            return float(step)
    return max(window_seconds / MAX_POINTS, float(NICE_STEPS[-1]))


def format_duration(seconds: float) -> str:
    """`30s`, `15m`, `1h30m`, `2d`: the shortest exact Prometheus form."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    remaining = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
