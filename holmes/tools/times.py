"""Durations and times as tool arguments: one grammar for every toolset.

Called by the toolsets' input models and `run`s (a `since` of "1h30m" means the same to
kubernetes_logs, prometheus_query_range and hubble_flows) and by the bundle loader for
series.yaml intervals. Relative times count back from the investigation's clock, never the wall
clock: callers pass `now`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PART = r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)"
_DURATION = re.compile(rf"(?:{_PART})+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def duration_seconds(text: str) -> float:
    """Seconds in a duration such as `90s`, `15m`, `1h30m`, `2d`, `500ms`; a bare number is s.

    Raises ValueError naming the accepted forms.
    """
    cleaned = str(text).strip().lower()
    if _NUMBER.fullmatch(cleaned):
        seconds = float(cleaned)
    elif _DURATION.fullmatch(cleaned):
        seconds = sum(float(n) * _UNITS[unit] for n, unit in re.findall(_PART, cleaned))
    else:
        raise ValueError(f"{text!r} is not a duration; write e.g. 30s, 15m, 1h, 1h30m or 2d")
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds


def resolve_time(text: str, now: datetime) -> datetime:
    """A point in time: `now`, a duration before now (`10m`, `10m ago`), or RFC 3339 with a zone."""
    cleaned = str(text).strip()
    if cleaned.lower() == "now":
        return now
    try:
        return now - timedelta(seconds=duration_seconds(cleaned.removesuffix(" ago")))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(cleaned.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time; write RFC 3339 (2026-03-18T14:20:00Z), "
            "a duration before now (10m), or now"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; end it with Z for UTC")
    return moment.astimezone(UTC)
