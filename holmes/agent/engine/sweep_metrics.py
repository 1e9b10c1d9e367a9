"""The sweep's metrics part: CPU throttling against the container's CPU limit and memory working
set against its memory limit, from cAdvisor series in Prometheus.

Throttling is the rate ratio `container_cpu_cfs_throttled_periods_total` /
`container_cpu_cfs_periods_total` over 5 minutes: the share of CFS periods in which the container
hit its quota. It is judged at its worst 5 minutes over the question's window (a range query of
the ratio), so an episode half an hour ago that the question asks about is seen, with when it
peaked. It is a fault signal when a quarter or more of the periods are throttled; "at its
limit" when the container also used 80% or more of its limit at that peak (usage from
`container_cpu_usage_seconds_total`, same range). Memory is near its limit at 90% of it. The
maths are pure functions (`throttling`, `memory_pressure`), tested alone; `sweep_metrics` runs
the three queries in parallel through the gatherer. Called by `sweep.py` only when Prometheus
is configured.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.sweep_facts import Remedy, SweepPart, SweepSignal, window_text
from holmes.tools import ToolResult
from holmes.tools.facts.quantities import format_bytes

THROTTLED_SHARE = 0.25  # of CFS periods throttled: above this, latency suffers visibly
AT_LIMIT = 0.8  # of the CPU limit in use: the throttling comes from the limit itself
MEMORY_NEAR = 0.9  # of the memory limit in use
Key = tuple[str, str]  # (pod, container)
Points = Sequence[Sequence[float]]  # (unix seconds, value), time order


@dataclass
class CpuThrottle:
    """One container's CPU throttling against its limit."""

    pod: str
    container: str
    share: float  # of CFS periods throttled
    usage_cores: float | None
    limit_cores: float
    at: float | None = None  # unix seconds of the worst 5 minutes' end

    @property
    def at_limit(self) -> bool:
        """Whether the container uses most of its limit (not only bursts into it)."""
        return self.usage_cores is not None and self.usage_cores >= AT_LIMIT * self.limit_cores


@dataclass
class MemoryPressure:
    """One container's memory working set against its limit."""

    pod: str
    container: str
    working_set: float
    limit: float

    @property
    def share(self) -> float:
        """The working set as a share of the limit."""
        return self.working_set / self.limit


def peak(points: Points) -> tuple[float, float] | None:
    """The (time, value) of a series' highest finite point; None when it has none."""
    finite = [(float(t), float(v)) for t, v in points if math.isfinite(float(v))]
    return max(finite, key=lambda p: (p[1], p[0])) if finite else None


def value_at(points: Points, at: float) -> float | None:
    """The series' last finite value at or before `at` (the first one when none is before)."""
    finite = [(float(t), float(v)) for t, v in points if math.isfinite(float(v))]
    before = [v for t, v in finite if t <= at]
    return before[-1] if before else (finite[0][1] if finite else None)


def throttling(
    shares: dict[Key, Points], usage: dict[Key, Points], limits: dict[Key, float]
) -> list[CpuThrottle]:
    """The containers throttled in THROTTLED_SHARE or more of their periods at their worst
    5 minutes of the window, worst first.

    `shares` is the throttled/total CFS periods ratio over time, `usage` the CPU use in cores
    over the same window, `limits` the CPU limits in cores (a container without one has no CFS
    quota and is never throttled). Usage is read at the peak's time."""
    found = []
    for key, points in shares.items():
        limit, worst = limits.get(key), peak(points)
        if not limit or worst is None or worst[1] < THROTTLED_SHARE:
            continue
        used = value_at(usage.get(key) or [], worst[0])
        found.append(CpuThrottle(key[0], key[1], worst[1], used, limit, worst[0]))
    return sorted(found, key=lambda t: -t.share)


def memory_pressure(working: dict[Key, float], limits: dict[Key, float]) -> list[MemoryPressure]:
    """The containers whose working set is MEMORY_NEAR of their memory limit or more."""
    found = [
        MemoryPressure(key[0], key[1], value, limits[key])
        for key, value in working.items()
        if limits.get(key) and value >= MEMORY_NEAR * limits[key]
    ]
    return sorted(found, key=lambda m: -m.share)


def _selector(namespace: str, pods: list[str]) -> str:
    # Pod names are RFC 1123 subdomains: nothing to escape but `.`, which matches itself too.
    names = "|".join(pods)
    return f'namespace="{namespace}",pod=~"{names}",container!="",container!="POD"'


def _points_by_key(result: ToolResult) -> dict[Key, Points]:
    series = (result.data or {}).get("series") or [] if result.ok else []
    return {
        (s["labels"].get("pod", ""), s["labels"].get("container", "")): s.get("points") or []
        for s in series
    }


def _by_key(result: ToolResult) -> dict[Key, float]:
    series = (result.data or {}).get("series") or [] if result.ok else []
    return {
        (s["labels"].get("pod", ""), s["labels"].get("container", "")): float(s["value"])
        for s in series
    }


async def sweep_metrics(
    gatherer: Gatherer,
    namespace: str,
    cpu_limits: dict[Key, float],
    memory_limits: dict[Key, float],
    window: float = 3600.0,
) -> SweepPart:
    """Signals of CPU throttling (its worst 5 minutes in the last `window` seconds) and memory
    pressure of the given containers (by their limits)."""
    pods = sorted({pod for pod, _ in [*cpu_limits, *memory_limits]})
    part = SweepPart()
    if not pods:
        return part
    where = _selector(namespace, pods)
    by = "sum by (pod, container)"
    # The ratio's range over the question's window, raw: its peak and when (1m steps, at most
    # ~120 points a series); usage over the same window is read at that peak.
    over = {"since": window_text(window), "step": window_text(max(60.0, window / 120)), "raw": True}
    share = (
        f"{by} (rate(container_cpu_cfs_throttled_periods_total{{{where}}}[5m])) / "
        f"({by} (rate(container_cpu_cfs_periods_total{{{where}}}[5m])) > 0)"
    )
    usage_query = f"{by} (rate(container_cpu_usage_seconds_total{{{where}}}[5m]))"
    memory = f"max by (pod, container) (container_memory_working_set_bytes{{{where}}})"
    results = await asyncio.gather(
        gatherer.call("prometheus_query_range", {"query": share, **over}),
        gatherer.call("prometheus_query_range", {"query": usage_query, **over}),
        gatherer.call("prometheus_query", {"query": memory}),
    )
    shares, usage = _points_by_key(results[0]), _points_by_key(results[1])
    working = _by_key(results[2])
    part.evidence_ids = [r.evidence_id for r in results if r.ok]
    failed = next((r.error for r in results if r.error is not None), None)
    if failed is not None and not part.evidence_ids:
        part.swept.append(
            f"not CPU throttling or memory: {failed.source} failed ({failed.message})"
        )
        return part
    part.swept.append(
        f"CPU throttling and memory against the limits of {len(pods)} pod(s) (cAdvisor)"
    )
    cpu_ids = [r.evidence_id for r in results[:2] if r.ok]
    now = gatherer.ctx.now()
    for found in throttling(shares, usage, cpu_limits)[:2]:
        part.signals.append(_cpu_signal(found, namespace, cpu_ids, window, now))
    for pressure in memory_pressure(working, memory_limits)[:2]:
        ids = [results[2].evidence_id] if results[2].ok else []
        part.signals.append(_memory_signal(pressure, namespace, ids))
    return part


def peak_when(at: float | None, now: datetime) -> str:
    """`ending 14:22Z, 30m ago` (or `ending now`) for the worst 5 minutes' end."""
    if at is None:
        return "at an unknown time"
    ago = (now - datetime.fromtimestamp(at, UTC)).total_seconds()
    clock = datetime.fromtimestamp(at, UTC).strftime("%H:%M:%SZ")
    return f"ending {clock}, " + ("now" if ago < 90 else f"{window_text(ago)} ago")


def _cpu_signal(
    found: CpuThrottle, namespace: str, ids: list[str], window: float, now: datetime
) -> SweepSignal:
    usage = f", using {found.usage_cores:.2f} of" if found.usage_cores is not None else " with"
    where = "at its CPU limit" if found.at_limit else "by its CPU limit"
    claim = (
        f"Container {found.container} of pod {namespace}/{found.pod} was CPU-throttled {where}: "
        f"{found.share:.0%} of its CFS periods were throttled in its worst 5 minutes of the last "
        f"{window_text(window)} ({peak_when(found.at, now)}){usage} a limit of "
        f"{found.limit_cores:g} cores, so its requests waited for CPU (latency rises)"
    )
    return SweepSignal(
        kind="cpu",
        weight=8 if found.at_limit else 6,
        claim=claim,
        evidence_ids=ids,
        remedies=[
            Remedy(
                f"Raise the CPU limit of container {found.container} (or remove it and keep the "
                "request), or scale out so each replica needs less CPU",
                f"kubectl -n {namespace} set resources deployment/<name> -c {found.container} "
                f"--limits=cpu={max(1, round(found.limit_cores * 2))}",
            )
        ],
    )


def _memory_signal(found: MemoryPressure, namespace: str, ids: list[str]) -> SweepSignal:
    claim = (
        f"Container {found.container} of pod {namespace}/{found.pod} uses "
        f"{format_bytes(found.working_set)} of its {format_bytes(found.limit)} memory limit "
        f"({found.share:.0%}): it is about to be OOM-killed or is reclaiming memory hard"
    )
    return SweepSignal(
        kind="memory",
        weight=7,
        claim=claim,
        evidence_ids=ids,
        remedies=[
            Remedy(
                f"Raise the memory limit of container {found.container} above its working set, "
                "or find what grows (a cache, a leak, a batch size)",
                f"kubectl -n {namespace} top pod {found.pod} --containers",
            )
        ],
    )
