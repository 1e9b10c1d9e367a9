"""Per-series summaries: what a time series did over a window, in a few facts a reader can use.

Pure functions over `(unix seconds, value)` points, no I/O and no clock of their own: the caller
passes the window and "now". The Prometheus range tool summarises every series it gets with
`summarize` and renders it with `describe`; the GPU health tool uses the change detection to say
when an Xid code appeared. Label helpers compact label sets that repeat across series.

A summary keeps first/last/min/max/mean, the notable changes (a step between levels or a jump,
with the values before and after and when) and the gaps (no sample for more than one step and a
half, including a series that stopped before the window's end). Counters that climb by a little
at every step are not "changes": only deltas that are a large part of the series' range are.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import pairwise

from pydantic import BaseModel, Field

Point = tuple[float, float]

# A delta is a notable jump when it spans at least this share of the series' whole range.
JUMP_SHARE = 0.3
# Labels that only identify hardware or objects; left out when the others still tell apart.
IDENTITY_LABELS = ("UUID", "uuid", "gpu_uuid", "pci_bus_id", "device", "pod_uid", "uid", "id")
# Labels a reader looks for first, in this order; the rest follow alphabetically.
_LEADING_LABELS = (
    "__name__", "namespace", "pod_namespace", "pod", "pod_name", "container", "container_name",
    "node", "Hostname", "hostname", "instance", "job", "gpu",
)  # fmt: skip


class Change(BaseModel):
    """A move between consecutive samples: `before` -> `after`, first seen at `at`."""

    at: float
    before: float
    after: float
    after_gap: bool = Field(False, description="The two samples are separated by a gap.")


class Gap(BaseModel):
    """A stretch without samples; `end` None means none came until the window's end."""

    start: float
    end: float | None = None
    leading: bool = Field(False, description="The series had no sample before `end`.")


class Trend(BaseModel):
    """A climb or a fall made of many small moves in one direction (a ramp, a counter)."""

    start: float = Field(description="Time of the first move.")
    end: float = Field(description="Time of the last move.")
    before: float
    after: float
    moves: int


class SeriesSummary(BaseModel):
    """What one series did over a window."""

    labels: dict[str, str] = Field(default_factory=dict)
    count: int = 0
    first: float | None = None
    last: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    first_at: float | None = None
    last_at: float | None = None
    changes: list[Change] = Field(default_factory=list)
    changes_total: int = Field(0, description="How many consecutive samples differ at all.")
    large_changes_total: int = Field(0, description="How many of those are notable jumps.")
    trend: Trend | None = None
    gaps: list[Gap] = Field(default_factory=list)
    non_finite: int = Field(0, description="NaN/Inf samples, left out of the statistics.")

    @property
    def flat(self) -> bool:
        """True when every finite sample has the same value."""
        return self.count > 0 and self.minimum == self.maximum

    @property
    def stopped(self) -> bool:
        """True when the series has no sample at the window's end."""
        return any(gap.end is None for gap in self.gaps)

    def interest(self) -> float:
        """How much a reader should see this series first: stops, big changes, gaps."""
        score = 3.0 if self.stopped else 0.0
        score += 1.0 if self.gaps else 0.0
        if self.trend is not None:
            scale = max(abs(self.trend.before), abs(self.trend.after)) or 1.0
            score += min(abs(self.trend.after - self.trend.before) / scale, 1.0)
        return score + 2.0 * max((_relative(change) for change in self.changes), default=0.0)


def _relative(change: Change) -> float:
    """A change's size relative to its values, capped at 1 (0 -> 79 is 1, 100 -> 97 is 0.03)."""
    scale = max(abs(change.before), abs(change.after)) or 1.0
    return min(abs(change.after - change.before) / scale, 1.0)


def summarize(
    points: Sequence[Point],
    *,
    start: float,
    end: float,
    step: float,
    labels: Mapping[str, str] | None = None,
    max_changes: int = 3,
) -> SeriesSummary:
    """Summarise a series sampled every `step` seconds over [start, end]."""
    finite = [(t, v) for t, v in points if math.isfinite(v)]
    summary = SeriesSummary(labels=dict(labels or {}), non_finite=len(points) - len(finite))
    summary.gaps = find_gaps([t for t, _ in points], start=start, end=end, step=step)
    if not finite:
        return summary
    values = [v for _, v in finite]
    summary.count = len(finite)
    summary.first, summary.last = values[0], values[-1]
    summary.first_at, summary.last_at = finite[0][0], finite[-1][0]
    summary.minimum, summary.maximum = min(values), max(values)
    summary.mean = statistics.fmean(values)
    moves = _moves(finite, step)
    summary.changes_total = len(moves)
    large = _large(moves, summary.maximum - summary.minimum)
    summary.large_changes_total = len(large)
    chosen = moves if len(moves) <= max_changes else large
    if len(chosen) > max_changes:
        chosen = sorted(chosen, key=lambda c: abs(c.after - c.before))[-max_changes:]
    summary.changes = sorted(chosen, key=lambda c: c.at)
    if len(moves) > max_changes and len({c.after > c.before for c in moves}) == 1:
        summary.trend = Trend(
            start=moves[0].at,
            end=moves[-1].at,
            before=moves[0].before,
            after=moves[-1].after,
            moves=len(moves),
        )
    return summary


def last_change(points: Sequence[Point], step: float) -> Change | None:
    """The latest move between finite samples: when the current value started, and from what."""
    moves = _moves([(t, v) for t, v in points if math.isfinite(v)], step)
    return moves[-1] if moves else None


def _moves(points: Sequence[Point], step: float) -> list[Change]:
    return [
        Change(at=t, before=prev, after=v, after_gap=t - prev_t > 1.5 * step)
        for (prev_t, prev), (t, v) in pairwise(points)
        if v != prev
    ]


def _large(moves: list[Change], spread: float) -> list[Change]:
    return [c for c in moves if abs(c.after - c.before) >= JUMP_SHARE * spread]


def find_gaps(times: Sequence[float], *, start: float, end: float, step: float) -> list[Gap]:
    """Stretches longer than 1.5 steps without a sample, at the start, inside and at the end."""
    slack = 1.5 * step
    if not times:
        return [Gap(start=start, end=None, leading=True)]
    gaps = []
    if times[0] - start > slack:
        gaps.append(Gap(start=start, end=times[0], leading=True))
    gaps.extend(
        Gap(start=before, end=after) for before, after in pairwise(times) if after - before > slack
    )
    if end - times[-1] > slack:
        gaps.append(Gap(start=times[-1], end=None))
    return gaps


def describe(summary: SeriesSummary, *, now: datetime, unit: str | None = None) -> list[str]:
    """Lines for a summary: statistics, then each change and gap with its time."""

    def num(value: float | None) -> str:
        return "no value" if value is None else format_number(value, unit)

    if summary.count == 0 and summary.non_finite:
        head = f"only NaN or no-data values ({summary.non_finite} samples)"
    elif summary.count == 0:
        return ["no samples in the window"]
    elif summary.flat:
        head = f"steady at {num(summary.last)} ({summary.count} points)"
    else:
        head = (
            f"last {num(summary.last)}, first {num(summary.first)}, min {num(summary.minimum)}, "
            f"max {num(summary.maximum)}, mean {num(summary.mean)} ({summary.count} points)"
        )
    if summary.count and summary.non_finite:
        head += f"; {summary.non_finite} NaN or no-data samples left out"
    lines = [head]
    if summary.trend is not None:
        trend = summary.trend
        verb = "rose" if trend.after > trend.before else "fell"
        lines.append(
            f"{verb} from {num(trend.before)} to {num(trend.after)} between "
            f"{format_time(trend.start, now)} and {format_time(trend.end, now)} "
            f"in {trend.moves} moves"
        )
    for change in summary.changes:
        across = " (across a gap)" if change.after_gap else ""
        lines.append(
            f"{num(change.before)} -> {num(change.after)} at {format_time(change.at, now)}{across}"
        )
    hidden = summary.large_changes_total - len(summary.changes)
    if hidden > 0:
        lines.append(f"{hidden} more large changes not shown (the largest are)")
    lines.extend(_describe_gap(gap, now) for gap in summary.gaps)
    return lines


def _describe_gap(gap: Gap, now: datetime) -> str:
    if gap.end is None and not gap.leading:
        return f"no samples since {format_time(gap.start, now)}"
    if gap.leading:
        if gap.end is None:
            return "no samples in the window"
        return f"no samples before {format_time(gap.end, now)}"
    return f"no samples from {format_time(gap.start, now)} to {format_time(gap.end, now)}"


def format_time(timestamp: float, now: datetime) -> str:
    """`14:22:00Z (10m ago)` on now's day, the full RFC 3339 time otherwise."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    same_day = moment.date() == now.astimezone(UTC).date()
    stamp = moment.strftime("%H:%M:%SZ" if same_day else "%Y-%m-%dT%H:%M:%SZ")
    return f"{stamp} ({format_age(now.timestamp() - timestamp)})"


def format_age(seconds: float) -> str:
    """`45s ago`, `10m ago`, `2h05m ago`, `3d ago`; `in 5m` for a time after now."""
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 90:
        text = f"{round(seconds)}s"
    elif seconds < 5400:
        text = f"{round(seconds / 60)}m"
    elif seconds < 172800:
        hours, minutes = divmod(round(seconds / 60), 60)
        text = f"{hours}h{minutes:02d}m"
    else:
        text = f"{round(seconds / 86400)}d"
    return f"in {text}" if future else f"{text} ago"


_BINARY = (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10))


def format_number(value: float, unit: str | None = None) -> str:
    """A value with its unit: `97%`, `71 °C`, `74210 MiB`, `1.5 GiB`, `0.25 s`, `1.234e+09`."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    if unit == "bytes":
        for name, size in _BINARY:
            if abs(value) >= size:
                return f"{_plain(value / size)} {name}"
        return f"{_plain(value)} B"
    text = _plain(value)
    if unit is None:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _plain(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1e6 or abs(value) < 1e-3:
        return f"{value:.4g}"
    return f"{value:.4f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"{value:.4g}"


def common_labels(label_sets: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Labels with one value in every series (all of them for a single series)."""
    if not label_sets:
        return {}
    first = label_sets[0]
    return {
        key: value
        for key, value in first.items()
        if value and all(labels.get(key) == value for labels in label_sets[1:])
    }


def redundant_identity_labels(label_sets: Sequence[Mapping[str, str]]) -> list[str]:
    """Identity labels (UUID, pci_bus_id...) that can go: the rest still tells series apart."""
    kept = [dict(labels) for labels in label_sets]
    dropped = []
    for name in IDENTITY_LABELS:
        if not any(name in labels for labels in kept):
            continue
        trial = [{k: v for k, v in labels.items() if k != name} for labels in kept]
        if len({tuple(sorted(labels.items())) for labels in trial}) == len(kept):
            kept, dropped = trial, [*dropped, name]
    return dropped


def format_labels(labels: Mapping[str, str], *, omit: Iterable[str] = ()) -> str:
    """`name{a="b",c="d"}` in PromQL form, empty values and `omit` left out, key labels first."""
    skip = set(omit)
    name = "" if "__name__" in skip else labels.get("__name__", "")
    pairs = [(k, v) for k, v in labels.items() if v and k != "__name__" and k not in skip]
    pairs.sort(key=lambda kv: (_rank(kv[0]), kv[0]))
    inner = ",".join(f'{key}="{value}"' for key, value in pairs)
    if not inner:
        return name or "{}"
    return f"{name}{{{inner}}}"


def _rank(label: str) -> int:
    return _LEADING_LABELS.index(label) if label in _LEADING_LABELS else len(_LEADING_LABELS)
