"""Picking the lines of a log that explain a failure, for runbook rules to quote.

A crash-looping container's previous log usually ends with the line that says why: an
exception, a `FATAL`, a shell's `not found`. These functions rank the lines of a compacted log
(the `kubernetes_logs` tool's text) by how much they look like that line, and return the best
few in log order, so an explanation can quote them. `decisive_record` adds the detail lines
that complete the decisive one (a validation error's field and message, the line after a
header that ends with a colon). `log_section` picks the previous (crashed) instance's part of
the tool's text; `log_matches` the lines a pattern finds, in log order. Registered as CEL
functions `error_lines`, `decisive_line`, `decisive_record`, `log_section` and `log_matches`;
pure functions.
"""

from __future__ import annotations

import re
from typing import Any

# Lines the log tool writes around the log itself, never the application's.
_TOOL_LINES = re.compile(
    r"^(logs of |== |\d+ lines read|\.\.\. \[|\[\.\.\. |\(\d+ more|repeated |last \d+ lines|"
    r"errors:|error records|error-like records|most repeated|tail:|\d+ lines shown|\[x\d+\]$)"
)
# The marks the log tool puts around a shown line: `L12: `, `L3-L5: `, `x19: `, `[x2 similar]`.
_MARKS = re.compile(r"^(L\d+(-L\d+)?: |x\d+: )|\s+\[x\d+ similar\]$")
# A `kubectl logs --timestamps` or application time prefix, and the log tool's repeat marks.
_PREFIX = re.compile(r"^(\[?x\d+\]?\s+)?(\d{4}-\d{2}-\d{2}[T ][\d:.,]+Z?\s*)?")
_STAMPED = re.compile(
    r"^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|^[IWEF]\d{4} \d{2}:|^[A-Z]+ \d\d-\d\d "
)
# curl's progress meter, which runs into the error message on the same line.
_PROGRESS = re.compile(r"^.*--:--:--\s+\d+\s*(?=\S)")
_EXCEPTION = re.compile(
    r"^(Exception in thread \"[^\"]*\" |Caused by: |Error: )?([\w$]+\.)*[A-Z]\w*"
    r"(Error|Exception|Exit|Fault|Overflow)\b:?"
)
_SEVERE = re.compile(r"(?i)\b(fatal|panic|critical|crit|emerg|segmentation fault|core dumped)\b")
_ERROR = re.compile(r"(?i)\b(error|err|exception|traceback)\b|\bE\d{4} ")
_TELLING = re.compile(
    r"(?i)(not found|no such|cannot|can't|could not|unable|refused|denied|invalid|missing|"
    r"required|unexpected|undefined|not set|expired|timed? ?out|unknown|failed|failure|"
    r"killed|out of memory|syntax error|no available)"
)
# A line that only announces the exit the cause led to ("..., exiting with status 1").
_CONSEQUENCE = re.compile(r"(?i)\b(exit(ed|ing)?( with)? (code|status)|shutting down|aborting)\b")
_NOISE = re.compile(
    r"(?i)^(traceback \(most recent call last\)|\s*file \".*\", line \d+|\s*at [\w.$<>]+\(|"
    r"\s*\^+\s*$|\s*for further information visit )"
)
_MAX_DETAIL = 3  # detail lines a decisive record takes after its head
_MAX_QUOTE = 400  # characters of one quoted record


def clean_line(line: str) -> str:
    """A shown log line without the log tool's marks and curl's progress meter, stripped."""
    text = _MARKS.sub("", line.strip())
    return _PROGRESS.sub("", text).strip()


def line_score(line: str) -> int:
    """How much a line looks like the one that explains a failure (0 = not at all)."""
    if _NOISE.match(line):
        return 0
    text = _PREFIX.sub("", clean_line(line))
    if not text or _TOOL_LINES.match(text) or _NOISE.match(text):
        return 0
    score = 0
    if _EXCEPTION.match(text):
        score += 5
        if text.startswith("Caused by: "):
            score += 1  # the innermost cause of a Java trace
    if _SEVERE.search(text):
        score += 4
    if _ERROR.search(text):
        score += 3
    if _TELLING.search(text):
        score += 2
    if score and _CONSEQUENCE.search(text):
        score = max(1, score - 3)
    return score


def _lines(text: Any) -> list[str]:
    return [line.rstrip() for line in str(text or "").splitlines()]


def error_lines(text: Any, count: int = 3) -> list[str]:
    """The `count` most telling lines of a log, in log order, each once and cleaned."""
    scored = []
    seen: set[str] = set()
    for index, line in enumerate(_lines(text)):
        key = clean_line(line)
        score = line_score(line)
        if score and key not in seen:
            seen.add(key)
            scored.append((score, index, key))
    # Best first; between equals the later line wins: a log's last error is its cause.
    best = sorted(scored, key=lambda item: (-item[0], -item[1]))[: int(count)]
    return [key for _, _, key in sorted(best, key=lambda item: item[1])]


def _decisive_index(lines: list[str]) -> int:
    best = (0, -1)
    for index, line in enumerate(lines):
        score = line_score(line)
        if score and (score, index) >= best:
            best = (score, index)
    return best[1]


def decisive_line(text: Any) -> str:
    """The single most telling line of a log ("" when no line looks like an error)."""
    lines = _lines(text)
    index = _decisive_index(lines)
    return clean_line(lines[index]) if index >= 0 else ""


def decisive_record(text: Any) -> str:
    """The decisive line with the detail lines that complete it, joined by ' / '.

    Detail lines follow the head without a time of their own (in a log whose lines carry
    one), or are indented, or follow a head that ends with a colon; stack frames, code excerpts
    and documentation links are skipped. "" when no line looks like an error.
    """
    lines = _lines(text)
    index = _decisive_index(lines)
    if index < 0:
        return ""
    head = clean_line(lines[index])
    stamped = sum(1 for line in lines if _STAMPED.match(_MARKS.sub("", line.strip())))
    dated = stamped * 4 >= sum(1 for line in lines if line_score(line) >= 0 and line.strip())
    parts = [head]
    for line in lines[index + 1 :]:
        shown = _MARKS.sub("", line.strip())
        if len(parts) > _MAX_DETAIL or not shown or _TOOL_LINES.match(shown):
            break
        if _NOISE.match(line) or _NOISE.match(shown):
            continue
        if _STAMPED.match(shown):
            break
        indented = line[:1] in (" ", "\t")
        if not (dated or indented or parts[-1].endswith(":")):
            break
        if line_score(line) >= line_score(lines[index]) and not parts[-1].endswith(":"):
            break  # a record of its own, as telling as the head
        parts.append(clean_line(line))
    record = " / ".join(parts)
    return record if len(record) <= _MAX_QUOTE else record[: _MAX_QUOTE - 3] + "..."


def log_section(text: Any, which: str = "previous") -> str:
    """One instance's part of a `kubernetes_logs` text (`previous` or `current`).

    The previous (crashed) instance's section when it holds a log, else the current one's, else
    the whole text: a container that never restarted has only its current log.
    """
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in _lines(text):
        match = re.match(r"^== (previous|current) instance", line)
        if match:
            current = match.group(1)
            sections[current] = [line]
        elif current:
            sections[current].append(line)
    order = [which] + [k for k in ("previous", "current") if k != which]
    for key in order:
        body = sections.get(key, [])
        if len(body) > 1 and "no log available" not in body[0]:
            return "\n".join(body)
    return str(text or "")


def log_matches(text: Any, pattern: str) -> list[str]:
    """The log lines matching `pattern` (case-insensitive), cleaned, in log order, each once.

    The log tool's own lines and its "most repeated patterns" digest (examples out of log
    order) are left out, so the last match is the latest one the log shows.
    """
    regex = re.compile(pattern, re.IGNORECASE)
    found: list[str] = []
    digest = False
    for line in _lines(text):
        if line.startswith("most repeated patterns"):
            digest = True
        elif line.startswith("== "):
            digest = False
        shown = clean_line(line)
        if digest or not shown or _TOOL_LINES.match(shown) or not regex.search(shown):
            continue
        if shown not in found:
            found.append(shown)
    return found


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "error_lines": error_lines,
    "log_matches": log_matches,
    "decisive_line": decisive_line,
    "decisive_record": decisive_record,
    "log_section": log_section,
}
