"""Time and text helpers every renderer shares: RFC 3339 stamps, relative times, clipping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def rfc3339(moment: datetime, milliseconds: bool = False) -> str:
    """`2026-09-02T16:04:50Z`, or with milliseconds `2026-09-02T16:04:50.005Z` (UTC)."""
    moment = moment.astimezone(UTC)
    if milliseconds:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def duration_text(seconds: int) -> str:
    """A duration in its two largest units: "45s", "9m30s", "14m", "2h13m", "3d4h" (seconds
    only under ten minutes)."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m{secs}s" if secs and minutes < 10 else f"{minutes}m"
    return f"{secs}s"


def padded_duration_text(seconds: int) -> str:
    """A duration in its two largest units, the second zero-padded: "45s", "9m30s", "2h05m"."""
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def ago(when: datetime | None, now: datetime, padded: bool = False) -> str:
    """`when` relative to `now`: "14m ago", "2h13m ago", "in 5m"; `padded` gives Hubble's
    finer "9m30s ago" / "5m00s from now"."""
    if when is None:
        return "unknown time"
    if padded:
        seconds = round((now - when).total_seconds())
        suffix = "ago" if seconds >= 0 else "from now"
        return f"{padded_duration_text(abs(seconds))} {suffix}"
    seconds = int((now - when).total_seconds())
    text = duration_text(abs(seconds))
    return f"{text} ago" if seconds >= 0 else f"in {text}"


def clip(text: Any, limit: int = 200, one_line: bool = True) -> str:
    """`text` at most `limit` characters, ending in "..." when cut; `one_line` first folds its
    whitespace runs (newlines included) into single spaces."""
    text = str(text if text is not None else "")
    if one_line:
        text = " ".join(text.split())
    limit = int(limit)
    return text if len(text) <= limit else text[: max(0, limit - 3)] + "..."
