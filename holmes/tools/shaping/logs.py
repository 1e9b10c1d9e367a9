"""Log compaction: a container log of any size in, a few kilobytes that keep the decisive lines out.

Called by the `kubernetes_logs` tool (and `bench/log_compaction.py`); pure functions, no I/O.
What survives, in this order of priority:

1. error-like records (error, exception, fatal, panic, failed, ... ) with their stack traces
   (Python, Java, Go), each distinct record once, with how many times it was seen;
2. the last lines of the log (what the process did just before it stopped);
3. the most repeated patterns, one example each, with their counts.

Repeats are detected on a *pattern*: the line with its digits and lower-case hex letters
deleted (one `str.translate` over the whole text, which keeps a million lines within the time
budget; a regular expression over every line does not). The pattern is never shown: examples
are always real lines. The result states how many lines were read, how many were shown and how
many were folded, and the first and last timestamps found.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# Digits and lower-case hex letters vanish from the pattern: numbers, ids, hashes and times vary
# from line to line and must not make two repeats look different.
_PATTERN_TABLE = str.maketrans("", "", "0123456789abcdef")
_IMPORTANT = re.compile(
    r"(?i)\b(error|errors|err|exception|fatal|panic|panicked|traceback|critical|crit|"
    r"fail|failed|failure|killed|oom|oomkilled|segfault|segmentation|abort|aborted|"
    r"denied|refused|unreachable|timeout|timed out|cannot|can't|could not|unable|"
    r"invalid|not found|no such|missing|unexpected|undefined|required|exited|exiting|"
    r"stackoverflowerror|outofmemoryerror|nccl warn|xid)\b"
)
# A line opening with a time: RFC 3339 (with T or space), bracketed, klog (I0318 14:16:00.1),
# logfmt time="...", or syslog-like "Mar 18 14:16:00".
_STAMP = re.compile(
    r"^\[?(?:time=\"?)?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
    r"|^[IWEF](\d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?)"
)
# The prefix `kubectl logs --timestamps` adds: RFC3339Nano with nine digits, UTC, then a space.
_KUBELET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z ")
_KUBELET_WIDTH = 31
# Continuations of a record in a log whose lines carry no time: stack frames and trace lines.
_CONTINUATION = re.compile(
    r"^(\s|Caused by:|\.\.\. \d+ (more|common)|During handling|The above exception|"
    r"goroutine \d+ |created by |[\w$.]+\(.*\)$|[\w.]+(Error|Exception|Exit|Interrupt)\b)"
)
_MAX_LINE = 400  # characters of one shown line; a JSON blob on one line must not eat the budget
_MAX_RECORD_LINES = 24  # lines of one shown record (a stack trace): head and tail kept
_MAX_RECORD_SCAN = 50_000  # lines one record may span (deep recursion traces run to thousands)


@dataclass
class Record:
    """A log record: a head line and its continuation lines (a stack trace), by line index."""

    start: int
    end: int  # exclusive
    count: int = 1
    last: int = 0


@dataclass
class CompactLog:
    """The compacted log and the figures that say how much was left out."""

    text: str
    lines_read: int
    lines_shown: int
    lines_folded: int
    patterns: int
    error_records: int
    first_time: str | None
    last_time: str | None
    truncated: bool = False
    errors_not_shown: int = 0
    notes: list[str] = field(default_factory=list)


def compact_log(text: str, max_chars: int = 4000, tail: int = 15) -> CompactLog:
    """Compact `text` to at most `max_chars` characters (see the module docstring)."""
    text = text.removesuffix("\n")
    lines, times = _strip_kubelet_prefix(text.split("\n"))
    if not text:
        return CompactLog("(empty log: 0 lines)", 0, 0, 0, 0, 0, None, None)
    # One translate over the whole text is what keeps a million lines within the time budget.
    keys = ("\n".join(lines) if times else text).translate(_PATTERN_TABLE).split("\n")
    counts = Counter(keys)
    dated = _is_dated(lines)
    first = first_indexes(keys)
    records = _error_records(lines, keys, first, dated)
    first_time, last_time = _first_time(lines, times), _last_time(lines, times)
    whole = "\n".join(_clip(line) for line in lines)
    if len(whole) + 200 <= max_chars:
        header = f"{len(lines)} lines read ({_size(len(text))}), {_when(first_time, last_time)}"
        return CompactLog(
            text=f"{header}; shown in full:\n{whole}",
            lines_read=len(lines),
            lines_shown=len(lines),
            lines_folded=0,
            patterns=len(counts),
            error_records=len(records),
            first_time=first_time,
            last_time=last_time,
        )
    shown: set[int] = set()
    # The header's counts are not known yet; its size with the largest possible ones is.
    widest = _header(
        len(lines), len(text), len(lines), len(lines), len(counts), first_time, last_time
    )
    budget = max_chars - len(widest) - 1
    errors_text, errors_left = _render_errors(lines, keys, records, budget * 13 // 20, shown)
    # What the errors leave goes to the tail, keeping a tenth for the repeated patterns.
    tail_text = _render_tail(lines, keys, tail, budget * 9 // 10 - len(errors_text), shown)
    patterns_text = _render_patterns(
        lines, counts, first, budget - len(errors_text) - len(tail_text), shown
    )
    shown_by_key = Counter(keys[index] for index in shown)
    folded = sum(n - shown_by_key[key] for key, n in counts.items() if n > 1)
    header = _header(len(lines), len(text), len(shown), folded, len(counts), first_time, last_time)
    sections = [header, errors_text, tail_text, patterns_text]
    body = "\n".join(section for section in sections if section)
    return CompactLog(
        text=body[:max_chars],
        lines_read=len(lines),
        lines_shown=len(shown),
        lines_folded=folded,
        patterns=len(counts),
        error_records=len(records),
        first_time=first_time,
        last_time=last_time,
        truncated=len(body) > max_chars,
        errors_not_shown=errors_left,
    )


def _strip_kubelet_prefix(lines: list[str]) -> tuple[list[str], list[str] | None]:
    """Split the `--timestamps` prefix off every line when the log carries it."""
    if not lines or not _KUBELET.match(lines[0]):
        return lines, None
    times = [line[: _KUBELET_WIDTH - 1] if _KUBELET.match(line) else "" for line in lines]
    stripped = [
        line[_KUBELET_WIDTH:] if time else line for line, time in zip(lines, times, strict=True)
    ]
    return stripped, times


def _is_dated(lines: list[str]) -> bool:
    """Whether the log's lines open with a time (then an undated line continues the one above).

    Stack traces can outnumber dated lines, so a fifth of dated lines is enough when the log
    opens with one."""
    sample = [line for line in lines[:200] if line.strip()]
    if not sample or not _STAMP.match(sample[0]):
        return False
    return sum(1 for line in sample if _STAMP.match(line)) * 5 >= len(sample)


def line_time(line: str) -> str | None:
    """The time that opens a line, as written, or None."""
    match = _STAMP.match(line)
    return (match.group(1) or match.group(2)) if match else None


def _first_time(lines: list[str], times: list[str] | None) -> str | None:
    if times:
        return next((t for t in times if t), None)
    return next((t for t in map(line_time, lines[:1000]) if t), None)


def _last_time(lines: list[str], times: list[str] | None) -> str | None:
    if times:
        return next((t for t in reversed(times) if t), None)
    return next((t for t in map(line_time, reversed(lines[-1000:])) if t), None)


def _error_records(
    lines: list[str], keys: list[str], first: dict[str, int], dated: bool
) -> list[Record]:
    """Distinct error-like records (with their traces), in order of first appearance."""
    important = {key for key, index in first.items() if _IMPORTANT.search(lines[index])}
    seen: dict[tuple[str, ...], Record] = {}
    covered = -1
    for index, key in enumerate(keys):
        if key not in important or index < covered:
            continue
        start, end = _record_bounds(lines, index, dated)
        covered = end
        identity = tuple(keys[start:end])
        record = seen.get(identity)
        if record is None:
            seen[identity] = Record(start, end, last=start)
        else:
            record.count += 1
            record.last = start
    return list(seen.values())


def first_indexes(keys: list[str]) -> dict[str, int]:
    """The index of the first line of each pattern (built in C: the last write wins)."""
    return dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))


def _record_bounds(lines: list[str], index: int, dated: bool) -> tuple[int, int]:
    """The record around line `index`: back to its head, forward over its continuations."""
    start = index
    while start > 0 and _continues(lines[start], dated) and index - start < 200:
        start -= 1
    end = index + 1
    while end < len(lines) and _continues(lines[end], dated) and end - start < _MAX_RECORD_SCAN:
        end += 1
    return start, end


def _continues(line: str, dated: bool) -> bool:
    """Whether a line belongs to the record above it (a stack frame, a wrapped message)."""
    if dated:
        return bool(line.strip()) and not _STAMP.match(line)
    return bool(_CONTINUATION.match(line))


def _clip(line: str, width: int = _MAX_LINE) -> str:
    return line if len(line) <= width else line[:width] + f"... [{len(line)} chars]"


def _render_errors(
    lines: list[str], keys: list[str], records: list[Record], budget: int, shown: set[int]
) -> tuple[str, int]:
    """The error records, each once, within `budget` characters; returns the text and how many
    records did not fit. A record too long for what is left keeps its head and its last lines
    (a Python traceback ends with the exception, a Java one starts with it)."""
    if not records:
        return "", 0
    out = [f"error-like records ({len(records)} distinct, in order of first appearance):"]
    used = len(out[0])
    for number, record in enumerate(records):
        room = budget - used - 45  # keep room for the "more records" note
        if room < 60:
            left = len(records) - number
            out.append(f"[{left} more error-like records not shown]")
            return "\n".join(out), left
        block = _render_record(lines, keys, record, room, shown)
        out.append(block)
        used += len(block) + 1
    return "\n".join(out), 0


def _render_record(
    lines: list[str], keys: list[str], record: Record, budget: int, shown: set[int]
) -> str:
    """One record: its head line numbered, its continuation lines indented, within `budget`."""
    folded = _fold_repeats(keys, range(record.start, record.end))
    rendered: list[tuple[int, str]] = []
    for position, (index, repeats) in enumerate(folded):
        prefix = f"L{index + 1}: " if position == 0 else "      "
        suffix = f"  [line repeated {repeats} times]" if repeats > 1 else ""
        # A tight budget shortens lines rather than dropping them: their start says most.
        width = max(100, min(_MAX_LINE, budget // 3))
        rendered.append((index, prefix + _clip(lines[index], width) + suffix))
    if record.count > 1:
        index, head = rendered[0]
        rendered[0] = (index, f"{head} [seen {record.count} times, last at line {record.last + 1}]")
    keep = _fit(rendered, budget)
    out = []
    for position, (index, line) in enumerate(rendered):
        if position in keep:
            shown.add(index)
            out.append(line if len(line) <= budget else line[: max(0, budget - 20)] + "...")
        elif position - 1 in keep:
            gap = next((p for p in range(position, len(rendered)) if p in keep), len(rendered))
            out.append(f"      [... {gap - position} trace lines left out ...]")
    return "\n".join(out)


def _fit(rendered: list[tuple[int, str]], budget: int) -> set[int]:
    """Positions to show within `budget`: the head, the last line, error-like lines (latest
    first), then the other lines from the end (a Python traceback ends with the exception)."""
    last = len(rendered) - 1
    errors = [p for p in range(last - 1, 0, -1) if _IMPORTANT.search(rendered[p][1])]
    others = [p for p in range(last - 1, 0, -1) if p not in set(errors)]
    keep: set[int] = set()
    used = 50  # the "lines left out" marker
    for position in dict.fromkeys([0, last, *errors, *others]):
        size = len(rendered[position][1]) + 1
        if keep and (used + size > budget or len(keep) >= _MAX_RECORD_LINES):
            continue
        keep.add(position)
        used += size
    return keep


def _fold_repeats(keys: list[str], indexes: range) -> list[tuple[int, int]]:
    """Consecutive lines with one pattern become (first index, how many)."""
    folded: list[tuple[int, int]] = []
    for index in indexes:
        if folded and keys[folded[-1][0]] == keys[index]:
            folded[-1] = (folded[-1][0], folded[-1][1] + 1)
        else:
            folded.append((index, 1))
    return folded


def _render_tail(lines: list[str], keys: list[str], tail: int, budget: int, shown: set[int]) -> str:
    start = max(0, len(lines) - tail)
    out = [f"last {len(lines) - start} lines (lines shown above are not repeated):"]
    used = len(out[0])
    for index, repeats in _fold_repeats(keys, range(start, len(lines))):
        if index in shown:
            continue
        number = f"L{index + 1}-L{index + repeats}" if repeats > 1 else f"L{index + 1}"
        suffix = f"  [x{repeats} similar]" if repeats > 1 else ""
        line = f"{number}: {_clip(lines[index])}{suffix}"
        if used + len(line) > budget:
            if len(out) == 1:
                return ""  # not one tail line fits: no section at all
            out.append("[rest of the tail cut to fit]")
            break
        out.append(line)
        used += len(line) + 1
        shown.update(range(index, index + repeats))
    return "\n".join(out)


def _render_patterns(
    lines: list[str], counts: Counter[str], first: dict[str, int], budget: int, shown: set[int]
) -> str:
    repeated = [(key, n) for key, n in counts.most_common(50) if n > 1]
    if not repeated or budget < 100:
        return ""
    out = [f"most repeated patterns ({sum(1 for n in counts.values() if n > 1)} in all):"]
    used = len(out[0])
    for listed, (key, n) in enumerate(repeated):
        line = f"x{n}: {_clip(lines[first[key]])}"
        if used + len(line) > budget:
            out.append(f"[{len(repeated) - listed} more patterns not shown]")
            break
        out.append(line)
        used += len(line) + 1
        shown.add(first[key])
    return "\n".join(out)


def _header(
    read: int,
    size: int,
    shown: int,
    folded: int,
    patterns: int,
    first: str | None,
    last: str | None,
) -> str:
    return (
        f"{read} lines read ({_size(size)}), {_when(first, last)}\n"
        f"{shown} lines shown; {folded} repeated lines folded ({patterns} distinct patterns); "
        f"{max(0, read - shown - folded)} other lines left out"
    )


def _when(first: str | None, last: str | None) -> str:
    return f"first timestamp {first}, last {last}" if first else "no timestamps in the log"


def _size(chars: int) -> str:
    if chars >= 1_000_000:
        return f"{chars / 1_000_000:.1f} MB"
    if chars >= 1000:
        return f"{chars / 1000:.1f} KB"
    return f"{chars} B"
