"""Durations, evaluation times and range steps for the Prometheus tools.

Called by the tools' input models (to validate "1h", "30s", RFC 3339 times) and by their `run`
to turn them into the unix seconds the HTTP API takes. Relative times count back from the
investigation's clock (`ctx.now()`), never from the wall clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"^(?:\d+(?:ms|s|m|h|d|w|y))+$")
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
# Steps a reader finds natural; a range query picks the smallest giving at most ~120 points.
NICE_STEPS = (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)
MAX_POINTS = 120


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as `90s`, `15m`, `1h30m`, `2d`; a bare number is s.

    Raises ValueError naming the accepted forms.
    """
    cleaned = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        seconds = float(cleaned)
    elif _DURATION.match(cleaned):
        seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(cleaned))
    else:
        raise ValueError(f"{text!r} is not a duration; write e.g. 30s, 15m, 1h, 1h30m or 2d")
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds


def check_duration(text: str | None) -> str | None:
    """Validator helper for input models: the text unchanged when it parses."""
    if text is not None:
        parse_duration(text)
    return text


def parse_time(text: str, now: datetime) -> datetime:
    """An evaluation time: `now`, RFC 3339 (`2026-03-18T14:20:00Z`), or a duration ago (`10m`)."""
    cleaned = text.strip()
    if cleaned.lower() == "now":
        return now
    try:
        return now - timedelta(seconds=parse_duration(cleaned.removesuffix(" ago")))
    except ValueError:
        return _absolute(text)


def _absolute(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time; write RFC 3339 (2026-03-18T14:20:00Z), "
            "a duration before now (10m), or now"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; end it with Z for UTC")
    return moment.astimezone(UTC)


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


def rfc3339(moment: datetime) -> str:
    """`2026-03-18T14:32:00Z` (seconds precision, UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
