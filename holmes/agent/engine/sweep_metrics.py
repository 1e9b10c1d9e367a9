"""The sweep's metrics part: CPU throttling against the container's CPU limit and memory working
set against its memory limit, from cAdvisor series in Prometheus.

Throttling is the rate ratio `container_cpu_cfs_throttled_periods_total` /
`container_cpu_cfs_periods_total` over 5 minutes: the share of CFS periods in which the container
hit its quota. It is a fault signal when a quarter or more of the periods are throttled; "at its
limit" when the container also uses 80% or more of its limit (usage from
`container_cpu_usage_seconds_total`). Memory is near its limit at 90% of it. The maths are pure
functions (`throttling`, `memory_pressure`), tested alone; `sweep_metrics` runs the four queries
in parallel through the gatherer. Called by `sweep.py` only when Prometheus is configured.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.sweep_facts import Remedy, SweepPart, SweepSignal
from holmes.tools import ToolResult
from holmes.tools.facts.quantities import format_bytes

THROTTLED_SHARE = 0.25  # of CFS periods throttled: above this, latency suffers visibly
AT_LIMIT = 0.8  # of the CPU limit in use: the throttling comes from the limit itself
MEMORY_NEAR = 0.9  # of the memory limit in use
Key = tuple[str, str]  # (pod, container)


@dataclass
class CpuThrottle:
    """One container's CPU throttling against its limit."""

    pod: str
    container: str
    share: float  # of CFS periods throttled
    usage_cores: float | None
    limit_cores: float

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


def throttling(
    throttled: dict[Key, float],
    periods: dict[Key, float],
    usage: dict[Key, float],
    limits: dict[Key, float],
) -> list[CpuThrottle]:
    """The containers throttled in THROTTLED_SHARE or more of their periods, worst first.

    `throttled` and `periods` are per-second rates of the two counters; `limits` the CPU limits
    in cores (a container without one has no CFS quota and is never throttled)."""
    found = []
    for key, rate in periods.items():
        limit = limits.get(key)
        if not limit or rate <= 0:
            continue
        share = throttled.get(key, 0.0) / rate
        if share >= THROTTLED_SHARE:
            found.append(CpuThrottle(key[0], key[1], share, usage.get(key), limit))
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
) -> SweepPart:
    """Signals of CPU throttling and memory pressure of the given containers (by their limits)."""
    pods = sorted({pod for pod, _ in [*cpu_limits, *memory_limits]})
    part = SweepPart()
    if not pods:
        return part
    where = _selector(namespace, pods)
    by = "sum by (pod, container)"
    queries = [
        f"{by} (rate(container_cpu_cfs_throttled_periods_total{{{where}}}[5m]))",
        f"{by} (rate(container_cpu_cfs_periods_total{{{where}}}[5m]))",
        f"{by} (rate(container_cpu_usage_seconds_total{{{where}}}[5m]))",
        f"max by (pod, container) (container_memory_working_set_bytes{{{where}}})",
    ]
    results = await asyncio.gather(
        *(gatherer.call("prometheus_query", {"query": q}) for q in queries)
    )
    throttled, periods, usage, working = (_by_key(r) for r in results)
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
    cpu_ids = [r.evidence_id for r in results[:3] if r.ok]
    for found in throttling(throttled, periods, usage, cpu_limits)[:2]:
        part.signals.append(_cpu_signal(found, namespace, cpu_ids))
    for pressure in memory_pressure(working, memory_limits)[:2]:
        ids = [results[3].evidence_id] if results[3].ok else []
        part.signals.append(_memory_signal(pressure, namespace, ids))
    return part


def _cpu_signal(found: CpuThrottle, namespace: str, ids: list[str]) -> SweepSignal:
    usage = f", using {found.usage_cores:.2f} of" if found.usage_cores is not None else " with"
    where = "at its CPU limit" if found.at_limit else "by its CPU limit"
    claim = (
        f"Container {found.container} of pod {namespace}/{found.pod} is CPU-throttled {where}: "
        f"{found.share:.0%} of its CFS periods were throttled over the last 5 minutes{usage} a "
        f"limit of {found.limit_cores:g} cores, so its requests wait for CPU (latency rises)"
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
