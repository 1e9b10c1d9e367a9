"""The decisive lines of a log as typed facts: exceptions, RBAC denials, refused connections,
timeouts and slow operations with their durations, ranked by how much they decide.

Called by the `kubernetes_logs` tool on the raw log (before compaction), which puts the result in
its data (`signals`), so the evidence sweep (holmes/agent/engine/sweep*.py) reads typed facts
instead of parsing the compacted text back. Pure functions, no I/O.

Ranking, most decisive first (weights are what `LogSignal.weight` holds):

    forbidden   9   "is forbidden", "RBAC: access denied", HTTP 403 from the API server
    exception   8   a `FooError:` / `FooException` line (a traceback's last line, a Java trace's
                    head), panic, fatal; the "Traceback (most recent call last)" header is not
    refused     7   "connection refused", ECONNREFUSED, "no route to host"
    timeout     6   "timed out", "deadline exceeded", "i/o timeout"
    slow        6   an operation that took 1 s or more ("query took 8423 ms", "slow query 2.4s")
    error       3   any other error-level line
    warning     1   a warning-level line

Repeats are counted on the line with its digits and hex deleted, so "took 8423 ms" and "took
9120 ms" are one signal seen twice; its example is the latest occurrence and its duration the
longest seen.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

SignalKind = Literal["forbidden", "exception", "refused", "timeout", "slow", "error", "warning"]
WEIGHTS: dict[str, int] = {
    "forbidden": 9,
    "exception": 8,
    "refused": 7,
    "timeout": 6,
    "slow": 6,
    "error": 3,
    "warning": 1,
}
SLOW_MS = 1000.0  # an operation shorter than this is not called slow, whatever the line says
_MAX_LINE = 300

# The prefix `kubectl logs --timestamps` adds (RFC3339Nano, nine digits, UTC, one space); any
# other leading time is the application's own and stays part of the line.
_KUBELET = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z) ")
_APP_TIME = re.compile(
    r"^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)"
)
_FORBIDDEN = re.compile(
    r"(?i)\bis forbidden\b|\bforbidden:|rbac: access denied|\bcannot (get|list|watch|create|"
    r"update|patch|delete) resource\b|\b403 forbidden\b|\baccessdenied(exception)?\b|"
    r"permission denied"
)
_EXCEPTION = re.compile(
    r"Exception in thread |Caused by: |^panic: |"
    r"\b([\w$]+\.)*[A-Z]\w*(Error|Exception)\b(:|$)|(?i:\b(fatal|panic|uncaught|unhandled)\b)"
)
_REFUSED = re.compile(
    r"(?i)connection refused|econnrefused|no route to host|connection reset by peer|"
    r"could not connect|failed to connect|unable to connect|no healthy upstream"
)
_TIMEOUT = re.compile(
    r"(?i)timed out|\btime ?out (exceeded|expired|error|reached|after|while|waiting)|"
    r"\btimeout(error|exception)\b|deadline exceeded|deadline_exceeded|i/o timeout|etimedout|"
    r"(read|connect|request|gateway) timeout|context deadline"
)
# An error or warning *level*, not the word: "errors=0" or "error_rate" in a healthy line is not
# an error line. Upper-case levels, logfmt/JSON levels, klog's E/W prefix, "error:" phrases.
_ERROR = re.compile(
    r"\b(ERROR|ERR|SEVERE|CRITICAL|CRIT)\b|(?i:level=\"?(error|err|crit|critical)\b|"
    r"\"level\":\s*\"(error|err|crit|critical)\"|\b(error|failed|failure):\s)|^E\d{4} "
)
_WARNING = re.compile(
    r"\b(WARN|WARNING)\b|(?i:level=\"?warn(ing)?\b|\"level\":\s*\"warn(ing)?\")|^W\d{4} "
)
# A duration a slow-operation line states: "took 8423 ms", "duration=2.5s", "slow query: 3200ms".
_DURATION = re.compile(
    r"(?i)\b(took|slow\w*|duration|elapsed|latency|in|after|time|exceeded)\b[^0-9\n]{0,24}?"
    r"(\d+(?:\.\d+)?)\s*(ms|msec|milliseconds?|s|sec|secs|seconds?|m|min|minutes?)\b"
)
_SLOW_WORDS = re.compile(r"(?i)\b(slow\w*|took|exceeded|long[- ]running|too long)\b")
_PATTERN_TABLE = str.maketrans("", "", "0123456789abcdef")


class LogSignal(BaseModel):
    """One decisive kind of line in a log: what it is, an example, how often, how long."""

    kind: SignalKind
    weight: int
    line: str
    count: int = 1
    duration_ms: float | None = None
    last_time: str | None = None


def duration_ms(line: str) -> float | None:
    """The longest duration a line states next to a word such as took/slow/duration, in ms."""
    found = None
    for match in _DURATION.finditer(line):
        value, unit = float(match.group(2)), match.group(3).lower()
        if unit.startswith("ms") or unit.startswith("milli"):
            ms = value
        elif unit.startswith("m"):
            ms = value * 60_000
        else:
            ms = value * 1000
        found = ms if found is None else max(found, ms)
    return found


def classify(line: str) -> tuple[SignalKind, float | None] | None:
    """The kind of a log line (and the duration of a slow one), or None for an ordinary line."""
    if _FORBIDDEN.search(line):
        return "forbidden", None
    if _EXCEPTION.search(line):
        return "exception", None
    if _REFUSED.search(line):
        return "refused", None
    if _TIMEOUT.search(line):
        return "timeout", None
    took = duration_ms(line)
    if took is not None and took >= SLOW_MS and _SLOW_WORDS.search(line):
        return "slow", took
    if _ERROR.search(line):
        return "error", None
    if _WARNING.search(line):
        return "warning", None
    return None


def _split_time(line: str) -> tuple[str | None, str]:
    """The line's time (the kubelet's prefix, else the application's) and its text."""
    match = _KUBELET.match(line)
    if match:
        text = line[match.end() :]
        return match.group(1), text
    app = _APP_TIME.match(line)
    return (app.group(1) if app else None), line


def log_signals(text: str, limit: int = 5) -> list[LogSignal]:
    """The `limit` most decisive signals of a log, most decisive first (see the module doc)."""
    found: dict[str, LogSignal] = {}
    for raw in text.splitlines():
        when, line = _split_time(raw.rstrip())
        if not line.strip() or line[:1] in (" ", "\t"):
            continue  # blank, or a stack frame / code line continuing the record above
        kind = classify(line)
        if kind is None:
            continue
        name, took = kind
        key = name + line.translate(_PATTERN_TABLE)
        shown = line.strip()[:_MAX_LINE]
        signal = found.get(key)
        if signal is None:
            found[key] = LogSignal(
                kind=name, weight=WEIGHTS[name], line=shown, duration_ms=took, last_time=when
            )
            continue
        signal.count += 1
        signal.line = shown
        signal.last_time = when or signal.last_time
        if took is not None:
            signal.duration_ms = max(signal.duration_ms or 0.0, took)
    ranked = sorted(found.values(), key=lambda s: (-s.weight, -s.count))
    return ranked[:limit]
