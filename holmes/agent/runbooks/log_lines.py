"""Picking the lines of a log that explain a failure, for runbook rules to quote.

A crash-looping container's previous log usually ends with the line that says why: an
exception, a `FATAL`, a shell's `not found`. These functions rank the lines of a compacted log
(the `kubernetes_logs` tool's text) by how much they look like that line, and return the best
few in log order, so an explanation can quote them. Registered as CEL functions `error_lines`
and `decisive_line`; pure functions.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.runbooks.expressions import register

# Lines the log tool writes around the log itself, never the application's.
_TOOL_LINES = re.compile(
    r"^(logs of |== |\d+ lines read|\.\.\. \[|\(\d+ more|repeated |last \d+ lines|errors:|"
    r"most repeated|tail:|\[x\d+\]$)"
)
# A `kubectl logs --timestamps` or application time prefix, and the log tool's repeat marks.
_PREFIX = re.compile(r"^(\[?x\d+\]?\s+)?(\d{4}-\d{2}-\d{2}[T ][\d:.,]+Z?\s*)?")
_EXCEPTION = re.compile(r"^([\w.$]+\.)?[A-Z]\w*(Error|Exception|Exit|Fault)\b:?")
_SEVERE = re.compile(r"(?i)\b(fatal|panic|critical|crit|emerg|segmentation fault|core dumped)\b")
_ERROR = re.compile(r"(?i)\b(error|err|exception|traceback)\b|\bE\d{4} ")
_TELLING = re.compile(
    r"(?i)(not found|no such|cannot|can't|could not|unable|refused|denied|invalid|missing|"
    r"required|unexpected|undefined|not set|expired|timed? ?out|unknown|failed|failure|"
    r"exit(ed|ing)? (with )?(code|status)|killed|out of memory)"
)
_NOISE = re.compile(
    r"(?i)^(traceback \(most recent call last\)|\s*file \".*\", line \d+|at [\w.$]+\()"
)


def line_score(line: str) -> int:
    """How much a line looks like the one that explains a failure (0 = not at all)."""
    text = _PREFIX.sub("", line.strip())
    if not text or _TOOL_LINES.match(text) or _NOISE.match(line):
        return 0
    score = 0
    if _EXCEPTION.match(text):
        score += 5
    if _SEVERE.search(text):
        score += 4
    if _ERROR.search(text):
        score += 3
    if _TELLING.search(text):
        score += 2
    return score


def error_lines(text: Any, count: int = 3) -> list[str]:
    """The `count` most telling lines of a log, in log order, each once and stripped."""
    lines = [line.rstrip() for line in str(text or "").splitlines()]
    scored = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        key = line.strip()
        score = line_score(line)
        if score and key not in seen:
            seen.add(key)
            scored.append((score, index, key))
    # Best first; between equals the later line wins: a log's last error is its cause.
    best = sorted(scored, key=lambda item: (-item[0], -item[1]))[: int(count)]
    return [key for _, _, key in sorted(best, key=lambda item: item[1])]


def decisive_line(text: Any) -> str:
    """The single most telling line of a log ("" when no line looks like an error)."""
    lines = [line.rstrip() for line in str(text or "").splitlines()]
    best = (0, -1, "")
    for index, line in enumerate(lines):
        score = line_score(line)
        if score and (score, index) >= best[:2]:
            best = (score, index, line.strip())
    return best[2]


register("error_lines", error_lines)
register("decisive_line", decisive_line)
